/**
 * Aggregation functions for `summarize` (and `make-series`). Each one runs in a single pass
 * over the rows with a group id per row, and returns one value per group; `arg_max`-style
 * functions return the winning row per group instead, and `summarize` picks the columns.
 */
import type { Evaluator } from './registry.js';
import { encodingOf, knownEncoding } from '../engine/dictionary.js';
import type { Column, DictEncoding, NumericView } from '../engine/frame.js';
import {
  argValues,
  averages,
  distinctCodes,
  numericArg,
  predicateMask,
  typedExtreme,
  typedValues,
} from './aggregate-columns.js';
import { compareValues, valueKey, type Value } from '../engine/values.js';
import { entryOf } from '../packed-strings.js';

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
  /** Each argument as a plain column of the input, when it is one: its array is read directly. */
  columns?: (Column | undefined)[];
  /** The rows argument `i` is true on, when computed column-wise (expr-mask.ts), else `undefined`. */
  mask?: (i: number) => Uint8Array | undefined;
}

export type AggregateResult =
  /** `numeric`: the same values typed, when the aggregate computed them so (sums, counts). */
  | { kind: 'values'; values: Value[]; numeric?: NumericView }
  | { kind: 'rows'; rows: Int32Array; values: Value[] }
  /** Several output columns (`percentiles(x, 50, 95)`). */
  | { kind: 'columns'; columns: Value[][] };

export type AggregateImpl = (input: AggregateInput) => AggregateResult;

const aggregates = new Map<string, { impl: AggregateImpl; maxArgs: number }>();

/** Whether the name is an aggregation function. */
export function isAggregateName(name: string): boolean {
  return aggregates.has(name);
}

/** The aggregation of that name, or `undefined`. */
export function aggregateFunction(name: string): AggregateImpl | undefined {
  return aggregates.get(name)?.impl;
}

/** How many leading arguments the aggregation honours (more are refused, never ignored). */
export function aggregateMaxArgs(name: string): number {
  return aggregates.get(name)?.maxArgs ?? 0;
}

/** The names of every registered aggregation. */
export function aggregateNames(): string[] {
  return [...aggregates.keys()].sort();
}

/** Adds an aggregation under one or more names, honouring its first `maxArgs` arguments. */
export function registerAggregate(
  name: string | string[],
  impl: AggregateImpl,
  maxArgs: number,
): void {
  for (const n of Array.isArray(name) ? name : [name]) aggregates.set(n, { impl, maxArgs });
}

export const values = (v: Value[]): AggregateResult => ({ kind: 'values', values: v });

function countImpl(withPredicate: boolean): AggregateImpl {
  return (input) => {
    const { gid, groups, rows } = input;
    const out = new Float64Array(groups);
    if (withPredicate) {
      const pass = predicateMask(input, 0);
      for (let r = 0; r < rows; r++) if (pass[r] === 1) out[gid[r]!]!++;
    } else for (let r = 0; r < rows; r++) out[gid[r]!]!++;
    return typedValues(out);
  };
}
registerAggregate('count', countImpl(false), 0);
registerAggregate('countif', countImpl(true), 1);

function sumImpl(withPredicate: boolean): AggregateImpl {
  return (input) => {
    const { gid, groups, rows } = input;
    const out = new Float64Array(groups);
    const pass = withPredicate ? predicateMask(input, 1) : undefined;
    const view = numericArg(input, 0);
    if (view) {
      const { values: vals, nulls } = view;
      for (let r = 0; r < rows; r++)
        if ((!pass || pass[r] === 1) && nulls?.[r] !== 1) out[gid[r]!]! += vals[r]!;
      return typedValues(out);
    }
    const data = argValues(input, 0, pass);
    for (let r = 0; r < rows; r++) {
      if (pass && pass[r] !== 1) continue;
      const v = data[r];
      if (typeof v === 'number') out[gid[r]!]! += v;
    }
    // A group without values sums to 0 (the documented default of sum() over no rows).
    return typedValues(out);
  };
}
registerAggregate('sum', sumImpl(false), 1);
registerAggregate('sumif', sumImpl(true), 2);

function avgImpl(withPredicate: boolean): AggregateImpl {
  return (input) => {
    const { gid, groups, rows } = input;
    const sum = new Float64Array(groups);
    const n = new Float64Array(groups);
    const pass = withPredicate ? predicateMask(input, 1) : undefined;
    const view = numericArg(input, 0);
    if (view) {
      const { values: vals, nulls } = view;
      for (let r = 0; r < rows; r++) {
        if ((pass && pass[r] !== 1) || nulls?.[r] === 1) continue;
        const g = gid[r]!;
        sum[g]! += vals[r]!;
        n[g]!++;
      }
      return averages(sum, n);
    }
    const data = argValues(input, 0, pass);
    for (let r = 0; r < rows; r++) {
      if (pass && pass[r] !== 1) continue;
      const v = data[r];
      if (typeof v !== 'number') continue;
      const g = gid[r]!;
      sum[g]! += v;
      n[g]!++;
    }
    return averages(sum, n);
  };
}
registerAggregate('avg', avgImpl(false), 1);
registerAggregate('avgif', avgImpl(true), 2);

