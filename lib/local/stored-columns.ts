/**
 * The log store's columns: append-only, one typed array per column, no object per row. A
 * month of gateway logs is millions of rows of 59 columns, most of them a handful of distinct
 * strings or empty: row objects cost about 1 KB each, these columns a few bytes.
 * - strings: a dictionary and codes, 1 byte per row while there are at most 256 distinct
 *   values, 2 up to 65,536, then 4; the engine joins and groups on the codes;
 * - numbers, datetimes (epoch ms) and timespans (ms): a Float64Array, with a null mask only
 *   once a null follows a number;
 * - bools: an Int8Array (-1 null); dynamic: the parsed values.
 * A column with nothing but empty values holds no array at all.
 */
import type { CodeArray, StoredColumn } from '../kql/log-tables.js';
import type { KqlValue } from '../target.js';
import { shareIndex, StringIndex } from '../kql/string-index.js';
import {
  entryOf,
  PACK_ABOVE,
  PackedStorage,
  PackedStrings,
  type Dictionary,
} from '../kql/packed-strings.js';

/** A growable column of one schema type. */
export interface AppendColumn {
  readonly name: string;
  readonly type: string;
  /** Appends one stored value (`undefined` or `null`: the type's empty value). */
  push(v: KqlValue | undefined): void;
  /** The value of row `r` as a row object holds it (datetimes as ISO strings). */
  get(r: number): KqlValue;
  /** The first `n` rows, for the engine. Stable: later appends never change what it returned. */
  view(n: number): StoredColumn;
}

/** The column for a schema type. */
export function appendColumn(name: string, type: string): AppendColumn {
  switch (type) {
    case 'string':
    case 'guid':
      return new DictColumn(name, type);
    case 'int':
    case 'long':
    case 'real':
    case 'decimal':
    case 'timespan':
    case 'datetime':
      return new NumberColumn(name, type);
    case 'bool':
      return new BoolColumn(name, type);
    default:
      return new ValuesColumn(name, type);
  }
}

/**
 * A column holding `stored`'s rows first (read from the sealed store), ready for more.
 * A dictionary column takes the codes and dictionary as they are.
 */
export function appendColumnFrom(name: string, type: string, stored: StoredColumn): AppendColumn {
  const col = appendColumn(name, type);
  if (col instanceof DictColumn && stored.kind === 'dict') {
    col.adopt(stored.codes, stored.dict);
    return col;
  }
  switch (stored.kind) {
    case 'dict':
      for (let i = 0; i < stored.codes.length; i++)
        col.push(entryOf(stored.dict, stored.codes[i]!)!);
      break;
    case 'number':
      for (let i = 0; i < stored.values.length; i++)
        col.push(stored.nulls?.[i] === 1 ? null : stored.values[i]!);
      break;
    case 'bool':
      for (let i = 0; i < stored.values.length; i++) {
        const b = stored.values[i]!;
        col.push(b === -1 ? null : b === 1);
      }
      break;
    default:
      for (let i = 0; i < stored.values.length; i++) col.push(stored.values[i]!);
  }
  return col;
}

const INITIAL = 1024;

function grow<T extends CodeArray | Int8Array | Float64Array>(
  a: T,
  need: number,
  make: (n: number) => T,
): T {
  if (need <= a.length) return a;
  const b = make(Math.max(need, a.length * 2, INITIAL));
  b.set(a);
  return b;
}

class DictColumn implements AppendColumn {
  /** The distinct values: an array while few, packed past {@link PACK_ABOVE}. */
  private entries: string[] | PackedStorage = [''];
  private index = new StringIndex();
  /** The dictionary last handed to the engine (never changed after: copy on write). */
  private handed: Dictionary | undefined;
  /** `undefined` while every row is `''` (code 0). */
  private codes: CodeArray | undefined;
  private length = 0;
  private frozen: { n: number; view: StoredColumn } | undefined;
  constructor(
    readonly name: string,
    readonly type: string,
  ) {
    this.index.add(0, this.entries);
  }

