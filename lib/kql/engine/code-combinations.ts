/**
 * Numbers the combinations of several columns' integer codes that the rows hold, in order of
 * first appearance, through one table of every possible combination: what grouping by
 * several small keys (operators/group-ids.ts) and evaluating an expression once per
 * combination of encoded columns (dict-eval.ts) both need, in one pass over the rows.
 */
import type { CodeArray } from '../log-tables.js';

/** Most cells (the product of the widths) the table may have. */
export const COMBINATION_CELLS = 1 << 22;

export interface CodeKey {
  codes: CodeArray;
  /** Codes are in 0..width-1. */
  width: number;
}

/** The product of the keys' widths, or `Infinity` past {@link COMBINATION_CELLS}. */
export function combinationCells(keys: readonly CodeKey[]): number {
  let cells = 1;
  for (const k of keys) {
    cells *= k.width;
    if (cells > COMBINATION_CELLS) return Infinity;
  }
  return cells;
}

/**
 * The combination id of each row and the first row of each id; `undefined` when the table
 * would exceed {@link COMBINATION_CELLS}.
 */
export function combinationIds(
  keys: readonly CodeKey[],
  rows: number,
): { ids: Int32Array; first: number[] } | undefined {
  const cells = combinationCells(keys);
  if (cells === Infinity || keys.length === 0) return undefined;
  const table = new Int32Array(cells).fill(-1);
  const ids = new Int32Array(rows);
  const first: number[] = [];
  // Up to three keys are read through locals: a loop over `keys` per row made an iterator
  // object per row when not optimized (100 MB of garbage over 3M rows).
  const [a, b, c] = keys;
  const wb = b?.width ?? 1;
  const wc = c?.width ?? 1;
  for (let r = 0; r < rows; r++) {
    let cell = (a!.codes[r]! * wb + (b ? b.codes[r]! : 0)) * wc + (c ? c.codes[r]! : 0);
    for (let k = 3; k < keys.length; k++) cell = cell * keys[k]!.width + keys[k]!.codes[r]!;
    let id = table[cell]!;
    if (id < 0) {
      id = first.length;
      table[cell] = id;
      first.push(r);
    }
    ids[r] = id;
  }
  return { ids, first };
}
