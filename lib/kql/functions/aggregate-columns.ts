/**
 * How aggregates read their arguments a column at a time: a column's own array or typed
 * values instead of an evaluator call per row, predicates as masks (expr-mask.ts), results
 * handed on typed, and distinct counts on dictionary codes. Split from aggregate-registry.ts,
 * which holds the aggregates themselves.
 */
import type { NumericView } from '../engine/frame.js';
import type { CodeArray } from '../log-tables.js';
import { numericOf } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import type { AggregateInput, AggregateResult } from './aggregate-registry.js';

/**
 * Argument `i` for every row: a column's own array, else evaluated once here (on the rows
 * `only` passes, the others read null), so the loops below read arrays instead of calling an
 * evaluator per row.
 */
export function argValues(input: AggregateInput, i: number, only?: Uint8Array): ArrayLike<Value> {
  const col = input.columns?.[i];
  if (col) return col.data;
  const f = input.args[i]!;
  const out = new Array<Value>(input.rows);
  for (let r = 0; r < input.rows; r++) out[r] = only && only[r] !== 1 ? null : f(r);
  return out;
}

/** Argument `i`'s typed values, when it is a number column that has them. */
export function numericArg(input: AggregateInput, i: number): NumericView | undefined {
  const col = input.columns?.[i];
  return col ? numericOf(col) : undefined;
}

/** The rows predicate argument `i` is true on (null and false are not). */
export function predicateMask(input: AggregateInput, i: number): Uint8Array {
  const known = input.mask?.(i);
  if (known) return known;
  const f = input.args[i]!;
  const out = new Uint8Array(input.rows);
  for (let r = 0; r < input.rows; r++) out[r] = f(r) === true ? 1 : 0;
  return out;
}

/**
 * One number per group (null where `nulls[g]` is 1), handed on typed; the boxed values are
 * built only if read (an expression over the aggregate): a datetime per group is a heap
 * number each, and `min(TimeGenerated) by CorrelationId` has a group per request.
 */
export function typedValues(out: Float64Array, nulls?: Uint8Array): AggregateResult {
  let v: Value[] | undefined;
  return {
    kind: 'values',
    get values(): Value[] {
      if (!v) {
        v = new Array<Value>(out.length);
        for (let g = 0; g < out.length; g++) v[g] = nulls?.[g] === 1 ? null : out[g]!;
      }
      return v;
    },
    numeric: { values: out, nulls },
  };
}

/** Sums over counts per group: null where a group had no values. */
export function averages(sum: Float64Array, n: Float64Array): AggregateResult {
  const nulls = n.some((c) => c === 0) ? Uint8Array.from(n, (c) => (c === 0 ? 1 : 0)) : undefined;
  return typedValues(
    sum.map((s, g) => (n[g] ? s / n[g]! : 0)),
    nulls,
  );
}

/** `max` / `min` over typed values: null for a group without any. */
export function typedExtreme(
  view: NumericView,
  sign: 1 | -1,
  input: AggregateInput,
  pass: Uint8Array | undefined,
): AggregateResult {
  const { gid, groups, rows } = input;
  const { values: vals, nulls } = view;
  const best = new Float64Array(groups);
  const has = new Uint8Array(groups);
  for (let r = 0; r < rows; r++) {
    if ((pass && pass[r] !== 1) || nulls?.[r] === 1) continue;
    const g = gid[r]!;
    const v = vals[r]!;
    if (has[g] === 0) {
      has[g] = 1;
      best[g] = v;
    } else if (sign > 0 ? v > best[g]! : v < best[g]!) best[g] = v;
  }
  return typedValues(best, has.includes(0) ? has.map((h) => 1 - h) : undefined);
}

/** Above this many (group, code) cells distinct codes are kept in a Set instead of a bitmap. */
const BITMAP_LIMIT = 1 << 24;

/** Distinct dictionary codes per group (a string column's codes are its distinct values). */
export function distinctCodes(
  codes: CodeArray,
  width: number,
  input: AggregateInput,
  pass: Uint8Array | undefined,
): number[] {
  const { gid, groups, rows } = input;
  const counts = new Array<number>(groups).fill(0);
  if (groups * width <= BITMAP_LIMIT) {
    const seen = new Uint8Array(groups * width);
    for (let r = 0; r < rows; r++) {
      if (pass && pass[r] !== 1) continue;
      const g = gid[r]!;
      const cell = g * width + codes[r]!;
      if (seen[cell] === 0) {
        seen[cell] = 1;
        counts[g]!++;
      }
    }
    return counts;
  }
  const seen = new Set<number>();
  for (let r = 0; r < rows; r++) {
    if (pass && pass[r] !== 1) continue;
    const g = gid[r]!;
    const cell = g * width + codes[r]!;
    if (!seen.has(cell)) {
      seen.add(cell);
      counts[g]!++;
    }
  }
  return counts;
}
