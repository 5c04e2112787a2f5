/**
 * Dictionaries of many distinct strings, packed: every {@link CHUNK} strings are joined into
 * one flat string, with an end offset per entry in a typed array.
 *
 * Why: V8's full garbage collection marks every live string, one object at a time, and starts
 * one for every 64 MB of new typed arrays whatever the heap's size. A month of gateway logs
 * holds one `CorrelationId` per row: at 10M rows, 10M strings that every collection of every
 * query walked (1M rows ran 6x slower beside 9M such strings; beside the same bytes in 138
 * chunk strings, not measurably slower). Packed, they are a few hundred objects.
 *
 * An entry read back is a slice of its chunk, made when asked for: a small young object that
 * dies with the query (a column decoded whole is 10M of them, so the engine reads codes).
 */

const SHIFT = 14;
/** Strings per chunk. */
export const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

/** A dictionary of the engine and the store: row `r` of a column reads `dict[codes[r]]`. */
export type Dictionary = readonly string[] | PackedStrings;

/** Append-only storage of packed strings; {@link PackedStrings} views a prefix of it. */
export class PackedStorage {
  private readonly chunks: string[] = [];
  /** End offset within its chunk, per entry of a sealed chunk. */
  private ends = new Int32Array(CHUNK);
  /** The entries after the last chunk, as strings until there are {@link CHUNK} of them. */
  private tail: string[] = [];
  private count = 0;

  /** Entries pushed so far. */
  get length(): number {
    return this.count;
  }

  /** Adds `text` as the next entry. */
  push(text: string): void {
    this.tail.push(text);
    this.count++;
    if (this.tail.length === CHUNK) this.seal();
  }

  /** Entry `code`, or `undefined` past the end. */
  at(code: number): string | undefined {
    if (code >= this.count) return undefined;
    const chunk = code >>> SHIFT;
    if (chunk >= this.chunks.length) return this.tail[code & MASK]!;
    const start = (code & MASK) === 0 ? 0 : this.ends[code - 1]!;
    return this.chunks[chunk]!.slice(start, this.ends[code]);
  }

  private seal(): void {
    const base = this.chunks.length << SHIFT;
    if (base + CHUNK > this.ends.length) {
      const grown = new Int32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    let end = 0;
    for (let i = 0; i < CHUNK; i++) {
      end += this.tail[i]!.length;
      this.ends[base + i] = end;
    }
    this.chunks.push(this.tail.join(''));
    this.tail = [];
  }
}

/**
 * The first `length` entries of a {@link PackedStorage}. It never changes: later pushes to the
 * storage lie beyond it, so the engine may cache work per dictionary object as it does for
 * arrays.
 */
export class PackedStrings {
  /** Entries: the packed ones and the extra ones. */
  readonly length: number;
  /**
   * @param packed how many entries of `storage` come first
   * @param extra entries after them (a union or an outer join adds a few to a store's)
   */
  constructor(
    private readonly storage: PackedStorage,
    private readonly packed: number,
    private readonly extra: readonly string[] = [],
  ) {
    if (packed > storage.length)
      throw new RangeError(`a view of ${packed} entries of ${storage.length} packed strings`);
    this.length = packed + extra.length;
  }

  /** Entry `code`, or `undefined` outside `[0, length)` (as `Array.prototype.at` for codes). */
  at(code: number): string | undefined {
    if (code >= 0 && code < this.packed) return this.storage.at(code);
    return code >= this.packed ? this.extra[code - this.packed] : undefined;
  }

  /** This dictionary with `more` entries after its own. */
  extended(more: readonly string[]): PackedStrings {
    return new PackedStrings(this.storage, this.packed, [...this.extra, ...more]);
  }
}

/** `dict` followed by `more` (a new dictionary; `dict` is left as it is). */
export function extendDictionary(dict: Dictionary, more: readonly string[]): Dictionary {
  if (more.length === 0) return dict;
  return dict instanceof PackedStrings ? dict.extended(more) : [...dict, ...more];
}

/** Entry `code` of a dictionary or of packed storage (`undefined` past its end). */
export function entryOf(dict: Dictionary | PackedStorage, code: number): string | undefined {
  return dict instanceof PackedStrings || dict instanceof PackedStorage
    ? dict.at(code)
    : dict[code];
}

/** The entries as an array (a packed dictionary builds one: for small ones, or rare paths). */
export function dictionaryArray(dict: Dictionary): readonly string[] {
  if (!(dict instanceof PackedStrings)) return dict;
  const out = new Array<string>(dict.length);
  for (let c = 0; c < dict.length; c++) out[c] = dict.at(c)!;
  return out;
}

/** Strings as a dictionary: packed when there are more than {@link PACK_ABOVE}. */
export function packDictionary(strings: readonly string[]): Dictionary {
  if (strings.length <= PACK_ABOVE) return strings;
  const storage = new PackedStorage();
  for (const s of strings) storage.push(s);
  return new PackedStrings(storage, storage.length);
}

/**
 * Dictionaries up to this size stay arrays: their strings are few next to the heap, and an
 * array reads an entry without making a string.
 */
export const PACK_ABOVE = 4 * CHUNK;

/** Fills `out[i]` with the entry of `codes[i]`, reading the dictionary in its own loop. */
export function decodeCodes(
  dict: Dictionary,
  codes: ArrayLike<number>,
  out: unknown[],
  n = codes.length,
): void {
  if (dict instanceof PackedStrings) for (let i = 0; i < n; i++) out[i] = dict.at(codes[i]!);
  else for (let i = 0; i < n; i++) out[i] = dict[codes[i]!];
}
