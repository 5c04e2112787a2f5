/**
 * The engine's table: named, typed columns held as arrays (column-major), so operators can
 * hand whole columns to arquero without copying.
 */
import type { CodeArray } from '../log-tables.js';
import { entryOf, type Dictionary } from '../packed-strings.js';
import { encodingOf, gatherEncoding, knownEncoding } from './dictionary.js';
import { nullOf, type Value } from './values.js';

/**
 * A dictionary-encoded string column: row `r` holds `dict[codes[r]]` (see dictionary.ts).
 * This is the shape a columnar source can hand over for a string column.
 */
export interface DictEncoding {
  codes: CodeArray;
  dict: Dictionary;
}

/** One column: name, Kusto type and values. */
export interface Column {
  name: string;
  type: string;
  data: Value[];
  /**
   * Computes the column's dictionary encoding without decoding values (a column that picks
   * rows of another gathers its codes). Read it through `encodingOf`, which caches it.
   */
  encode?: () => DictEncoding | undefined;
  /**
   * `encode` reads codes that exist already (a columnar source's, or a parent's gathered)
   * instead of hashing values, so asking for them is always worth it.
   */
  cheapEncoding?: boolean;
  /**
   * Bounds of a number column's values and whether it has nulls, when known without a scan
   * (a columnar source computes them once per table version). A column that picks rows of
   * another inherits them: its values lie within its parent's.
   */
  bounds?: () => NumberBounds | undefined;
  /**
   * The values of a number column as typed arrays, when they exist without decoding (a
   * columnar source's, or gathered from a parent's). Read it through `numericOf`, which caches.
   */
  numeric?: () => NumericView | undefined;
  /**
   * A bool column's values as 1 (true), 0 (false) and -1 (null), when they exist without
   * decoding (a columnar source's, or gathered from a parent's). Read it through `boolsOf`.
   */
  bools?: () => Int8Array | undefined;
}

/** A number column (datetimes and timespans in milliseconds): row `r` is null where `nulls[r]` is 1. */
export interface NumericView {
  values: Float64Array;
  nulls: Uint8Array | undefined;
}

/**
 * What a column's optional reader (`numeric`, `bools`) answers, asked once per column: a reader
 * may gather or decode, and the operators after it ask again.
 */
function cachedRead<T extends object>(
  cache: WeakMap<Column, T | null>,
  col: Column,
  read: (() => T | undefined) | undefined,
): T | undefined {
  if (!read) return undefined;
  let v = cache.get(col);
  if (v === undefined) {
    v = read() ?? null;
    cache.set(col, v);
  }
  return v ?? undefined;
}

const numerics = new WeakMap<Column, NumericView | null>();
const boolArrays = new WeakMap<Column, Int8Array | null>();

/** The typed values of a number column, if it has them (never computed from `data`). */
export function numericOf(col: Column): NumericView | undefined {
  return cachedRead(numerics, col, col.numeric);
}

/** The 1 / 0 / -1 values of a bool column, if it has them (never computed from `data`). */
export function boolsOf(col: Column): Int8Array | undefined {
  return cachedRead(boolArrays, col, col.bools);
}

/** A number column over typed values; `data` decodes them on first read. */
export function numericColumn(name: string, type: string, view: NumericView): Column {
  const col = lazyColumn(name, type, () => {
    const { values, nulls } = view;
    const data = new Array<Value>(values.length);
    for (let i = 0; i < values.length; i++) data[i] = nulls?.[i] === 1 ? null : values[i]!;
    return data;
  });
  col.numeric = () => view;
  return col;
}

/** The rows `rows` of a typed view; `-1` reads as null. */
function gatherNumeric(view: NumericView, rows: ArrayLike<number>): NumericView {
  const n = rows.length;
  const values = new Float64Array(n);
  let nulls: Uint8Array | undefined;
  const src = view.values;
  const srcNulls = view.nulls;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r >= 0 && srcNulls?.[r] !== 1) values[i] = src[r]!;
    else (nulls ??= new Uint8Array(n))[i] = 1;
  }
  return { values, nulls };
}

/** The least and greatest number of a column (NaN-free), and whether any row is null. */
export interface NumberBounds {
  min: number;
  max: number;
  hasNulls: boolean;
}

/** A table flowing between operators. Never mutated once built. */
export interface Frame {
  columns: Column[];
  length: number;
  /** Set by `serialize`, `sort`, `top`: the rows have an order, so `row_number()` is allowed. */
  serialized?: boolean;
}

/** A frame with no columns and one row (what `print` and scalar `let`s evaluate over). */
export const SINGLE_ROW: Frame = { columns: [], length: 1 };

