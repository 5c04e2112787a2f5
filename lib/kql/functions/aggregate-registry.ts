/**
 * Aggregation functions for `summarize` (and `make-series`). Each one runs in a single pass
 * over the rows with a group id per row, and returns one value per group; `arg_max`-style
 * functions return the winning row per group instead, and `summarize` picks the columns.
 */
import type { Evaluator } from './registry.js';
import { compareValues, valueKey, type Value } from '../engine/values.js';

/** What an aggregate gets: evaluated arguments, group id per row, number of groups. */
export interface AggregateInput {
  args: Evaluator[];
  argTypes: string[];
  /** Constant arguments (percentile's `p`), evaluated once. */
  constants: Value[];
  gid: ArrayLike<number>;
  groups: number;
  rows: number;
  resultType: string;
}

export type AggregateResult =
  | { kind: 'values'; values: Value[] }
  | { kind: 'rows'; rows: Int32Array; values: Value[] }
  /** Several output columns (`percentiles(x, 50, 95)`). */
  | { kind: 'columns'; columns: Value[][] };

export type AggregateImpl = (input: AggregateInput) => AggregateResult;

const aggregates = new Map<string, AggregateImpl>();

/** Whether the name is an aggregation function. */
export function isAggregateName(name: string): boolean {
  return aggregates.has(name);
}

/** The aggregation of that name, or `undefined`. */
export function aggregateFunction(name: string): AggregateImpl | undefined {
  return aggregates.get(name);
}

function register(name: string | string[], impl: AggregateImpl): void {
  for (const n of Array.isArray(name) ? name : [name]) aggregates.set(n, impl);
}

const values = (v: Value[]): AggregateResult => ({ kind: 'values', values: v });

function countImpl(withPredicate: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const out = new Float64Array(groups);
    const pred = withPredicate ? args[0]! : undefined;
    for (let r = 0; r < rows; r++) if (!pred || pred(r) === true) out[gid[r]!]!++;
    return values(Array.from(out));
  };
}
register('count', countImpl(false));
register('countif', countImpl(true));

function sumImpl(withPredicate: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const out = new Float64Array(groups);
    const f = args[0]!;
    const pred = withPredicate ? args[1]! : undefined;
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const v = f(r);
      if (v === null || typeof v !== 'number') continue;
      out[gid[r]!]! += v;
    }
    // A group without values sums to 0 (the documented default of sum() over no rows).
    return values(Array.from(out));
  };
}
register('sum', sumImpl(false));
register('sumif', sumImpl(true));

function avgImpl(withPredicate: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const sum = new Float64Array(groups);
    const n = new Float64Array(groups);
    const f = args[0]!;
    const pred = withPredicate ? args[1]! : undefined;
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const v = f(r);
      if (v === null || typeof v !== 'number') continue;
      const g = gid[r]!;
      sum[g]! += v;
      n[g]!++;
    }
    return values(Array.from(sum, (s, g) => (n[g] ? s / n[g]! : null)));
  };
}
register('avg', avgImpl(false));
register('avgif', avgImpl(true));

function extremeImpl(sign: 1 | -1, withPredicate: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const out: Value[] = new Array<Value>(groups).fill(null);
    const f = args[0]!;
    const pred = withPredicate ? args[1]! : undefined;
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const v = f(r);
      if (v === null) continue;
      const g = gid[r]!;
      const cur = out[g]!;
      if (cur === null || sign * compareValues(v, cur) > 0) out[g] = v;
    }
    return values(out);
  };
}
register('max', extremeImpl(1, false));
register('min', extremeImpl(-1, false));
register('maxif', extremeImpl(1, true));
register('minif', extremeImpl(-1, true));

function dcountImpl(withPredicate: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const sets = Array.from({ length: groups }, () => new Set<string>());
    const f = args[0]!;
    const pred = withPredicate ? args[1]! : undefined;
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const v = f(r);
      if (v === null) continue;
      sets[gid[r]!]!.add(valueKey(v));
    }
    return values(sets.map((s) => s.size));
  };
}
register('dcount', dcountImpl(false));
register('dcountif', dcountImpl(true));

