/** The gateway emulator's `rate-limit-by-key`: calls per key per minute. */

/**
 * A per-key request limit over a sliding one-minute window (two fixed windows, weighted), as
 * `rate-limit-by-key` behaves: O(1) memory per key.
 * @example const limiter = new RateLimiter(600); const waitSeconds = limiter.take('bu-hr', Date.now());
 */
export class RateLimiter {
  #perMinute: number;
  readonly #windows = new Map<string, { start: number; current: number; previous: number }>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** The limit, requests per minute; a change applies to the next call. */
  get perMinute(): number {
    return this.#perMinute;
  }

  set perMinute(value: number) {
    this.#perMinute = value;
  }

  /** Counts a call; returns `undefined` when allowed, else the seconds to wait. */
  take(key: string, nowMs: number): number | undefined {
    const span = 60_000;
    const start = Math.floor(nowMs / span) * span;
    let w = this.#windows.get(key);
    if (!w) {
      w = { start, current: 0, previous: 0 };
      this.#windows.set(key, w);
    }
    if (w.start !== start) {
      w.previous = start - w.start === span ? w.current : 0;
      w.current = 0;
      w.start = start;
    }
    const estimate = w.previous * (1 - (nowMs - start) / span) + w.current;
    if (estimate + 1 > this.#perMinute)
      return Math.max(1, Math.ceil((start + span - nowMs) / 1000));
    w.current++;
    return undefined;
  }
}