  /** Starts from existing codes and dictionary (the column must be empty). */
  adopt(codes: CodeArray, dict: Dictionary): void {
    this.entries = [];
    this.index = new StringIndex();
    this.handed = undefined;
    for (let c = 0; c < dict.length; c++) this.addEntry(entryOf(dict, c)!);
    if (this.index.get('', this.entries) < 0) this.addEntry('');
    // Room for appends, in the width the codes came in (widened on push when needed).
    this.codes = sameKind(codes, Math.max(INITIAL, codes.length + (codes.length >> 3)));
    this.codes.set(codes);
    this.length = codes.length;
  }

  push(v: KqlValue | undefined): void {
    const text = typeof v === 'string' ? v : v === undefined || v === null ? '' : textOf(v);
    let code = this.index.get(text, this.entries);
    if (code < 0) code = this.addEntry(text);
    if (this.codes === undefined && code !== 0) this.codes = new Uint8Array(INITIAL);
    if (this.codes !== undefined) {
      if (code > 0xffff && !(this.codes instanceof Int32Array)) this.codes = widen(this.codes, 4);
      else if (code > 0xff && this.codes instanceof Uint8Array) this.codes = widen(this.codes, 2);
      this.codes = grow(this.codes, this.length + 1, (n) => sameKind(this.codes!, n));
      this.codes[this.length] = code;
    }
    this.length++;
  }

  /** Adds a value not in the dictionary; returns its code. */
  private addEntry(text: string): number {
    let entries = this.entries;
    // The engine caches work per dictionary: one it holds must never change.
    if (entries === this.handed) entries = (entries as string[]).slice();
    if (Array.isArray(entries) && entries.length >= PACK_ABOVE) {
      const packed = new PackedStorage();
      for (const e of entries) packed.push(e);
      entries = packed;
    }
    this.entries = entries;
    const code = entries.length;
    entries.push(text);
    this.index.add(code, entries);
    return code;
  }

  get(r: number): KqlValue {
    return entryOf(this.entries, this.codes?.[r] ?? 0)!;
  }

  view(n: number): StoredColumn {
    if (this.frozen?.n === n) return this.frozen.view;
    const entries = this.entries;
    // A packed dictionary is handed as a view of its storage's first entries: later pushes lie
    // beyond it. The same view serves until a value is added, as the array does.
    if (this.handed === undefined || this.handed.length !== entries.length)
      this.handed =
        entries instanceof PackedStorage ? new PackedStrings(entries, entries.length) : entries;
    shareIndex(this.handed, this.index);
    // The codes as they are stored, 1, 2 or 4 bytes a row: a view, never a copy.
    const codes = this.codes === undefined ? new Uint8Array(n) : this.codes.subarray(0, n);
    const view: StoredColumn = { kind: 'dict', codes, dict: this.handed };
    this.frozen = { n, view };
    return view;
  }
}

/** `codes` in the narrowest array that holds codes below `cardinality`. */
export function codeArray(codes: ArrayLike<number>, cardinality: number): CodeArray {
  if (cardinality <= 0x100) return Uint8Array.from(codes);
  if (cardinality <= 0x10000) return Uint16Array.from(codes);
  return Int32Array.from(codes);
}

function widen(a: CodeArray, bytes: 2 | 4): Uint16Array | Int32Array {
  const b = bytes === 2 ? new Uint16Array(a.length) : new Int32Array(a.length);
  b.set(a);
  return b;
}

function sameKind(a: CodeArray, n: number) {
  return a instanceof Uint8Array
    ? new Uint8Array(n)
    : a instanceof Uint16Array
      ? new Uint16Array(n)
      : new Int32Array(n);
}

