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

/** The order of two rows by the keys; ties go by row number, so the order is total and stable. */
function rowOrder(keys: SortKey[]): (a: number, b: number) => number {
  return (a, b) => {
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
  };
}

/** Row order for the keys (stable). */
export function sortIndex(keys: SortKey[], n: number): number[] {
  const idx = Array.from({ length: n }, (_v, i) => i);
  idx.sort(rowOrder(keys));
  return idx;
}

/**
 * The first `k` rows of {@link sortIndex}, without sorting them all: a heap of the best `k`
 * seen so far (`top 200 by TimeGenerated` over a million rows sorted all of them).
 */
export function topIndex(keys: SortKey[], n: number, count: number): number[] {
  const k = Math.floor(count);
  if (k <= 0) return [];
  if (k * 8 >= n) return sortIndex(keys, n).slice(0, k);
  const cmp = rowOrder(keys);
  // A max-heap under `cmp`: its root is the worst of the rows kept.
  const heap: number[] = [];
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < heap.length && cmp(heap[l]!, heap[w]!) > 0) w = l;
      if (r < heap.length && cmp(heap[r]!, heap[w]!) > 0) w = r;
      if (w === i) return;
      [heap[i], heap[w]] = [heap[w]!, heap[i]!];
      i = w;
    }
  };
  for (let row = 0; row < n; row++) {
    if (heap.length < k) {
      heap.push(row);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (cmp(heap[i]!, heap[p]!) <= 0) break;
        [heap[i], heap[p]] = [heap[p]!, heap[i]!];
        i = p;
      }
    } else if (cmp(row, heap[0]!) < 0) {
      heap[0] = row;
      down(0);
    }
  }
  return heap.sort(cmp);
}

export const sort: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, []);
  const keys = elements(prop(op, 'Expressions')).map((e) => sortKey(e, input, env, ctx));
  const frame = takeRows(input, sortIndex(keys, input.length));
  return { ...frame, serialized: true };
};
