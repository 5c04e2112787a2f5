/**
 * The code of each distinct string of a dictionary, in typed arrays: an open-addressing
 * table of codes and a hash per code. A `Map<string, number>` costs about 45 bytes of
 * pointer-holding heap per entry, which at millions of distinct values (a month of
 * CorrelationIds) is most of the store's heap and what every full garbage collection walks;
 * these arrays cost 12 bytes per entry and hold no pointers. The log store keeps one per
 * string column and shares it with the engine for the dictionary it hands over.
 */

import { entryOf, type Dictionary, type PackedStorage } from './packed-strings.js';

const EMPTY = 0;

/** FNV-1a over UTF-16 code units, as an int32 (what the hash array holds, so they compare). */
function hashOf(text: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * Finds and adds codes of the strings of a dictionary the caller holds and passes in (it may
 * swap the array for a copy with the same entries).
 */
export class StringIndex {
  /** Code + 1 per slot, 0 when empty; the length is a power of two. */
  private slots = new Int32Array(64);
  /** The hash of each code's string. */
  private hashes = new Int32Array(64);
  private count = 0;

  /** The code of `text` in `dict`, or -1. */
  get(text: string, dict: Dictionary | PackedStorage): number {
    const h = hashOf(text);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === EMPTY) return -1;
      if (this.hashes[s - 1] === h && entryOf(dict, s - 1) === text) return s - 1;
    }
  }

  /**
   * Records that `dict[code]` (pushed by the caller) has `code`. A string indexed already keeps
   * its first code.
   */
  add(code: number, dict: Dictionary | PackedStorage): void {
    const text = entryOf(dict, code)!;
    const h = hashOf(text);
    if (code >= this.hashes.length) {
      const grown = new Int32Array(Math.max(code + 1, this.hashes.length * 2));
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[code] = h;
    if ((this.count + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === EMPTY) {
        this.slots[i] = code + 1;
        this.count++;
        return;
      }
      if (this.hashes[s - 1] === h && entryOf(dict, s - 1) === text) return;
    }
  }

  private rehash(size: number): void {
    const old = this.slots;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let j = 0; j < old.length; j++) {
      const s = old[j]!;
      if (s === EMPTY) continue;
      let i = this.hashes[s - 1]! & mask;
      while (slots[i] !== EMPTY) i = (i + 1) & mask;
      slots[i] = s;
    }
    this.slots = slots;
  }
}

const shared = new WeakMap<Dictionary, StringIndex>();

/**
 * Lets readers of `dict` look its strings up in `index`. The index may know more strings
 * than `dict` holds (added for a longer copy of it): those read as absent.
 */
export function shareIndex(dict: Dictionary, index: StringIndex): void {
  shared.set(dict, index);
}

/** Whether `dict` has an index already (shared by the store, or built by a lookup). */
export function hasDictionaryCode(dict: Dictionary): boolean {
  return shared.has(dict);
}

/** The first code of each string of `dict`, or -1 (built once per array, or the shared one). */
export function dictionaryCode(dict: Dictionary): (text: string) => number {
  let index = shared.get(dict);
  if (!index) {
    index = new StringIndex();
    for (let c = 0; c < dict.length; c++) index.add(c, dict);
    shared.set(dict, index);
  }
  const found = index;
  return (text) => found.get(text, dict);
}