function collectImpl(distinct: boolean, withPredicate: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const lists: Value[][] = Array.from({ length: groups }, () => []);
    const seen = distinct ? Array.from({ length: groups }, () => new Set<string>()) : [];
    const f = args[0]!;
    const pred = withPredicate ? args[1]! : undefined;
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const v = f(r);
      if (v === null) continue;
      const g = gid[r]!;
      // make_list/make_set flatten nothing: an array value is one element.
      if (distinct) {
        const k = valueKey(v);
        if (seen[g]!.has(k)) continue;
        seen[g]!.add(k);
      }
      lists[g]!.push(v);
    }
    return values(lists);
  };
}
register('make_list', collectImpl(false, false));
register('make_list_if', collectImpl(false, true));
register('make_set', collectImpl(true, false));
register('make_set_if', collectImpl(true, true));

function argImpl(sign: 1 | -1): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const best: Value[] = new Array<Value>(groups).fill(null);
    const winner = new Int32Array(groups).fill(-1);
    const f = args[0]!;
    for (let r = 0; r < rows; r++) {
      const v = f(r);
      const g = gid[r]!;
      if (v === null) {
        // A group whose values are all null still returns one of its rows.
        if (winner[g] === -1) winner[g] = r;
        continue;
      }
      const cur = best[g]!;
      if (cur === null || sign * compareValues(v, cur) > 0) {
        best[g] = v;
        winner[g] = r;
      }
    }
    return { kind: 'rows', rows: winner, values: best };
  };
}
register('arg_max', argImpl(1));
register('arg_min', argImpl(-1));

function isEmptyValue(v: Value): boolean {
  return v === null || v === '';
}

function takeAnyImpl(withPredicate: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const out: Value[] = new Array<Value>(groups).fill(null);
    const winner = new Int32Array(groups).fill(-1);
    const f = args[0]!;
    const pred = withPredicate ? args[1]! : undefined;
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const g = gid[r]!;
      const cur = winner[g]!;
      if (cur !== -1 && !isEmptyValue(out[g]!)) continue;
      const v = f(r);
      // Prefer a non-null, non-empty value when the group has one.
      if (cur === -1 || !isEmptyValue(v)) {
        out[g] = v;
        winner[g] = r;
      }
    }
    return { kind: 'rows', rows: winner, values: out };
  };
}
register(['take_any', 'any'], takeAnyImpl(false));
register(['take_anyif', 'anyif'], takeAnyImpl(true));

/** Nearest-rank percentile of sorted values: always one of the values (Kusto's method). */
function nearestRank(sorted: number[], p: number): Value {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

function sortedGroups({ args, gid, groups, rows }: AggregateInput): number[][] {
  const lists: number[][] = Array.from({ length: groups }, () => []);
  const f = args[0]!;
  for (let r = 0; r < rows; r++) {
    const v = f(r);
    if (typeof v === 'number') lists[gid[r]!]!.push(v);
  }
  for (const l of lists) l.sort((a, b) => a - b);
  return lists;
}

register('percentile', (input) => {
  const p = Number(input.constants[1] ?? 50);
  return values(sortedGroups(input).map((l) => nearestRank(l, p)));
});

register('percentiles', (input) => {
  const lists = sortedGroups(input);
  const ps = input.constants.slice(1).map((c) => Number(c));
  return { kind: 'columns', columns: ps.map((p) => lists.map((l) => nearestRank(l, p))) };
});

function varianceImpl(stdev: boolean): AggregateImpl {
  return ({ args, gid, groups, rows }) => {
    const n = new Float64Array(groups);
    const sum = new Float64Array(groups);
    const sq = new Float64Array(groups);
    const f = args[0]!;
    for (let r = 0; r < rows; r++) {
      const v = f(r);
      if (typeof v !== 'number') continue;
      const g = gid[r]!;
      n[g]!++;
      sum[g]! += v;
      sq[g]! += v * v;
    }
    return values(
      Array.from(n, (c, g) => {
        // The documented default over no values is 0, like a single value's spread.
        if (c < 2) return 0;
        const variance = (sq[g]! - (sum[g]! * sum[g]!) / c) / (c - 1);
        return stdev ? Math.sqrt(variance) : variance;
      }),
    );
  };
}
register('stdev', varianceImpl(true));
register('variance', varianceImpl(false));
