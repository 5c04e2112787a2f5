/**
 * `sort by` / `order by`: default descending; nulls last when descending and first when
 * ascending, unless `nulls first|last` says otherwise.
 */
import { kindName, prop, type KNode, elements } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { evaluateColumn } from '../engine/expr.js';
import { takeRows, type Frame } from '../engine/frame.js';
import { compareValues, type Value } from '../engine/values.js';
import { checkParameters, scopeOf, type Operator } from './common.js';

interface SortKey {
  data: Value[];
  desc: boolean;
  nullsFirst: boolean;
}

/** Reads `expr [asc|desc] [nulls first|last]`. */
export function sortKey(node: KNode, input: Frame, env: Env, ctx: ExecContext): SortKey {
  let expr = node;
  let desc = true;
  let nullsFirst: boolean | undefined;
  if (kindName(node) === 'OrderedExpression') {
    expr = prop(node, 'Expression')!;
    const ordering = prop(node, 'Ordering');
    if (ordering) {
      const dir = prop(ordering, 'AscOrDescKeyword');
      if (dir && String(dir.Text).toLowerCase() === 'asc') desc = false;
      const nulls = prop(ordering, 'NullsClause');
      const which = nulls ? prop(nulls, 'FirstOrLastKeyword') : undefined;
      if (which) nullsFirst = String(which.Text).toLowerCase() === 'first';
    }
  }
  const { data } = evaluateColumn(expr, scopeOf(input, env, ctx));
  return { data, desc, nullsFirst: nullsFirst ?? !desc };
}

/** Row order for the keys (stable). */
export function sortIndex(keys: SortKey[], n: number): number[] {
  const idx = Array.from({ length: n }, (_v, i) => i);
  idx.sort((a, b) => {
    for (const k of keys) {
      const x = k.data[a]!;
      const y = k.data[b]!;
      if (x === y) continue;
      if (x === null) return k.nullsFirst ? -1 : 1;
      if (y === null) return k.nullsFirst ? 1 : -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : compareValues(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return a - b;
  });
  return idx;
}

export const sort: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, []);
  const keys = elements(prop(op, 'Expressions')).map((e) => sortKey(e, input, env, ctx));
  const frame = takeRows(input, sortIndex(keys, input.length));
  return { ...frame, serialized: true };
};
