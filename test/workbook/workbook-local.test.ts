/**
 * After a real local traffic run, every workbook query runs on the local engine, the headline
 * tiles equal the ground-truth ledger, and the cost allocation equals the cost model (lib/pricing) computed
 * from the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  LedgerEntry,
  RequestRecord,
  TokenUsage,
  TrafficSource,
} from '../../lib/ledger/ledger-types.js';
import {
  allocateCost,
  getApimPricing,
  getModelPricing,
  tokenCost,
} from '../../lib/pricing/pricing.js';
import type { KqlTable, KqlValue } from '../../lib/target.js';
import { runLocalWorkbook, type LocalWorkbookRun } from './local-run.js';

let run: LocalWorkbookRun;

beforeAll(async () => {
  run = await runLocalWorkbook();
}, 240_000);

afterAll(async () => {
  await run?.dispose();
});

function table(name: string): KqlTable {
  const outcome = run.outcomes.find((o) => o.query.name === name);
  if (outcome?.result?.status !== 'success')
    throw new Error(
      `query ${name} did not succeed: ${outcome?.error ?? JSON.stringify(outcome?.result)}`,
    );
  return outcome.result.table;
}

function records(name: string): Record<string, KqlValue>[] {
  const t = table(name);
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i] ?? null])));
}

/** Tile title to value of a tiles query. */
function tiles(name: string): Record<string, number> {
  return Object.fromEntries(records(name).map((r) => [String(r.Metric), Number(r.Value)]));
}

function entries(...sources: TrafficSource[]): LedgerEntry[] {
  return sources
    .map((s) => run.ledger.sources[s])
    .filter((e): e is LedgerEntry => e !== undefined && e.status !== 'skipped');
}

/** One gateway log row the ledger predicts: one per HTTP attempt that got a status. */
interface ExpectedRow {
  source: TrafficSource;
  /** `ApimSubscriptionId` the row carries (`''` when APIM resolved no subscription). */
  subscription: string;
  /** Whether the row belongs to one of the AI APIs (AiApiIds). */
  ai: boolean;
  status: number;
  /** Client-side usage, on the final attempt of a request that reported it. */
  usage?: TokenUsage;
}

/**
 * Where each ledger request lands in the gateway log. Every request stays on its cell's API
 * (C1's deliberate failures too: the costing API answers a malformed body 400), under the
 * subscription it was sent with: a BU's for C1 and D1, the API's own for C2 and D2.
 */
function placement(
  source: TrafficSource,
  record: RequestRecord,
): { ai: boolean; attributed: boolean } {
  if (source === 'ai' || source === 'mock-ai') return { ai: true, attributed: true };
  return { ai: false, attributed: record.loggedSubscription !== '' };
}

