/** A small seeded PRNG for the emulator: repeatable fault dice and completions. */

/**
 * mulberry32: a fast 32-bit generator; the same seed gives the same sequence in [0, 1).
 * @example const next = mulberry32(1); next(); // 0.627...
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
