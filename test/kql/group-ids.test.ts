/**
 * Group ids (operators/group-ids.ts) for one to four keys, through the fused one-table pass
 * (small key spaces) and the pairwise path (a key too wide for the table): every row's group
 * is the one of its key tuple, groups are numbered in order of first appearance, and each
 * group's representative row is its first. The reference groups tuples by their JSON text.
 */
import { describe, expect, test } from 'vitest';
import { groupRows } from '../../lib/kql/operators/group-ids.js';
import type { Value } from '../../lib/kql/engine/values.js';

function reference(keys: Value[][], rows: number): { gid: number[]; firstRow: number[] } {
  const index = new Map<string, number>();
  const gid: number[] = [];
  const firstRow: number[] = [];
  for (let r = 0; r < rows; r++) {
    const k = JSON.stringify(keys.map((col) => col[r]));
    let g = index.get(k);
    if (g === undefined) {
      g = index.size;
      index.set(k, g);
      firstRow.push(r);
    }
    gid.push(g);
  }
  return { gid, firstRow };
}

/** A small deterministic generator (the same keys every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const rows = 3000;
const rand = lcg(7);
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
const day = Array.from({ length: rows }, () => pick([0, 86_400_000, 172_800_000, 259_200_000]));
const bu = Array.from({ length: rows }, () => pick<Value>(['bu-hr', 'bu-it', null, 'bu-ops']));
const model = Array.from({ length: rows }, () => pick(['gpt-4o', 'gpt-4o-mini', '']));
const flag = Array.from({ length: rows }, () => pick<Value>([true, false, null]));
// Distinct per row: two of them multiply past the fused table's cells (9M > 4M).
const wide = Array.from({ length: rows }, (_v, i) => `req-${(i * 7919) % rows}`);
const wider = Array.from({ length: rows }, (_v, i) => (i * 104729) % rows);

describe('groupRows', () => {
  test.each([
    ['two keys', [day, bu]],
    ['three keys', [day, bu, model]],
    ['four keys', [model, day, flag, bu]],
    ['a wide key', [wide, bu, model]],
    ['two wide keys (pairwise path)', [wide, bu, wider]],
    ['two wide keys last (pairwise path)', [bu, wider, wide]],
  ])('%s: group per tuple, numbered by first appearance', (_name, keys) => {
    const g = groupRows(keys as Value[][], rows);
    const want = reference(keys as Value[][], rows);
    expect(Array.from(g.gid)).toEqual(want.gid);
    expect(g.groups).toBe(want.firstRow.length);
    expect(Array.from(g.firstRow)).toEqual(want.firstRow);
  });
});