function extremeImpl(sign: 1 | -1, withPredicate: boolean): AggregateImpl {
  return (input) => {
    const { gid, groups, rows } = input;
    const out: Value[] = new Array<Value>(groups).fill(null);
    const pass = withPredicate ? predicateMask(input, 1) : undefined;
    const view = numericArg(input, 0);
    if (view) return typedExtreme(view, sign, input, pass);
    const data = argValues(input, 0, pass);
    for (let r = 0; r < rows; r++) {
      if (pass && pass[r] !== 1) continue;
      const v = data[r]!;
      if (v === null) continue;
      const g = gid[r]!;
      const cur = out[g]!;
      if (cur === null) out[g] = v;
      else if (typeof v === 'number' && typeof cur === 'number') {
        if (sign > 0 ? v > cur : v < cur) out[g] = v;
      } else if (sign * compareValues(v, cur) > 0) out[g] = v;
    }
    return values(out);
  };
}
registerAggregate('max', extremeImpl(1, false), 1);
registerAggregate('min', extremeImpl(-1, false), 1);
registerAggregate('maxif', extremeImpl(1, true), 2);
registerAggregate('minif', extremeImpl(-1, true), 2);

function dcountImpl(withPredicate: boolean): AggregateImpl {
  return (input) => {
    const { gid, groups, rows } = input;
    const pass = withPredicate ? predicateMask(input, 1) : undefined;
    const col = input.columns?.[0];
    // A string column never holds null (Kusto strings are empty instead): every code counts.
    const enc = col ? encodingOf(col) : undefined;
    if (enc) return values(distinctCodes(enc.codes, enc.dict.length, input, pass));
    const data = argValues(input, 0, pass);
    const sets = Array.from({ length: groups }, () => new Set<string | number>());
    for (let r = 0; r < rows; r++) {
      if (pass && pass[r] !== 1) continue;
      const v = data[r]!;
      if (v === null) continue;
      // Numbers key as themselves; every other key is tagged text, so the two never collide.
      sets[gid[r]!]!.add(typeof v === 'number' ? v : valueKey(v));
    }
    return values(sets.map((s) => s.size));
  };
}
registerAggregate('dcount', dcountImpl(false), 2);
registerAggregate('dcountif', dcountImpl(true), 3);

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
registerAggregate('arg_max', argImpl(1), Infinity);
registerAggregate('arg_min', argImpl(-1), Infinity);

function isEmptyValue(v: Value): boolean {
  return v === null || v === '';
}

/**
 * `take_any` of a dictionary-encoded string column on its codes: the column's values are not
 * decoded (at 10M rows that was a 10M-entry array per query).
 */
function takeAnyCodes(
  { codes, dict }: DictEncoding,
  { gid, rows, groups }: AggregateInput,
  pass: Uint8Array | undefined,
): AggregateResult {
  const empty = new Uint8Array(dict.length);
  for (let c = 0; c < dict.length; c++) empty[c] = isEmptyValue(entryOf(dict, c)!) ? 1 : 0;
  const winner = new Int32Array(groups).fill(-1);
  for (let r = 0; r < rows; r++) {
    if (pass && pass[r] !== 1) continue;
    const g = gid[r]!;
    const w = winner[g]!;
    // The group's first row, replaced by its first non-empty one.
    if (w === -1 || (empty[codes[w]!] === 1 && empty[codes[r]!] === 0)) winner[g] = r;
  }
  return pickedRows(winner, (w) => entryOf(dict, codes[w]!)!);
}

/**
 * A row-picking result whose values are read only if asked for: `summarize` mostly picks the
 * columns at the winning rows itself, and one value per group of 10M groups is 80 MB.
 */
function pickedRows(winner: Int32Array, valueAt: (row: number) => Value): AggregateResult {
  let values: Value[] | undefined;
  return {
    kind: 'rows',
    rows: winner,
    get values(): Value[] {
      values ??= Array.from(winner, (w) => (w === -1 ? null : valueAt(w)));
      return values;
    },
  };
}

function takeAnyImpl(withPredicate: boolean): AggregateImpl {
  return (input) => {
    const { args, gid, groups, rows } = input;
    const col = input.columns?.[0];
    // Only an encoding the column already has or hands over (computing one reads every value).
    const enc = col && (col.encode ? encodingOf(col) : knownEncoding(col));
    if (enc) return takeAnyCodes(enc, input, withPredicate ? predicateMask(input, 1) : undefined);
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
registerAggregate(['take_any', 'any'], takeAnyImpl(false), Infinity);
registerAggregate(['take_anyif', 'anyif'], takeAnyImpl(true), 2);

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

registerAggregate(
  'percentile',
  (input) => {
    const p = Number(input.constants[1] ?? 50);
    return values(sortedGroups(input).map((l) => nearestRank(l, p)));
  },
  2,
);

registerAggregate(
  'percentiles',
  (input) => {
    const lists = sortedGroups(input);
    const ps = input.constants.slice(1).map((c) => Number(c));
    return { kind: 'columns', columns: ps.map((p) => lists.map((l) => nearestRank(l, p))) };
  },
  Infinity,
);

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
registerAggregate('stdev', varianceImpl(true), 1);
registerAggregate('variance', varianceImpl(false), 1);
