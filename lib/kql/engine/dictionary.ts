/**
 * Dictionary-encoded string columns: row `r` holds `dict[codes[r]]`. Grouping and joins on a
 * string key compare integers instead of hashing strings per row (a 1M-row `CorrelationId`
 * join or `summarize by CorrelationId` spent most of its time in string-keyed Maps).
 *
 * A column gets its encoding one of three ways, all read through `encodingOf`:
 * - from the source: a store that already holds `{ codes: Int32Array, dict: string[] }` builds
 *   the column with `encodedColumn` (values decode lazily, only if an operator reads them);
 * - from its parent: columns made by picking rows (`where`, `join`, `take`) or renaming
 *   gather their parent's codes (`Column.encode`), so the dictionary is shared;
 * - by hashing its values once, on first use as a key.
 * Encodings are cached per column object; source tables' frames are cached across queries, so
 * a table's key column is hashed once per table version.
 */
import type { Column, DictEncoding } from './frame.js';
import type { Value } from './values.js';
import { dictionaryCode, hasDictionaryCode } from '../string-index.js';
import { decodeCodes, entryOf, extendDictionary, type Dictionary } from '../packed-strings.js';

const encodings = new WeakMap<Column, DictEncoding | null>();

/** The encoding of a string column (computed and cached on first use), or `undefined`. */
export function encodingOf(col: Column): DictEncoding | undefined {
  if (col.type !== 'string') return undefined;
  let e = encodings.get(col);
  if (e === undefined) {
    e = col.encode?.() ?? encodeValues(col.data) ?? null;
    encodings.set(col, e);
  }
  return e ?? undefined;
}

/** The encoding if it is already known (never computes one). */
export function knownEncoding(col: Column): DictEncoding | undefined {
  return encodings.get(col) ?? undefined;
}

/** Hashes string values into codes and a dictionary (first-appearance order); `undefined` if a value is not a string. */
export function encodeValues(data: ArrayLike<Value>): DictEncoding | undefined {
  const n = data.length;
  const codes = new Int32Array(n);
  const index = new Map<string, number>();
  const dict: string[] = [];
  for (let r = 0; r < n; r++) {
    const v = data[r];
    if (typeof v !== 'string') return undefined;
    let c = index.get(v);
    if (c === undefined) {
      c = dict.length;
      index.set(v, c);
      dict.push(v);
    }
    codes[r] = c;
  }
  return { codes, dict };
}

/**
 * The codes of `rows` of an encoding; `-1` in `rows` reads as `fill` (an outer join's missing
 * side), added to the dictionary if it is not in it.
 */
export function gatherEncoding(
  enc: DictEncoding,
  rows: ArrayLike<number>,
  fill = '',
): DictEncoding {
  const n = rows.length;
  // As narrow as the dictionary (and the fill it may gain) allows: at 10M picked rows of a
  // 5-value column, 10 MB to write and read on instead of 40.
  const width = enc.dict.length + 1;
  const codes =
    width <= 0x100 ? new Uint8Array(n) : width <= 0x10000 ? new Uint16Array(n) : new Int32Array(n);
  const src = enc.codes;
  let dict = enc.dict;
  let fillCode = -1;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r >= 0) {
      codes[i] = src[r]!;
      continue;
    }
    if (fillCode < 0) {
      const known = dictionaryCode(dict)(fill);
      if (known >= 0) fillCode = known;
      else {
        dict = extendDictionary(dict, [fill]);
        fillCode = dict.length - 1;
      }
    }
    codes[i] = fillCode;
  }
  return { codes, dict };
}

/** A string column held as codes and a dictionary (what a columnar store can hand over). */
export function encodedColumn(name: string, enc: DictEncoding): Column {
  let data: Value[] | undefined;
  const col: Column = {
    name,
    type: 'string',
    get data(): Value[] {
      if (!data) {
        const { codes, dict } = enc;
        data = new Array<Value>(codes.length);
        decodeCodes(dict, codes, data);
      }
      return data;
    },
    set data(v: Value[]) {
      data = v;
    },
    encode: () => enc,
    cheapEncoding: true,
  };
  return col;
}

const mappings = new WeakMap<Dictionary, WeakMap<Dictionary, Int32Array>>();

/**
 * For each code of dictionary `from`, the code of the same string in `to` (or -1). Cached per
 * pair of dictionaries: a join of the same two tables maps them once.
 */
export function mapDictionary(from: Dictionary, to: Dictionary): Int32Array {
  let perFrom = mappings.get(from);
  if (!perFrom) {
    perFrom = new WeakMap();
    mappings.set(from, perFrom);
  }
  let map = perFrom.get(to);
  if (map) return map;
  map = new Int32Array(from.length).fill(-1);
  // With both indexed (a store shares its dictionaries' indexes), the smaller one's strings are
  // looked up: mapping the gateway's 10M keys onto the LLM log's 1M read 1M packed entries.
  const toIndexed = hasDictionaryCode(to);
  const fromIndexed = hasDictionaryCode(from);
  const useTo =
    toIndexed && fromIndexed
      ? from.length <= to.length
      : toIndexed || (!fromIndexed && to.length <= from.length);
  if (useTo) {
    const code = dictionaryCode(to);
    for (let c = 0; c < from.length; c++) map[c] = code(entryOf(from, c)!);
  } else {
    const code = dictionaryCode(from);
    for (let c = 0; c < to.length; c++) {
      const f = code(entryOf(to, c)!);
      if (f >= 0 && map[f] === -1) map[f] = c;
    }
  }
  perFrom.set(to, map);
  return map;
}