function textOf(v: KqlValue): string {
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

class NumberColumn implements AppendColumn {
  /** `undefined` while every row is null. */
  private values: Float64Array | undefined;
  private nulls: Uint8Array | undefined;
  private length = 0;
  constructor(
    readonly name: string,
    readonly type: string,
  ) {}

  push(v: KqlValue | undefined): void {
    const x = toNumber(v, this.type);
    const r = this.length++;
    if (x === null) {
      if (this.values === undefined) return;
      this.nulls = grow(this.nulls ?? new Uint8Array(0), r + 1, (n) => new Uint8Array(n));
      this.nulls[r] = 1;
      return;
    }
    if (this.values === undefined) {
      this.values = new Float64Array(Math.max(INITIAL, r + 1));
      if (r > 0) {
        this.nulls = new Uint8Array(this.values.length);
        this.nulls.fill(1, 0, r);
      }
    }
    this.values = grow(this.values, r + 1, (n) => new Float64Array(n));
    this.values[r] = x;
  }

  get(r: number): KqlValue {
    if (this.values === undefined || this.nulls?.[r] === 1) return null;
    const x = this.values[r]!;
    return this.type === 'datetime' ? new Date(x).toISOString() : x;
  }

  view(n: number): StoredColumn {
    if (this.values === undefined)
      return { kind: 'number', values: new Float64Array(n), nulls: new Uint8Array(n).fill(1) };
    const nulls = this.nulls ? padded(this.nulls, n) : undefined;
    return { kind: 'number', values: this.values.subarray(0, n), nulls };
  }
}

/** The first `n` entries of a mask that may be shorter than `n` (missing: 0). */
function padded(mask: Uint8Array, n: number): Uint8Array {
  if (mask.length >= n) return mask.subarray(0, n);
  const out = new Uint8Array(n);
  out.set(mask);
  return out;
}

function toNumber(v: KqlValue | undefined, type: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  if (type === 'datetime' && typeof v === 'string') {
    const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
    return Number.isNaN(ms) ? null : ms;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
}

class BoolColumn implements AppendColumn {
  private values = new Int8Array(0);
  private length = 0;
  private any = false;
  constructor(
    readonly name: string,
    readonly type: string,
  ) {}

  push(v: KqlValue | undefined): void {
    const b =
      v === true || v === 'true' || v === 1 ? 1 : v === false || v === 'false' || v === 0 ? 0 : -1;
    const r = this.length++;
    if (b === -1 && !this.any) return;
    if (!this.any) {
      this.any = true;
      this.values = new Int8Array(Math.max(INITIAL, r + 1)).fill(-1);
    }
    if (r >= this.values.length) {
      const next = new Int8Array(Math.max(r + 1, this.values.length * 2)).fill(-1);
      next.set(this.values);
      this.values = next;
    }
    this.values[r] = b;
  }

  get(r: number): KqlValue {
    const b = this.any ? this.values[r]! : -1;
    return b === -1 ? null : b === 1;
  }

  view(n: number): StoredColumn {
    if (!this.any) return { kind: 'bool', values: new Int8Array(n).fill(-1) };
    return { kind: 'bool', values: this.values.subarray(0, n) };
  }
}

class ValuesColumn implements AppendColumn {
  /** `undefined` while every row is null. */
  private values: KqlValue[] | undefined;
  private length = 0;
  private frozen: { n: number; view: StoredColumn } | undefined;
  constructor(
    readonly name: string,
    readonly type: string,
  ) {}

  push(v: KqlValue | undefined): void {
    const r = this.length++;
    if (v === undefined || v === null) {
      if (this.values) this.values.push(null);
      return;
    }
    if (!this.values) this.values = new Array<KqlValue>(r).fill(null);
    this.values.push(v);
  }

  get(r: number): KqlValue {
    return this.values?.[r] ?? null;
  }

  view(n: number): StoredColumn {
    if (this.frozen?.n === n) return this.frozen.view;
    const values = this.values ? this.values.slice(0, n) : new Array<KqlValue>(n).fill(null);
    const view: StoredColumn = { kind: 'values', values };
    this.frozen = { n, view };
    return view;
  }
}
