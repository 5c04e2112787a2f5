/**
 * `evaluate bag_unpack(Column [, OutputColumnPrefix] [, columnsConflict] [, ignoredProperties])
 * [: (OutputSchema)]`: one column per top-level slot of the bags in `Column`, which is removed.
 * Arguments may be positional or named (`columnsConflict='keep_source'`).
 * - With an OutputSchema the parser knows the result: exactly those columns (`*` first keeps
 *   the input's), each slot (named by the column without the prefix) converted to the type.
 * - Without one the schema depends on the data (as the page says): the input's columns, then
 *   one per distinct slot, sorted by name, typed by the slot's values when they all share a
 *   type (nulls ignored) and `dynamic` otherwise. The parser cannot type what comes after
 *   such a result, so the form is answered only as the query's final operator; elsewhere it
 *   is refused, asking for an OutputSchema.
 * A slot named like an input column is an error (`columnsConflict='error'`, the default),
 * replaces it (`replace_source`) or is dropped (`keep_source`); either way the column moves
 * to the slot's place, as the page's examples show.
 */
import { elements, kindName, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, type Column, type Frame } from '../engine/frame.js';
import { KqlRuntimeError } from '../errors.js';
import { fromStored, nullOf, toKustoString, type Value } from '../engine/values.js';
import { outputSchema, renamed, scopeOf, unsupportedAt } from './common.js';

const PARAMS = ['Column', 'OutputColumnPrefix', 'columnsConflict', 'ignoredProperties'];

type Bag = Record<string, Value>;

function isBag(v: Value): v is Bag {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function slotType(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'real';
  return 'dynamic';
}

function convert(v: Value, type: string): Value {
  if (v === null || v === undefined) return nullOf(type);
  if (type === 'dynamic') return v;
  if (type === 'string') return typeof v === 'string' ? v : toKustoString(v);
  if (typeof v === 'object') return nullOf(type);
  const out = fromStored(v, type);
  return (type === 'long' || type === 'int') && typeof out === 'number' && Number.isFinite(out)
    ? Math.trunc(out)
    : out;
}

export function bagUnpack(op: KNode, call: KNode, input: Frame, env: Env, ctx: ExecContext): Frame {
  const args = new Map<string, KNode>();
  elements(prop(prop(call, 'ArgumentList')!, 'Expressions')).forEach((a, i) => {
    if (kindName(a) === 'SimpleNamedExpression') {
      const n = String(prop(prop(a, 'Name')!, 'Name')?.['SimpleName'] ?? '');
      const canonical = PARAMS.find((p) => p.toLowerCase() === n.toLowerCase());
      if (!canonical) unsupportedAt(ctx, a, 'argument', n);
      args.set(canonical, prop(a, 'Expression')!);
    } else args.set(PARAMS[i] ?? `argument ${i + 1}`, a);
  });
  for (const name of args.keys())
    if (!PARAMS.includes(name)) unsupportedAt(ctx, args.get(name)!, 'argument', name);
  const column = args.get('Column');
  if (!column || kindName(column) !== 'NameReference')
    return unsupportedAt(ctx, column ?? call, 'argument', 'Column of bag_unpack (a column name)');
  const columnName = String(column['SimpleName']);
  const constant = (n: string): Value => {
    const node = args.get(n);
    return node ? compileExpr(node, scopeOf(SINGLE_ROW, env, ctx)).fn(0) : null;
  };
  const prefix = String(constant('OutputColumnPrefix') ?? '');
  const conflict = String(constant('columnsConflict') ?? 'error') || 'error';
  if (!['error', 'replace_source', 'keep_source'].includes(conflict))
    unsupportedAt(ctx, args.get('columnsConflict')!, 'argument', `columnsConflict='${conflict}'`);
  const ignoredValue = constant('ignoredProperties');
  const ignored = new Set(Array.isArray(ignoredValue) ? ignoredValue.map((v) => String(v)) : []);
  if (ignoredValue !== null && !Array.isArray(ignoredValue))
    unsupportedAt(
      ctx,
      args.get('ignoredProperties')!,
      'argument',
      'ignoredProperties (not an array)',
    );
  const source = input.columns.find((c) => c.name === columnName);
  const bags = source ? source.data : new Array<Value>(input.length).fill(null);
  const slotOf = (r: number, slot: string): Value => {
    const b = bags[r]!;
    return isBag(b) && !ignored.has(slot) && slot in b ? b[slot]! : null;
  };
  if (prop(op, 'Schema')) {
    // The parser computed the output from the OutputSchema: take input columns by name and
    // the rest from the slots.
    const declared = new Set(
      elements(prop(prop(prop(op, 'Schema')!, 'Schema')!, 'Columns'))
        .filter((c) => kindName(c) === 'NameAndTypeDeclaration')
        .map((c) => String(prop(prop(c, 'Name')!, 'Name')?.['SimpleName'] ?? '')),
    );
    const columns: Column[] = outputSchema(op).map((s) => {
      const existing = input.columns.find((c) => c.name === s.name && c.name !== columnName);
      if (existing && !(declared.has(s.name) && conflict === 'replace_source'))
        return renamed(existing, s.name, s.type);
      const slot = prefix && s.name.startsWith(prefix) ? s.name.slice(prefix.length) : s.name;
      return {
        name: s.name,
        type: s.type,
        data: Array.from({ length: input.length }, (_v, r) => convert(slotOf(r, slot), s.type)),
      };
    });
    return { columns, length: input.length, serialized: input.serialized };
  }
  const pipe = op['Parent'] as KNode | undefined;
  const statement = pipe?.['Parent'] as KNode | undefined;
  if (!statement || kindName(statement) !== 'ExpressionStatement')
    unsupportedAt(
      ctx,
      call,
      'argument',
      'bag_unpack without an OutputSchema before another operator (add `: (*, Name:type, ...)`)',
    );
  const types = new Map<string, string>();
  for (let r = 0; r < input.length; r++) {
    const b = bags[r]!;
    if (!isBag(b)) continue;
    for (const [k, v] of Object.entries(b)) {
      if (ignored.has(k)) continue;
      const seen = types.get(k);
      if (v === null) {
        if (seen === undefined) types.set(k, '');
        continue;
      }
      const t = slotType(v);
      types.set(k, seen === undefined || seen === '' || seen === t ? t : 'dynamic');
    }
  }
  const kept = input.columns.filter((c) => c.name !== columnName);
  const slots = [...types.keys()].sort();
  const columns: Column[] = [...kept];
  for (const slot of slots) {
    const name = prefix + slot;
    const type = types.get(slot) || 'dynamic';
    const at = columns.findIndex((c) => c.name === name);
    if (at >= 0) {
      if (conflict === 'error') {
        const p = ctx.position(call.TextStart);
        throw new KqlRuntimeError(
          `bag_unpack: the slot '${slot}' gives a column '${name}' the input already has ` +
            `(line ${p.line}, column ${p.column}); pass columnsConflict='replace_source' or 'keep_source'.`,
        );
      }
      // The page's examples show the column at the slot's place either way, holding the
      // source's values (keep_source) or the slot's (replace_source).
      const [existing] = columns.splice(at, 1);
      if (conflict === 'keep_source') {
        columns.push(existing!);
        continue;
      }
    }
    columns.push({
      name,
      type,
      data: Array.from({ length: input.length }, (_v, r) => convert(slotOf(r, slot), type)),
    });
  }
  return { columns, length: input.length, serialized: input.serialized };
}