function expectedRows(): ExpectedRow[] {
  const rows: ExpectedRow[] = [];
  for (const e of entries('bu', 'entra', 'real-jwt', 'ai', 'mock-ai')) {
    for (const r of e.requests) {
      const { ai, attributed } = placement(e.source, r);
      r.attempts.forEach((a, i) => {
        if (a.status === undefined) return;
        const last = i === r.attempts.length - 1 && r.outcome === 'succeeded';
        rows.push({
          source: e.source,
          subscription: attributed ? r.bu : '',
          ai,
          status: a.status,
          usage: last ? r.usage : undefined,
        });
      });
    }
  }
  return rows;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

const is2xx = (s: number): boolean => s >= 200 && s < 300;

describe('workbook queries on the local target after a traffic run', () => {
  it('sent every traffic kind', () => {
    for (const e of entries('bu', 'entra', 'ai', 'mock-ai'))
      expect(e.totals.sent, e.source).toBeGreaterThan(0);
    expect(entries('bu', 'entra', 'ai', 'mock-ai')).toHaveLength(4);
  });

  it('runs every query item of every tab successfully', () => {
    const failures = run.outcomes
      .filter((o) => o.result?.status !== 'success')
      .map(
        (o) =>
          `${o.query.tabLabel} / ${o.query.name}: ${o.error ?? (o.result?.status === 'partial' ? o.result.error : '')}`,
      );
    expect(failures).toEqual([]);
    expect(new Set(run.outcomes.map((o) => o.query.tab))).toEqual(
      new Set(['overview', 'subscription', 'entra', 'ai', 'detail']),
    );
  });

  it('returns rows for every query', () => {
    const empty = run.outcomes
      .filter((o) => o.result?.status === 'success' && o.result.table.rows.length === 0)
      .map((o) => o.query.name);
    expect(empty).toEqual([]);
  });

  it('shows AI gateway tiles equal to the ledger', () => {
    const ai = expectedRows().filter((r) => r.ai);
    const ok = ai.filter((r) => is2xx(r.status));
    // LLM log rows exist only for model calls that returned usage (the mock API calls no model).
    const withTokens = ok.filter(
      (r) => r.source === 'ai' && (r.usage?.totalTokens ?? 0) > 0,
    ).length;
    expect(tiles('ai-tiles-inbound-all')).toEqual({ 'AI Requests (all subs)': ai.length });
    expect(tiles('ai-tiles-successful')).toEqual({
      'Successful (all 2xx)': ok.length,
      'Successful (2xx, with tokens)': withTokens,
      'Successful (no tokens)': ok.length - withTokens,
    });
    expect(tiles('ai-tiles-errors')).toEqual({
      'Throttled (429)': ai.filter((r) => r.status === 429).length,
      'Client Errors (4xx)': ai.filter((r) => r.status >= 400 && r.status < 500 && r.status !== 429)
        .length,
      'Server Errors (5xx)': ai.filter((r) => r.status >= 500).length,
    });
    const d1 = run.ledger.sources.ai;
    expect(d1?.totals.totalTokens).toBeGreaterThan(0);
    // The injected faults really happened, so the error tiles are not trivially zero.
    expect(ai.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(ai.filter((r) => r.status >= 500).length).toBeGreaterThan(0);
    expect(tiles('ai-tiles-tokens')).toEqual({
      'Total Tokens': d1?.totals.totalTokens,
      'Prompt Tokens': d1?.totals.promptTokens,
      'Completion Tokens': d1?.totals.completionTokens,
    });
  });

  it('shows AI requests per BU equal to the ledger', () => {
    const ai = expectedRows().filter((r) => r.ai && r.subscription.startsWith('bu-'));
    const expected = countBy(ai, (r) => r.subscription.replace(/^bu-/, ''));
    expect(tiles('ai-tiles-inbound-per-bu')).toEqual(expected);
    expect(Object.keys(expected)).toHaveLength(run.config.businessUnits.length);
  });

  it('shows the overview headline equal to the ledger', () => {
    const bu = expectedRows().filter((r) => r.subscription.startsWith('bu-'));
    const headline = tiles('overview-headline');
    expect(headline['BU requests']).toBe(bu.length);
    expect(headline['BU AI requests']).toBe(bu.filter((r) => r.ai).length);
    expect(headline['Business units']).toBe(run.config.businessUnits.length);
    expect(headline['Tokens (LLM log)']).toBe(run.ledger.sources.ai?.totals.totalTokens);
  });

  it('shows success and error counts per BU equal to the ledger', () => {
    const bu = expectedRows().filter((r) => r.subscription.startsWith('bu-'));
    for (const row of records('subscription-success-error-rates')) {
      const mine = bu.filter((r) => r.subscription === `bu-${String(row.BusinessUnit)}`);
      expect(row.Requests).toBe(mine.length);
      expect(row.Successful).toBe(mine.filter((r) => is2xx(r.status)).length);
      expect(row.ClientErrors).toBe(mine.filter((r) => r.status >= 400 && r.status < 500).length);
      expect(row.ServerErrors).toBe(mine.filter((r) => r.status >= 500).length);
    }
  });

  it('allocates cost per BU as lib/pricing computes it from the ledger', () => {
    const requestsByBu = countBy(
      expectedRows().filter((r) => r.subscription.startsWith('bu-')),
      (r) => r.subscription,
    );
    const pricing = getApimPricing(run.config.deployment.apimSku);
    const expected = allocateCost(requestsByBu, pricing);
    const rows = records('subscription-cost-allocation');
    expect(rows.map((r) => r.BusinessUnit)).toEqual(expected.map((e) => e.bu.replace(/^bu-/, '')));
    rows.forEach((row, i) => {
      const e = expected[i];
      if (e === undefined) throw new Error('row count mismatch');
      expect(row.Requests).toBe(e.requests);
      // The workbook rounds the base share to 4 decimals and the variable cost to 6.
      expect(Number(row.BaseCostShare)).toBeCloseTo(e.baseShareUsd, 4);
      expect(Number(row.VariableCost)).toBeCloseTo(e.variableUsd, 6);
      expect(Number(row.TotalCost)).toBeCloseTo(e.totalUsd, 4);
      expect(Number(row.SharePct)).toBeCloseTo(e.share * 100, 2);
    });
    const baseTotal = rows.reduce((sum, r) => sum + Number(r.BaseCostShare), 0);
    expect(baseTotal).toBeCloseTo(pricing.baseMonthlyUsd, 2);
  });

  it('prices tokens per BU with the workbook rates as lib/pricing does', () => {
    const d1 = run.ledger.sources.ai;
    if (d1 === undefined) throw new Error('no D1 ledger entry');
    const rates = getModelPricing('gpt-5-mini');
    const rows = records('ai-token-cost-allocation');
    expect(rows).toHaveLength(Object.keys(d1.byBu).length);
    for (const row of rows) {
      const c = d1.byBu[`bu-${String(row.BusinessUnit)}`];
      if (c === undefined) throw new Error(`no ledger BU for ${String(row.BusinessUnit)}`);
      expect(row.PromptTokens).toBe(c.promptTokens);
      expect(row.CompletionTokens).toBe(c.completionTokens);
      expect(Number(row.TotalCost)).toBeCloseTo(
        tokenCost(c.promptTokens, c.completionTokens, rates),
        5,
      );
    }
  });

  it('has one per-request detail row per AI gateway row, with provenance for each mode', () => {
    const rows = records('detail-requests');
    expect(rows).toHaveLength(expectedRows().filter((r) => r.ai).length);
    expect(rows.filter((r) => r.ApiSurface === 'Mock (token tracking)')).toHaveLength(
      expectedRows().filter((r) => r.source === 'mock-ai').length,
    );
    const provenance = new Set(rows.map((r) => r.UsageProvenance));
    for (const p of [
      'Response body',
      'Client-supplied include_usage',
      'Policy-injected include_usage',
      'Responses stream final event',
    ]) {
      expect(provenance, p).toContain(p);
    }
  });
});

describe('materialize() scans its base table once', () => {
  it('every materialize() query scans each base table at most once, and more without it', () => {
    const materialized = run.outcomes.filter((o) => o.query.template.includes('materialize('));
    expect(materialized.length).toBeGreaterThanOrEqual(8);
    for (const o of materialized) {
      const stats = o.result?.stats;
      expect(stats, o.query.name).toBeDefined();
      for (const [t, n] of Object.entries(stats?.scans ?? {}))
        expect(n, `${o.query.name} scans ${t}`).toBeLessThanOrEqual(1);
    }
  });

  it('scans the base table again for each use once materialize() is removed', async () => {
    const o = run.outcomes.find((x) => x.query.name === 'subscription-cost-allocation');
    if (o === undefined) throw new Error('missing query');
    const plain = await run.target.queryLogs(o.query.query.replace('materialize(', '('));
    expect(plain.status).toBe('success');
    expect(plain.stats?.scans.ApiManagementGatewayLogs).toBe(2);
    expect(o.result?.stats?.scans.ApiManagementGatewayLogs).toBe(1);
    expect(plain.table.rows).toEqual(o.result?.table.rows);
  });
});