/** The index of a column by name, or -1. */
export function columnIndex(frame: Frame, name: string): number {
  for (let i = 0; i < frame.columns.length; i++) if (frame.columns[i]!.name === name) return i;
  return -1;
}

/**
 * A column whose values are computed on first read. Operators that pick rows (where, join,
 * take) keep every input column, but a query usually reads a few of them afterwards; the
 * gateway table has 59.
 */
export function lazyColumn(name: string, type: string, compute: () => Value[]): Column {
  let data: Value[] | undefined;
  return {
    name,
    type,
    get data(): Value[] {
      if (!data) data = compute();
      return data;
    },
    set data(v: Value[]) {
      data = v;
    },
  };
}

/**
 * A lazy column of the given rows of `c`; `-1` reads as the type's null. A string column's
 * encoding gathers the parent's codes when the parent's encoding is known or the pick keeps
 * a good share of its rows (hashing a large parent for a few rows would cost more).
 */
export function pickColumn(c: Column, rows: ArrayLike<number>, parentLength: number): Column {
  const n = rows.length;
  if (c.numeric) {
    // Gathering typed values is cheaper than gathering boxed ones, and `data` may never be read.
    const parent = c;
    let view: NumericView | null | undefined;
    const viewOf = (): NumericView | undefined => {
      if (view === undefined) {
        const p = numericOf(parent);
        view = p ? gatherNumeric(p, rows) : null;
      }
      return view ?? undefined;
    };
    const picked = lazyColumn(c.name, c.type, () => {
      const v = viewOf();
      if (!v) return pickValues(parent, rows);
      const data = new Array<Value>(n);
      for (let i = 0; i < n; i++) data[i] = v.nulls?.[i] === 1 ? null : v.values[i]!;
      return data;
    });
    picked.numeric = viewOf;
    if (c.bounds) picked.bounds = pickedBounds(c.bounds, rows);
    return picked;
  }
  const col = lazyColumn(c.name, c.type, () => pickValues(c, rows));
  if (c.bools) {
    const parent = c;
    col.bools = () => {
      const src = boolsOf(parent);
      if (!src) return undefined;
      const out = new Int8Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        out[i] = r < 0 ? -1 : src[r]!;
      }
      return out;
    };
  }
  if (c.type === 'string') {
    col.encode = () => {
      const parent =
        knownEncoding(c) ??
        (c.cheapEncoding === true || parentLength <= 8 * n ? encodingOf(c) : undefined);
      return parent ? gatherEncoding(parent, rows) : undefined;
    };
    if (c.cheapEncoding === true) col.cheapEncoding = true;
  }
  if (c.bounds) col.bounds = pickedBounds(c.bounds, rows);
  return col;
}

/** The values of `rows` of a column; `-1` reads as the type's null. */
function pickValues(c: Column, rows: ArrayLike<number>): Value[] {
  const fill = nullOf(c.type);
  const data = new Array<Value>(rows.length);
  // A string column with codes decodes only the picked rows (a summarize's keys pick one row
  // per group of a million: decoding the parent would build a million strings).
  const enc =
    c.type === 'string'
      ? (knownEncoding(c) ?? (c.cheapEncoding ? encodingOf(c) : undefined))
      : undefined;
  if (enc) {
    const { codes, dict } = enc;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      data[i] = r < 0 ? fill : entryOf(dict, codes[r]!)!;
    }
    return data;
  }
  const src = c.data;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    data[i] = r < 0 ? fill : src[r]!;
  }
  return data;
}

/**
 * Bounds of picked rows: the parent's (its values lie within them). Rows picked with -1 (an
 * outer join's missing side) read as null: only then are the parent's `hasNulls` not enough.
 */
function pickedBounds(
  parent: () => NumberBounds | undefined,
  rows: ArrayLike<number>,
): () => NumberBounds | undefined {
  let fills: boolean | undefined;
  return () => {
    const b = parent();
    if (!b) return undefined;
    fills ??= Array.prototype.some.call(rows, (r: number) => r < 0);
    return fills ? { ...b, hasNulls: true } : b;
  };
}

/** A new frame holding the given rows (by index) of every column; `-1` reads as null. */
export function takeRows(frame: Frame, rows: ArrayLike<number>): Frame {
  const columns = frame.columns.map((c) => pickColumn(c, rows, frame.length));
  return { columns, length: rows.length, serialized: frame.serialized };
}

/** The first `n` rows. */
export function sliceRows(frame: Frame, n: number): Frame {
  const count = Math.max(0, Math.min(n, frame.length));
  if (count === frame.length) return frame;
  return {
    columns: frame.columns.map((c) => lazyColumn(c.name, c.type, () => c.data.slice(0, count))),
    length: count,
    serialized: frame.serialized,
  };
}
