/**
 * Join and lookup keys: `on Col` (same name both sides) or `on $left.A == $right.B`, and the
 * matching row pairs. The hash join is our own: arquero's join quotes every key into a new
 * string, which took 1.5 s of a 1.6 s join of 1M x 100K rows in the benchmark; a Map on the
 * raw values does the same match in a fraction of that.
 */
import { elements, kindName, prop, type KNode } from '../kusto-language.js';
import type { ExecContext } from '../engine/context.js';
import { columnIndex, type Frame } from '../engine/frame.js';
import { valueKey, type Value } from '../engine/values.js';
import { matchCodes, semiCodes, stringKey, withUnmatchedRight } from './join-codes.js';
import { unsupportedAt } from './common.js';

export interface JoinKeys {
  left: string[];
  right: string[];
}

function sideColumn(node: KNode): { side: string; name: string } | undefined {
  if (kindName(node) !== 'PathExpression') return undefined;
  const target = prop(node, 'Expression')!;
  const side = String(target['SimpleName'] ?? '');
  const name = String(prop(node, 'Selector')!['SimpleName'] ?? '');
  return side === '$left' || side === '$right' ? { side, name } : undefined;
}

/** Reads the `on` clause of a join or lookup. */
export function joinKeys(clause: KNode | undefined, ctx: ExecContext): JoinKeys {
  const keys: JoinKeys = { left: [], right: [] };
  if (!clause || kindName(clause) !== 'JoinOnClause') {
    return unsupportedAt(ctx, clause ?? ({ TextStart: 0 } as KNode), 'expression', 'join where');
  }
  // `a == b and c == d` is the same as `a == b, c == d` (the join page).
  const conditions: KNode[] = [];
  const flatten = (e: KNode): void => {
    if (kindName(e) !== 'AndExpression') conditions.push(e);
    else for (const side of ['Left', 'Right']) flatten(prop(e, side)!);
  };
  elements(prop(clause, 'Expressions')).forEach(flatten);
  for (const e of conditions) {
    const kind = kindName(e);
    if (kind === 'NameReference') {
      const n = String(e['SimpleName']);
      keys.left.push(n);
      keys.right.push(n);
      continue;
    }
    if (kind === 'EqualExpression') {
      const a = sideColumn(prop(e, 'Left')!);
      const b = sideColumn(prop(e, 'Right')!);
      if (a && b && a.side !== b.side) {
        const l = a.side === '$left' ? a : b;
        const r = a.side === '$left' ? b : a;
        keys.left.push(l.name);
        keys.right.push(r.name);
        continue;
      }
    }
    unsupportedAt(ctx, e, 'expression', e.ToString(0).trim());
  }
  return keys;
}

/** The key columns of a frame, by name (a missing column reads as nulls). */
function keyColumns(frame: Frame, names: string[]): Value[][] {
  return names.map((n) => {
    const idx = columnIndex(frame, n);
    return idx >= 0 ? frame.columns[idx]!.data : new Array<Value>(frame.length).fill(null);
  });
}

/** A hashable key of a row: the value itself for one key column, a tagged text for several; null keys never match. */
function rowKeyFn(cols: Value[][]): (row: number) => unknown {
  if (cols.length === 1) {
    const c = cols[0]!;
    return (r) => {
      const v = c[r]!;
      return v !== null && typeof v === 'object' ? valueKey(v) : v;
    };
  }
  return (r) => {
    let k = '';
    for (const c of cols) {
      const v = c[r]!;
      if (v === null) return null;
      k += `${valueKey(v)}\u0001`;
    }
    return k;
  };
}

/** Row pairs of an equi-join; `-1` marks the missing side of an outer row. */
export interface RowPairs {
  left: ArrayLike<number>;
  right: ArrayLike<number>;
}

/**
 * Matches rows on equal keys with a hash table on the right side, scanning the left side in
 * order. `uniqueLeft` keeps only the first left row of each key (Kusto's innerunique);
 * `keepLeft` / `keepRight` add unmatched rows (outer joins).
 */
