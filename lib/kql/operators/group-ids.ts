/**
 * Group ids for `summarize` and `make-series`: arquero's `groupby` hashes the key columns and
 * gives each row its group index and each group a representative row.
 */
import type { Value } from '../engine/values.js';
import { aq } from '../engine/arquero.js';

export interface Grouping {
  /** Group index per input row. */
  gid: ArrayLike<number>;
  /** Number of groups. */
  groups: number;
  /** A row of each group (to read the key values from). */
  firstRow: ArrayLike<number>;
}

/** Groups rows by the key columns; with no keys every row is in the single group 0. */
export function groupRows(keys: Value[][], rows: number): Grouping {
  if (keys.length === 0) return { gid: new Uint32Array(rows), groups: 1, firstRow: [0] };
  if (rows === 0) return { gid: new Uint32Array(0), groups: 0, firstRow: [] };
  const spec: Record<string, Value[]> = {};
  const names = keys.map((k, i) => {
    spec[`k${i}`] = k;
    return `k${i}`;
  });
  const g = aq()
    .table(spec)
    .groupby(...names)
    .groups();
  if (!g) return { gid: new Uint32Array(rows), groups: 1, firstRow: [0] };
  return { gid: g.keys, groups: g.size, firstRow: g.rows };
}
