/**
 * The gateway emulator's `llm-token-limit` (APIM policy reference, "Limit large language model
 * API token usage"): per counter key a tokens-per-minute rate and a token quota over a fixed
 * period whose start is the UTC time truncated to the period's unit. Tokens are counted from the
 * usage the model reports (prompt + completion); a stream counts its final usage. A request is
 * refused when the counter has already reached the limit (429 over the rate, 403 over the
 * quota), so requests in flight together can take a counter past its limit: the documented
 * concurrent over-run. With `estimate-prompt-tokens` the prompt's estimate is reserved when the
 * request starts (and a request whose estimate does not fit is refused); the reservation is
 * replaced by the reported usage when the answer ends.
 */
import type { TokenQuotaPeriod } from '../config/types.js';

/** The evaluated attributes of one `llm-token-limit` for one request. */
export interface TokenLimitSettings {
  counterKey: string;
  tokensPerMinute: number | undefined;
  tokenQuota: number | undefined;
  tokenQuotaPeriod: TokenQuotaPeriod | undefined;
  estimatePromptTokens: boolean;
}

/** A request admitted by the limiter; settle it with the usage the answer reported. */
export interface TokenLease {
  readonly settings: TokenLimitSettings;
  /** Tokens reserved when the request started (the prompt estimate, or 0). */
  readonly reserved: number;
  /** Remaining rate and quota tokens when the request was admitted. */
  readonly remainingTokens: number | undefined;
  readonly remainingQuotaTokens: number | undefined;
}

/** A refusal: status 429 (rate) or 403 (quota), and the seconds until the counter resets. */
export interface TokenRefusal {
  status: 429 | 403;
  retryAfterSeconds: number;
}

const MINUTE = 60_000;

/** Start and end (ms) of the quota period holding `nowMs`: the UTC time truncated to the unit. */
export function quotaPeriodWindow(
  period: TokenQuotaPeriod,
  nowMs: number,
): { start: number; end: number } {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (period) {
    case 'Hourly': {
      const start = Date.UTC(y, m, day, d.getUTCHours());
      return { start, end: start + 3_600_000 };
    }
    case 'Daily': {
      const start = Date.UTC(y, m, day);
      return { start, end: Date.UTC(y, m, day + 1) };
    }
    case 'Weekly': {
      // The reference truncates to the unit; the emulator starts a week on Monday 00:00 UTC (ISO 8601).
      const back = (d.getUTCDay() + 6) % 7;
      const start = Date.UTC(y, m, day - back);
      return { start, end: Date.UTC(y, m, day - back + 7) };
    }
    case 'Monthly':
      return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
    case 'Yearly':
      return { start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
  }
}

interface Counter {
  rateStart: number;
  rateUsed: number;
  quotaStart: number;
  quotaUsed: number;
}

/**
 * Rate and quota counters per counter key, shared by every scope the policy runs at (as APIM's
 * "a single counter is used for all scopes").
 * @example const lease = limiter.admit(settings, Date.now(), 12); if ('status' in lease) refuse(lease);
 */
export class TokenLimiter {
  readonly #counters = new Map<string, Counter>();

  /** Admits a request, or refuses it when a counter has reached its limit. */
  admit(
    settings: TokenLimitSettings,
    nowMs: number,
    promptEstimate: number,
  ): TokenLease | TokenRefusal {
    const c = this.#counter(settings, nowMs);
    const reserve = settings.estimatePromptTokens ? promptEstimate : 0;
    const tpm = settings.tokensPerMinute;
    if (tpm !== undefined && (c.rateUsed >= tpm || c.rateUsed + reserve > tpm))
      return {
        status: 429,
        retryAfterSeconds: Math.max(1, Math.ceil((c.rateStart + MINUTE - nowMs) / 1000)),
      };
    const quota = settings.tokenQuota;
    if (
      quota !== undefined &&
      settings.tokenQuotaPeriod &&
      (c.quotaUsed >= quota || c.quotaUsed + reserve > quota)
    ) {
      const { end } = quotaPeriodWindow(settings.tokenQuotaPeriod, nowMs);
      return { status: 403, retryAfterSeconds: Math.max(1, Math.ceil((end - nowMs) / 1000)) };
    }
    c.rateUsed += reserve;
    c.quotaUsed += reserve;
    return {
      settings,
      reserved: reserve,
      remainingTokens: tpm === undefined ? undefined : Math.max(0, tpm - c.rateUsed),
      remainingQuotaTokens: quota === undefined ? undefined : Math.max(0, quota - c.quotaUsed),
    };
  }

  /**
   * Counts what an admitted request consumed (prompt + completion as reported; `undefined` when
   * the answer reported none, which leaves the reservation counted) and returns the remaining tokens.
   */
  settle(
    lease: TokenLease,
    consumed: number | undefined,
    nowMs: number,
  ): { remainingTokens: number | undefined; remainingQuotaTokens: number | undefined } {
    const c = this.#counter(lease.settings, nowMs);
    if (consumed !== undefined) {
      const delta = consumed - lease.reserved;
      c.rateUsed = Math.max(0, c.rateUsed + delta);
      c.quotaUsed = Math.max(0, c.quotaUsed + delta);
    }
    return this.remaining(lease.settings, nowMs);
  }

  /** Remaining rate and quota tokens of a key now. */
  remaining(
    settings: TokenLimitSettings,
    nowMs: number,
  ): { remainingTokens: number | undefined; remainingQuotaTokens: number | undefined } {
    const c = this.#counter(settings, nowMs);
    return {
      remainingTokens:
        settings.tokensPerMinute === undefined
          ? undefined
          : Math.max(0, settings.tokensPerMinute - c.rateUsed),
      remainingQuotaTokens:
        settings.tokenQuota === undefined
          ? undefined
          : Math.max(0, settings.tokenQuota - c.quotaUsed),
    };
  }

  /** Tokens counted against a key's quota in the current period (tests, the budgets cell). */
  quotaUsed(settings: TokenLimitSettings, nowMs: number): number {
    return this.#counter(settings, nowMs).quotaUsed;
  }

  /** Forgets every counter (a redeploy of the emulator). */
  reset(): void {
    this.#counters.clear();
  }

  #counter(settings: TokenLimitSettings, nowMs: number): Counter {
    const rateStart = Math.floor(nowMs / MINUTE) * MINUTE;
    const quotaStart = settings.tokenQuotaPeriod
      ? quotaPeriodWindow(settings.tokenQuotaPeriod, nowMs).start
      : 0;
    let c = this.#counters.get(settings.counterKey);
    if (!c) {
      c = { rateStart, rateUsed: 0, quotaStart, quotaUsed: 0 };
      this.#counters.set(settings.counterKey, c);
    }
    // Fixed windows: a new minute (or a new period) starts its counter from zero.
    if (c.rateStart !== rateStart) {
      c.rateStart = rateStart;
      c.rateUsed = 0;
    }
    if (c.quotaStart !== quotaStart) {
      c.quotaStart = quotaStart;
      c.quotaUsed = 0;
    }
    return c;
  }
}