export function matchRows(
  left: Frame,
  leftKeys: string[],
  right: Frame,
  rightKeys: string[],
  options: { uniqueLeft?: boolean; keepLeft?: boolean; keepRight?: boolean } = {},
): RowPairs {
  const encL = stringKey(left, leftKeys);
  const encR = encL && stringKey(right, rightKeys);
  if (encL && encR) return matchCodes(encL, encR, options);
  const keyL = rowKeyFn(keyColumns(left, leftKeys));
  const keyR = rowKeyFn(keyColumns(right, rightKeys));
  const table = new Map<unknown, number[]>();
  for (let r = 0; r < right.length; r++) {
    const k = keyR(r);
    if (k === null) continue;
    const list = table.get(k);
    if (list) list.push(r);
    else table.set(k, [r]);
  }
  const mayMatch = stringFilter(table, left.length);
  const hitR = options.keepRight ? new Uint8Array(right.length) : undefined;
  const seen = options.uniqueLeft ? new Set<unknown>() : undefined;
  const outL: number[] = [];
  const outR: number[] = [];
  for (let l = 0; l < left.length; l++) {
    const k = keyL(l);
    if (seen) {
      if (k === null || seen.has(k)) continue;
      seen.add(k);
    }
    const list = k === null || (mayMatch && !mayMatch(k)) ? undefined : table.get(k);
    if (list) {
      for (const r of list) {
        outL.push(l);
        outR.push(r);
        if (hitR) hitR[r] = 1;
      }
    } else if (options.keepLeft) {
      outL.push(l);
      outR.push(-1);
    }
  }
  return withUnmatchedRight(outL, outR, hitR);
}

/** FNV-1a over a string's UTF-16 code units. */
function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A one-hash Bloom filter over the build side's string keys, used when the probe side is much
 * larger: most probes of a 1M x 100K join miss, and a miss in a 100K-entry Map costs several
 * cache misses, while this filter (8 bits per key, about 12% false positives) fits in cache.
 * Returns `undefined` when it would not pay off (small probe side or non-string keys).
 */
function stringFilter(
  keys: { readonly size: number; keys(): Iterable<unknown> },
  probes: number,
): ((k: unknown) => boolean) | undefined {
  if (probes < 4 * keys.size || keys.size === 0) return undefined;
  let bits = 1024;
  while (bits < keys.size * 8) bits *= 2;
  const mask = bits - 1;
  const set = new Uint32Array(bits >>> 5);
  for (const k of keys.keys()) {
    if (typeof k !== 'string') return undefined;
    const h = stringHash(k) & mask;
    set[h >>> 5]! |= 1 << (h & 31);
  }
  return (k) => {
    if (typeof k !== 'string') return true;
    const h = stringHash(k) & mask;
    return (set[h >>> 5]! & (1 << (h & 31))) !== 0;
  };
}

/** Rows of `frame` whose key has (or, with `negate`, has no) match in `other`. */
export function semiRows(
  frame: Frame,
  keys: string[],
  other: Frame,
  otherKeys: string[],
  negate: boolean,
): number[] {
  const encF = stringKey(frame, keys);
  const encO = encF && stringKey(other, otherKeys);
  if (encF && encO) return semiCodes(encF, encO, negate);
  const keyF = rowKeyFn(keyColumns(frame, keys));
  const keyO = rowKeyFn(keyColumns(other, otherKeys));
  const present = new Set<unknown>();
  for (let r = 0; r < other.length; r++) {
    const k = keyO(r);
    if (k !== null) present.add(k);
  }
  const mayMatch = stringFilter(present, frame.length);
  const out: number[] = [];
  for (let r = 0; r < frame.length; r++) {
    const k = keyF(r);
    const hit = k !== null && (!mayMatch || mayMatch(k)) && present.has(k);
    if (hit !== negate) out.push(r);
  }
  return out;
}
