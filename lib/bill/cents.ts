/**
 * Whole cents and largest-remainder rounding: a total split by weights comes back in cents that
 * add up to the total exactly, so allocated + unallocated = the file's total to the cent.
 */

/** USD to whole cents (half away from zero). */
export function toCents(usd: number): number {
  return Math.sign(usd) * Math.round(Math.abs(usd) * 100 + 1e-9);
}

/**
 * Splits `totalCents` by `weights` (all >= 0): each part gets the floor of its exact share, and the
 * cents left go one each to the largest remainders (ties: the earlier entry).
 * @returns one whole-cent amount per weight, summing to `totalCents`; all zero weights give all to the last.
 */
export function splitCents(totalCents: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((s, w) => s + Math.max(0, w), 0);
  if (sum <= 0) return weights.map((_, i) => (i === weights.length - 1 ? totalCents : 0));
  const sign = totalCents < 0 ? -1 : 1;
  const abs = Math.abs(totalCents);
  const exact = weights.map((w) => (Math.max(0, w) / sum) * abs);
  const parts = exact.map((x) => Math.floor(x + 1e-9));
  let left = abs - parts.reduce((s, p) => s + p, 0);
  const order = exact
    .map((x, i) => ({ i, r: x - Math.floor(x + 1e-9) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && k < order.length; k++, left--) parts[order[k]!.i]! += 1;
  return parts.map((p) => p * sign);
}
