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
import { collectParameters, walk } from '../../lib/workbook/parameters.js';
import { previewResults, renderWorkbookHtml } from '../../lib/workbook/render-preview.js';
import type { WorkbookItem } from '../../lib/workbook/workbook-json.js';
import { ORIGINAL_ITEMS, TREND_ITEMS, VALIDATED_PARAMETERS } from './original-items.js';
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
      new Set(['overview', 'subscription', 'entra', 'ai', 'detail', 'actual']),
    );
  });

  it('returns rows for every query', () => {
    const empty = run.outcomes
      .filter((o) => o.result?.status === 'success' && o.result.table.rows.length === 0)
      .map((o) => o.query.name)
      // The local bill's only line without a driver (storage) rounds to zero cents, so no
      // shared line: test/workbook/actual-cost.test.ts checks that table with one added.
      .filter((name) => name !== 'actual-cost-shared');
    expect(empty).toEqual([]);
  });

  it('shows AI gateway tiles equal to the ledger', () => {
    const ai = expectedRows().filter((r) => r.ai);
    // Backend tiles count business-unit requests; Client Errors (4xx) includes the 429s.
    const buAi = ai.filter((r) => r.subscription.startsWith('bu-'));
    const ok = buAi.filter((r) => is2xx(r.status));
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
      'Client Errors (4xx)': buAi.filter((r) => r.status >= 400 && r.status < 500).length,
      'Throttled (429)': buAi.filter((r) => r.status === 429).length,
      'Server Errors (5xx)': buAi.filter((r) => r.status >= 500).length,
    });
    const d1 = run.ledger.sources.ai;
    expect(d1?.totals.totalTokens).toBeGreaterThan(0);
    // The injected faults really happened, so the error tiles are not trivially zero.
    expect(buAi.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(buAi.filter((r) => r.status >= 500).length).toBeGreaterThan(0);
    expect(tiles('ai-tiles-tokens')).toEqual({
      'Total Tokens': d1?.totals.totalTokens,
      'Prompt Tokens': d1?.totals.promptTokens,
      'Completion Tokens': d1?.totals.completionTokens,
    });
    const pct = (n: number, of: number): string => `${Math.round((1000 * n) / of) / 10}%`;
    const status = Object.fromEntries(
      records('ai-tiles-successful').map((r) => [String(r.Metric), String(r.Status)]),
    );
    expect(status['Successful (2xx, with tokens)']).toBe(
      `billable - ${pct(withTokens, ok.length)}`,
    );
    const errors = Object.fromEntries(
      records('ai-tiles-errors').map((r) => [String(r.Metric), String(r.Status)]),
    );
    const client = buAi.filter((r) => r.status >= 400 && r.status < 500).length;
    expect(errors['Throttled (429)']).toBe(
      `rate limited - ${pct(buAi.filter((r) => r.status === 429).length, client)}`,
    );
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

  it('prices tokens per BU and model, each model at its own price, as lib/pricing does', () => {
    const d1 = run.ledger.sources.ai;
    if (d1 === undefined) throw new Error('no D1 ledger entry');
    const byBuModel = new Map<string, { p: number; c: number }>();
    for (const r of d1.requests) {
      if (r.outcome !== 'succeeded' || r.usage === undefined || r.model === undefined) continue;
      const k = `${r.bu.replace(/^bu-/, '')}|${r.model}`;
      const t = byBuModel.get(k) ?? { p: 0, c: 0 };
      byBuModel.set(k, { p: t.p + r.usage.promptTokens, c: t.c + r.usage.completionTokens });
    }
    const cost = (model: string, t: { p: number; c: number }): number =>
      tokenCost(t.p, t.c, getModelPricing(model));
    const rows = records('ai-token-cost-by-model');
    expect(rows).toHaveLength(byBuModel.size);
    for (const row of rows) {
      const t = byBuModel.get(`${String(row.BusinessUnit)}|${String(row.Model)}`);
      if (t === undefined)
        throw new Error(`no ledger cell for ${String(row.BusinessUnit)}/${String(row.Model)}`);
      expect(row.PromptTokens).toBe(t.p);
      expect(row.CompletionTokens).toBe(t.c);
      expect(row.Price).toBe('list price');
      expect(Number(row.TotalCost)).toBeCloseTo(cost(String(row.Model), t), 9);
    }
    const perBu = records('ai-token-cost-allocation');
    expect(perBu).toHaveLength(Object.keys(d1.byBu).length);
    for (const row of perBu) {
      const truth = [...byBuModel]
        .filter(([k]) => k.startsWith(`${String(row.BusinessUnit)}|`))
        .reduce((n, [k, t]) => n + cost(k.split('|')[1] ?? '', t), 0);
      expect(Number(row.TotalCost)).toBeCloseTo(truth, 9);
    }
  });

  it('lists every BU request (AI and non-AI) in the per-request detail, with provenance for each mode', () => {
    const bu = expectedRows().filter((r) => r.subscription.startsWith('bu-'));
    const rows = records('detail-requests');
    expect(rows).toHaveLength(Math.min(1000, bu.length));
    expect(rows.filter((r) => r.ApiSurface === 'Mock (token tracking)')).toHaveLength(
      bu.filter((r) => r.source === 'mock-ai').length,
    );
    expect(rows.filter((r) => r.ApiSurface === 'Not AI').length).toBeGreaterThan(0);
    const provenance = new Set(rows.map((r) => r.UsageProvenance));
    for (const p of [
      'N/A (non-streaming)',
      'Client-supplied include_usage',
      'Policy-injected include_usage',
      'N/A (Responses API)',
    ]) {
      expect(provenance, p).toContain(p);
    }
    expect(records('detail-record-count')).toEqual([
      {
        Metric: 'Record count',
        Value: bu.length,
        Status: `showing ${Math.min(1000, bu.length)} of ${bu.length}${bu.length > 1000 ? ' (Max rows)' : ''}`,
      },
    ]);
  });

  it('has every item the issue names, run locally with rows and rendered in the preview', () => {
    const html = renderWorkbookHtml(run.workbook, {
      displayName: 'x',
      results: previewResults(run.outcomes),
      now: run.now,
    });
    const items = new Map<string, WorkbookItem>();
    walk(run.workbook.items, (item) => items.set(item.name, item));
    const missing: string[] = [];
    for (const want of ORIGINAL_ITEMS) {
      const item = items.get(want.name);
      if (item === undefined) {
        missing.push(`${want.name} (${want.what})`);
        continue;
      }
      // The item's markup, up to the next item of the same kind.
      const at = html.indexOf(`data-name="${want.name}"`);
      expect(at, `${want.name} rendered`).toBeGreaterThan(0);
      const markup = html.slice(at);
      if (want.kind === 'parameters') {
        expect(
          item.content.parameters?.map((p) => p.name),
          want.name,
        ).toContain(want.parameter);
        expect(markup).toContain(`data-param="${want.parameter}"`);
        continue;
      }
      if (want.kind === 'group') {
        expect(item.content.expandable, want.name).toBe(true);
        expect(markup.startsWith(`data-name="${want.name}"`)).toBe(true);
        expect(html.slice(at - 40, at)).toContain('<details class="item group collapsible"');
        continue;
      }
      const t = table(want.name);
      expect(t.rows.length, `${want.name} rows`).toBeGreaterThan(0);
      for (const col of want.columns ?? [])
        expect(
          t.columns.map((c) => c.name),
          `${want.name} column ${col}`,
        ).toContain(col);
      const next = html.indexOf('data-name="', at + 1);
      const body = html.slice(at, next < 0 ? undefined : next);
      if (want.kind === 'table') expect(body, want.name).toMatch(/<tbody><tr>/);
      if (want.kind === 'chart') expect(body, want.name).toMatch(/data-series="[1-9]\d*"/);
      if (want.kind === 'tiles') expect(body, want.name).toContain('class="tile-subtitle"');
    }
    expect(missing).toEqual([]);
    // The delivery-mode pie has the five classes (every stream got usage in this run).
    expect(
      records('ai-streaming-pie')
        .map((r) => r.DeliveryMode)
        .sort(),
    ).toEqual([
      'Chat (non-streaming)',
      'Chat streaming (client-supplied usage)',
      'Chat streaming (policy-injected usage)',
      'Responses (non-streaming)',
      'Responses (streaming)',
    ]);
    // The simulated callers are shown by name.
    const caller = run.config.callers[0];
    expect(records('entra-usage-table').map((r) => [r.Caller, r.CallerId])).toContainEqual([
      caller?.name,
      caller?.appId,
    ]);
    // The parameters carry the original's checks, and the defaults pass them.
    const params = collectParameters(run.workbook);
    for (const name of VALIDATED_PARAMETERS)
      expect(params.get(name)?.rules?.length, name).toBeGreaterThan(0);
    expect(params.get('TimeRange')?.display).toBe('Last 30 days');
  });

  it('bins the trends finely enough to draw a line for a run of seconds', async () => {
    // The 30-day range alone would bin by 12 hours: one dot. The grain follows the data's span:
    // about one bin per second here, so a series spanning n seconds has min(4, n) bins or more.
    const spanOf = async (query: string): Promise<number> => {
      const r = await run.target.queryLogs(`${query} | summarize S = (max(T) - min(T)) / 1s`);
      return Number(r.table.rows[0]?.[0] ?? 0);
    };
    const bu =
      "ApiManagementGatewayLogs | where ApimSubscriptionId startswith 'bu-' | project T = TimeGenerated";
    const spans: Record<string, string> = {
      'subscription-drilldown-trend': bu,
      'subscription-drilldown-cost-trend': bu,
      'entra-request-trend':
        "customMetrics | where name == 'caller-requests' | project T = timestamp",
      'ai-token-type-trend': 'ApiManagementGatewayLlmLog | project T = TimeGenerated',
      'ai-token-trend-by-bu': 'ApiManagementGatewayLlmLog | project T = TimeGenerated',
      'ai-ptu-utilisation': 'ApiManagementGatewayLlmLog | project T = TimeGenerated',
    };
    expect(Object.keys(spans).sort()).toEqual([...TREND_ITEMS].sort());
    for (const name of TREND_ITEMS) {
      const t = table(name);
      const time = t.columns.findIndex((c) => c.type === 'datetime');
      const bins = [...new Set(t.rows.map((r) => String(r[time])))].sort();
      const span = await spanOf(spans[name] ?? '');
      expect(bins.length, `${name}: ${span}s of data in ${bins.join(' ')}`).toBeGreaterThanOrEqual(
        Math.min(4, Math.floor(span)),
      );
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
    // Run alone: in the preview's batch an earlier tile may already have computed its input.
    const alone = await run.target.queryLogs(o.query.query);
    expect(plain.stats?.scans.ApiManagementGatewayLogs).toBe(2);
    expect(alone.stats?.scans.ApiManagementGatewayLogs).toBe(1);
    expect(plain.table.rows).toEqual(alone.table.rows);
    expect(alone.table.rows).toEqual(o.result?.table.rows);
  });
});
