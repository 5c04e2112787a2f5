/**
 * One `llm-token-limit` step of the inbound section: evaluates its attributes for the request,
 * estimates the prompt's tokens when it must (the `estimate-prompt-tokens` attribute, and always
 * for a streamed request, as the reference says), asks the limiter, and builds the headers the
 * policy names on the answer.
 */
import { countTokens } from 'gpt-tokenizer';
import { TOKEN_QUOTA_PERIODS, type TokenQuotaPeriod } from '../config/types.js';
import { PolicyError } from '../errors.js';
import type { PolicyContext, TokenLimitStep } from './policy-steps.js';
import type { TokenLease, TokenLimiter, TokenLimitSettings } from './token-limiter.js';

/** The outcome of the step for one request. */
export type TokenLimitOutcome =
  | { kind: 'admitted'; step: TokenLimitStep; lease: TokenLease; limiter: TokenLimiter }
  | { kind: 'refused'; step: TokenLimitStep; status: 429 | 403; retryAfterSeconds: number }
  | { kind: 'skipped'; step: TokenLimitStep };

/** Evaluates the step's attributes and admits or refuses the request. */
export function admitTokens(
  step: TokenLimitStep,
  ctx: PolicyContext,
  json: Record<string, unknown> | undefined,
  limiter: TokenLimiter,
  nowMs: number,
): TokenLimitOutcome {
  // A gateway started without the budget named values (a bare test gateway) has nothing to
  // limit by: APIM would refuse to deploy such a policy, the emulator lets the request through.
  if (!step.tokensPerMinute?.(ctx) && !step.tokenQuota?.(ctx)) return { kind: 'skipped', step };
  const settings = settingsOf(step, ctx);
  // Streams always have their prompt estimated (reference: "Considerations for token counts").
  const estimating = settings.estimatePromptTokens || json?.stream === true;
  const result = limiter.admit(
    { ...settings, estimatePromptTokens: estimating },
    nowMs,
    estimating ? estimatePromptTokens(json) : 0,
  );
  if ('status' in result)
    return {
      kind: 'refused',
      step,
      status: result.status,
      retryAfterSeconds: result.retryAfterSeconds,
    };
  return { kind: 'admitted', step, lease: result, limiter };
}

/**
 * Headers for the answer of an admitted request: remaining rate and quota tokens, and (once the
 * usage is known) the tokens consumed. Settles the lease when `consumed` is given.
 */
export function tokenHeaders(
  outcome: Extract<TokenLimitOutcome, { kind: 'admitted' }>,
  consumed: number | undefined,
  nowMs: number,
): Record<string, string> {
  const { step, lease, limiter } = outcome;
  const left =
    consumed === undefined
      ? { remainingTokens: lease.remainingTokens, remainingQuotaTokens: lease.remainingQuotaTokens }
      : limiter.settle(lease, consumed, nowMs);
  const h: Record<string, string> = {};
  if (step.remainingTokensHeader && left.remainingTokens !== undefined)
    h[step.remainingTokensHeader.toLowerCase()] = String(left.remainingTokens);
  if (step.remainingQuotaTokensHeader && left.remainingQuotaTokens !== undefined)
    h[step.remainingQuotaTokensHeader.toLowerCase()] = String(left.remainingQuotaTokens);
  if (step.tokensConsumedHeader && consumed !== undefined)
    h[step.tokensConsumedHeader.toLowerCase()] = String(consumed);
  return h;
}

/** Prompt tokens of a Chat Completions (`messages`) or Responses (`input`) body, by the tokenizer. */
export function estimatePromptTokens(json: Record<string, unknown> | undefined): number {
  if (!json) return 0;
  const texts: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') texts.push(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      collect(o.content ?? o.text);
    }
  };
  collect(json.messages ?? json.input);
  return texts.reduce((n, t) => n + countTokens(t), 0);
}

// --- Internal helpers ---

function settingsOf(step: TokenLimitStep, ctx: PolicyContext): TokenLimitSettings {
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0)
      throw new PolicyError(
        'llm-token-limit',
        `${name} evaluated to '${v}', not a whole number greater than 0`,
      );
    return n;
  };
  const period = step.tokenQuotaPeriod?.(ctx);
  if (period !== undefined && !(TOKEN_QUOTA_PERIODS as readonly string[]).includes(period))
    throw new PolicyError(
      'llm-token-limit',
      `token-quota-period evaluated to '${period}'; it must be one of ${TOKEN_QUOTA_PERIODS.join(', ')}`,
    );
  return {
    counterKey: step.counterKey(ctx),
    tokensPerMinute: num('tokens-per-minute', step.tokensPerMinute?.(ctx)),
    tokenQuota: num('token-quota', step.tokenQuota?.(ctx)),
    tokenQuotaPeriod: period as TokenQuotaPeriod | undefined,
    estimatePromptTokens: step.estimatePromptTokens(ctx).trim().toLowerCase() === 'true',
  };
}
