/**
 * The emulated `llm-token-limit` against the policy reference ("Limit large language model API
 * token usage", learn.microsoft.com/azure/api-management/llm-token-limit-policy): a per-key rate
 * over a minute (429 + Retry-After), a quota over a fixed period truncated to the UTC unit (403),
 * the remaining/consumed headers, prompt estimation before the backend, streams counted by their
 * final usage, and the over-run of concurrent requests.
 */
import { describe, expect, it } from 'vitest';
import {
  quotaPeriodWindow,
  TokenLimiter,
  type TokenLimitSettings,
} from '../../lib/local/token-limiter.js';
import { startTestTarget, tableRows, type TestTarget } from './helpers.js';

const BU = [{ name: 'bu-a', displayName: 'A', weight: 1 }];

function settings(over: Partial<TokenLimitSettings>): TokenLimitSettings {
  return {
    counterKey: 'bu-a',
    tokensPerMinute: undefined,
    tokenQuota: undefined,
    tokenQuotaPeriod: undefined,
    estimatePromptTokens: false,
    ...over,
  };
}

describe('TokenLimiter (the counters)', () => {
  it('rate: refuses with 429 once the minute has used its tokens, and starts again next minute', () => {
    const l = new TokenLimiter();
    const s = settings({ tokensPerMinute: 100 });
    const t0 = Date.UTC(2026, 11, 2, 10, 0, 10);
    const lease = l.admit(s, t0, 0);
    if ('status' in lease) throw new Error('refused');
    l.settle(lease, 100, t0);
    expect(l.admit(s, t0 + 1_000, 0)).toEqual({ status: 429, retryAfterSeconds: 49 });
    expect('status' in l.admit(s, Date.UTC(2026, 11, 2, 10, 1, 0), 0)).toBe(false);
  });

  it('quota: 403 until the period rolls over at the UTC unit (daily, weekly, monthly)', () => {
    const l = new TokenLimiter();
    const s = settings({ tokenQuota: 50, tokenQuotaPeriod: 'Daily' });
    const late = Date.UTC(2026, 11, 2, 23, 59, 0);
    const lease = l.admit(s, late, 0);
    if ('status' in lease) throw new Error('refused');
    l.settle(lease, 60, late);
    expect(l.admit(s, late + 30_000, 0)).toEqual({ status: 403, retryAfterSeconds: 30 });
    expect('status' in l.admit(s, Date.UTC(2026, 11, 3, 0, 0, 0), 0)).toBe(false);
    expect(quotaPeriodWindow('Weekly', Date.UTC(2026, 11, 2, 12))).toEqual({
      start: Date.UTC(2026, 10, 30),
      end: Date.UTC(2026, 11, 7),
    });
    expect(quotaPeriodWindow('Monthly', Date.UTC(2026, 11, 31, 23))).toEqual({
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
    expect(quotaPeriodWindow('Hourly', Date.UTC(2026, 11, 2, 7, 59)).end).toBe(
      Date.UTC(2026, 11, 2, 8),
    );
  });

  it('concurrency: requests admitted before any answer is counted all go through (the over-run)', () => {
    const l = new TokenLimiter();
    const s = settings({ tokenQuota: 100, tokenQuotaPeriod: 'Daily' });
    const now = Date.UTC(2026, 11, 2, 12);
    const leases = [1, 2, 3].map(() => l.admit(s, now, 0));
    for (const lease of leases) {
      if ('status' in lease) throw new Error('refused');
      l.settle(lease, 80, now);
    }
    expect(l.quotaUsed(s, now)).toBe(240);
    expect(l.admit(s, now, 0)).toMatchObject({ status: 403 });
  });

  it('estimation: reserves the prompt estimate up front and refuses what cannot fit', () => {
    const l = new TokenLimiter();
    const s = settings({ tokenQuota: 100, tokenQuotaPeriod: 'Daily', estimatePromptTokens: true });
    const now = Date.UTC(2026, 11, 2, 12);
    const a = l.admit(s, now, 60);
    if ('status' in a) throw new Error('refused');
    expect(a.remainingQuotaTokens).toBe(40);
    // A second prompt of 60 does not fit beside the first one's reservation.
    expect(l.admit(s, now, 60)).toMatchObject({ status: 403 });
    // The answer replaces the reservation with the reported usage.
    expect(l.settle(a, 30, now).remainingQuotaTokens).toBe(70);
  });
});

async function withTarget(
  budget: Record<string, unknown>,
  estimatePromptTokens: boolean,
  run: (t: TestTarget, post: (body: unknown, path?: string) => Promise<Response>) => Promise<void>,
  addedLatencyMs = 0,
): Promise<void> {
  const t = await startTestTarget({
    options: { faults: { addedLatencyMs } },
    config: {
      businessUnits: BU,
      budgets: { businessUnits: { 'bu-a': budget }, estimatePromptTokens },
    },
  });
  const sub = t.deployment.subscriptions[0];
  const post = (
    body: unknown,
    path = '/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21',
  ) =>
    fetch(`${t.deployment.apis.aoai.url}${path}`, {
      method: 'POST',
      headers: { 'api-key': sub?.primaryKey ?? '', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  try {
    await run(t, post);
  } finally {
    await t.dispose();
  }
}

const chat = (text: string, extra: Record<string, unknown> = {}) => ({
  messages: [{ role: 'user', content: text }],
  max_completion_tokens: 20,
  ...extra,
});

describe('llm-token-limit through the gateway emulator', () => {
  it("sends the remaining and consumed headers, then APIM's 403 body with Retry-After over the quota", async () => {
    await withTarget({ tokenQuota: 30, tokenQuotaPeriod: 'Daily' }, false, async (t, post) => {
      const first = await post(chat('Say hello in a few words.'));
      expect(first.status).toBe(200);
      const usage = ((await first.json()) as { usage: { total_tokens: number } }).usage;
      expect(first.headers.get('x-budget-tokens-consumed')).toBe(String(usage.total_tokens));
      expect(first.headers.get('x-budget-remaining-quota-tokens')).toBe(
        String(Math.max(0, 30 - usage.total_tokens)),
      );
      // Until the quota is used up, requests go through; then 403 until the day ends.
      let refused: Response | undefined;
      for (let i = 0; i < 10 && !refused; i++) {
        const r = await post(chat('Say hello in a few words.'));
        if (r.status === 403) refused = r;
        else await r.arrayBuffer();
      }
      expect(refused?.status).toBe(403);
      const body = (await refused?.json()) as { statusCode: number; message: string };
      expect(body.statusCode).toBe(403);
      expect(body.message).toMatch(/^Token quota is exceeded\. Try again in \d\d:\d\d:\d\d\.$/);
      const retry = Number(refused?.headers.get('retry-after'));
      const now = Date.now();
      const midnight = Date.UTC(
        new Date(now).getUTCFullYear(),
        new Date(now).getUTCMonth(),
        new Date(now).getUTCDate() + 1,
      );
      expect(Math.abs(retry - (midnight - now) / 1000)).toBeLessThan(5);
      // The refusal is logged by the gateway with the policy's error, and never reached the model.
      const rows = tableRows(t.target, 'ApiManagementGatewayLogs').filter(
        (r) => r.ResponseCode === 403,
      );
      expect(rows.length).toBe(1);
      expect(rows[0]).toMatchObject({
        LastErrorSource: 'llm-token-limit',
        LastErrorReason: 'TokenQuotaExceeded',
      });
      expect(rows[0]?.BackendResponseCode ?? null).toBeNull();
    });
  });

  it('answers 429 with Retry-After and the token-limit message over the rate', async () => {
    await withTarget({ tokensPerMinute: 10 }, false, async (_t, post) => {
      const ok = await post(chat('Say hello in a few words.'));
      expect(ok.status).toBe(200);
      expect(Number(ok.headers.get('x-budget-remaining-tokens'))).toBeGreaterThanOrEqual(0);
      await ok.arrayBuffer();
      const limited = await post(chat('Again.'));
      expect(limited.status).toBe(429);
      const retry = Number(limited.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(60);
      expect(await limited.json()).toEqual({
        statusCode: 429,
        message: `Token limit is exceeded. Try again in ${retry} seconds.`,
      });
    });
  });

  it('with estimate-prompt-tokens, refuses a prompt larger than the quota before the backend', async () => {
    const long = 'tokens '.repeat(200);
    await withTarget({ tokenQuota: 100, tokenQuotaPeriod: 'Daily' }, true, async (t, post) => {
      expect((await post(chat(long))).status).toBe(403);
      expect(tableRows(t.target, 'ApiManagementGatewayLlmLog')).toHaveLength(0);
    });
    // Without it the prompt goes to the model; the usage it reports closes the quota after.
    await withTarget({ tokenQuota: 100, tokenQuotaPeriod: 'Daily' }, false, async (_t, post) => {
      const sent = await post(chat(long));
      expect(sent.status).toBe(200);
      await sent.arrayBuffer();
      expect((await post(chat('short'))).status).toBe(403);
    });
  });

  it('counts a stream by its final usage chunk', async () => {
    await withTarget({ tokenQuota: 1_000, tokenQuotaPeriod: 'Daily' }, false, async (t, post) => {
      const r = await post(
        chat('Say hello in a few words.', {
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      expect(r.status).toBe(200);
      const text = await r.text();
      const last = text
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6)) as { usage?: { total_tokens: number } })
        .find((c) => c.usage)?.usage?.total_tokens;
      expect(last).toBeGreaterThan(0);
      // The next answer's remaining quota is the quota minus what the stream reported.
      const next = await post(chat('Hi'));
      const used = ((await next.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
      expect(Number(next.headers.get('x-budget-remaining-quota-tokens'))).toBe(
        1_000 - (last ?? 0) - used,
      );
      expect(tableRows(t.target, 'ApiManagementGatewayLlmLog').length).toBeGreaterThan(0);
    });
  });

  it('lets concurrent requests through until their usage is counted, then refuses', async () => {
    await withTarget(
      { tokenQuota: 20, tokenQuotaPeriod: 'Daily' },
      false,
      async (_t, post) => {
        const burst = await Promise.all(
          [1, 2, 3, 4].map(() => post(chat('Say hello in a few words.'))),
        );
        const statuses = burst.map((r) => r.status);
        const totals = await Promise.all(
          burst.map(async (r) =>
            r.status === 200
              ? ((await r.json()) as { usage: { total_tokens: number } }).usage.total_tokens
              : 0,
          ),
        );
        // More went through than the quota holds: the documented temporary over-run.
        expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(1);
        expect(totals.reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
        expect((await post(chat('Hi'))).status).toBe(403);
      },
      150,
    );
  });
});
