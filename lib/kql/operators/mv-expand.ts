/**
 * `mv-expand [kind=bag|array] [with_itemindex=I] [Name =] Expr [to typeof(T)], ... [limit N]`:
 * one row per element, expressions expanded in parallel (shorter ones padded with null); a
 * null value gives one row with null, an empty array or bag gives no row.
 */
import { elements, kindName, prop } from '../kusto-language.js';
import { compileExpr } from '../engine/expr.js';
import { columnIndex, type Column } from '../engine/frame.js';
import { fromStored, normaliseType, nullOf, parseTimespan, type Value } from '../engine/values.js';
import {
  applySchema,
  checkParameters,
  declaredName,
  namedParameters,
  outputSchema,
  scopeOf,
  unsupportedAt,
  type Operator,
} from './common.js';

export const mvExpand: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, ['kind', 'bagexpansion', 'with_itemindex']);
  const params = namedParameters(op);
  const mode = (params.get('kind') ?? params.get('bagexpansion') ?? 'bag').toLowerCase();
  if (mode !== 'bag' && mode !== 'array') unsupportedAt(ctx, op, 'argument', `kind=${mode}`);
  const asArray =
    (params.get('kind') ?? params.get('bagexpansion') ?? 'bag').toLowerCase() === 'array';
  const indexCol = params.get('with_itemindex');
  const limitClause = prop(op, 'RowLimitClause');
  const limit = limitClause
    ? Number(compileExpr(prop(limitClause, 'RowLimit')!, scopeOf(input, env, ctx)).fn(0))
    : Number.MAX_SAFE_INTEGER;
  const scope = scopeOf(input, env, ctx);
  const specs = elements(prop(op, 'Expressions')).map((e) => {
    const expr = prop(e, 'Expression')!;
    const toType = prop(e, 'ToTypeOf');
    const typeText = toType ? /typeof\s*\(\s*(\w+)\s*\)/.exec(toType.ToString(0))?.[1] : undefined;
    const name =
      declaredName(expr) ??
      String((kindName(expr) === 'NameReference' ? expr['SimpleName'] : '') || '');
    return {
      fn: compileExpr(expr, scope).fn,
      name,
      type: typeText ? normaliseType(typeText) : 'dynamic',
    };
  });
  const elementsOf = (v: Value): Value[] | null => {
    if (v === null) return null;
    if (Array.isArray(v)) return v;
    if (typeof v === 'object')
      return Object.entries(v).map(([k, x]) => (asArray ? [k, x] : { [k]: x }));
    return [v];
  };
  const srcRows: number[] = [];
  const itemIndex: number[] = [];
  const expanded: Value[][] = specs.map(() => []);
  for (let r = 0; r < input.length; r++) {
    const lists = specs.map((s) => elementsOf(s.fn(r)));
    const allNull = lists.every((l) => l === null);
    const n = allNull
      ? 1
      : Math.min(limit, Math.max(...lists.map((l) => (l === null ? 1 : l.length))));
    for (let i = 0; i < n; i++) {
      srcRows.push(r);
      itemIndex.push(i);
      lists.forEach((l, k) => expanded[k]!.push(l === null ? null : (l[i] ?? null)));
    }
  }
  const schema = outputSchema(op);
  // Unnamed expressions (`mv-expand d.items`) take the parser's names for the new columns.
  const inputNames = new Set(input.columns.map((c) => c.name));
  const fresh = schema.map((s) => s.name).filter((n) => !inputNames.has(n) && n !== indexCol);
  for (const spec of specs) if (!spec.name) spec.name = fresh.shift() ?? '';
  const columns: Column[] = schema.map((s) => {
    const k = specs.findIndex((sp) => sp.name === s.name);
    if (k >= 0) {
      const t = specs[k]!.type;
      const data = t === 'dynamic' ? expanded[k]! : expanded[k]!.map((v) => castTo(v, t));
      return { name: s.name, type: s.type, data };
    }
    if (s.name === indexCol) return { name: s.name, type: 'long', data: itemIndex };
    const idx = columnIndex(input, s.name);
    const src = idx >= 0 ? input.columns[idx]!.data : [];
    return { name: s.name, type: s.type, data: srcRows.map((r) => src[r] ?? null) };
  });
  return applySchema(op, columns, srcRows.length, ctx);
};

/**
 * `to typeof(T)` only casts: "doesn't include parsing or type-conversion; elements that don't
 * conform become null" (the page). Datetimes and timespans inside dynamic values are held as
 * their text, so those are read back from it.
 */
function castTo(v: Value, type: string): Value {
  if (v === null) return nullOf(type);
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : '';
    case 'long':
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'real':
    case 'decimal':
      return typeof v === 'number' ? v : null;
    case 'bool':
      return typeof v === 'boolean' ? v : null;
    case 'datetime':
      return typeof v === 'string' ? fromStored(v, 'datetime') : null;
    case 'timespan':
      return typeof v === 'string' ? (parseTimespan(v) ?? null) : null;
    case 'guid':
      return typeof v === 'string' && GUID.test(v) ? v : null;
    default:
      return v;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
