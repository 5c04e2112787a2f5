/**
 * Every workbook query on the local KQL engine over a tiny hand-made log set whose answers are
 * known, and the scan counts of the materialize() queries.
 */
import { describe, expect, it } from 'vitest';
import { executeQuery } from '../../lib/kql/index.js';
import { createLogStore } from '../../lib/local/log-store.js';
import type { KqlTable, KqlValue, QueryResult } from '../../lib/target.js';
import { getModelPricing, modelPriceRows, tokenCost } from '../../lib/pricing/pricing.js';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';
import { fillPlaceholders, loadWorkbook } from '../../lib/workbook/workbook-json.js';

const now = new Date('2026-11-27T10:30:00Z');
const at = (minutesAgo: number): string =>
  new Date(now.getTime() - minutesAgo * 60_000).toISOString();
const AOAI = 'costing-aoai-gateway-api';
const MOCK = 'costing-token-tracking-api';
const injected = [
  {
    source: 'ensure-stream-include-usage',
    severity: 'information',
    message: 'IncludeUsageInjected: stream_options.include_usage set to true',
  },
];

const store = createLogStore();
store.appendRows('ApiManagementGatewayLogs', [
  // AI requests: one per mode, a throttled one, a backend 500, a mock one, one from a non-BU key.
  {
    TimeGenerated: at(50),
    CorrelationId: 'a0',
    ApimSubscriptionId: 'bu-hr',
    ApiId: AOAI,
    OperationId: 'chat-completions-create',
    ResponseCode: 200,
    TotalTime: 120,
  },
  {
    TimeGenerated: at(49),
    CorrelationId: 'a1',
    ApimSubscriptionId: 'bu-hr',
    ApiId: AOAI,
    OperationId: 'chat-completions-create',
    ResponseCode: 200,
    TotalTime: 130,
  },
  {
    TimeGenerated: at(48),
    CorrelationId: 'a2',
    ApimSubscriptionId: 'bu-finance',
    ApiId: AOAI,
    OperationId: 'chat-completions-create',
    ResponseCode: 200,
    TotalTime: 140,
    TraceRecords: injected,
  },
  {
    TimeGenerated: at(47),
    CorrelationId: 'a3',
    ApimSubscriptionId: 'bu-finance',
    ApiId: AOAI,
    OperationId: 'responses-create',
    ResponseCode: 200,
    TotalTime: 150,
  },
  {
    TimeGenerated: at(46),
    CorrelationId: 'a4',
    ApimSubscriptionId: 'bu-finance',
    ApiId: AOAI,
    OperationId: 'responses-create',
    ResponseCode: 200,
    TotalTime: 160,
  },
  {
    TimeGenerated: at(45),
    CorrelationId: 'a5',
    ApimSubscriptionId: 'bu-finance',
    ApiId: AOAI,
    OperationId: 'responses-create',
    ResponseCode: 429,
    TotalTime: 2,
  },
  {
    TimeGenerated: at(44),
    CorrelationId: 'a6',
    ApimSubscriptionId: 'bu-hr',
    ApiId: AOAI,
    OperationId: 'responses-create',
    ResponseCode: 500,
    TotalTime: 40,
  },
  // A stream whose usage never reached the model, and a model missing from the price table.
  {
    TimeGenerated: at(41),
    CorrelationId: 'a7',
    ApimSubscriptionId: 'bu-hr',
    ApiId: AOAI,
    OperationId: 'chat-completions-create',
    ResponseCode: 200,
    TotalTime: 170,
    BackendTime: 150,
  },
  {
    TimeGenerated: at(40),
    CorrelationId: 'a8',
    ApimSubscriptionId: 'bu-finance',
    ApiId: AOAI,
    OperationId: 'chat-completions-create',
    ResponseCode: 200,
    TotalTime: 180,
    BackendTime: 160,
  },
  {
    TimeGenerated: at(43),
    CorrelationId: 'm0',
    ApimSubscriptionId: 'bu-hr',
    ApiId: MOCK,
    OperationId: 'mock-chat',
    ResponseCode: 200,
    TotalTime: 3,
  },
  {
    TimeGenerated: at(42),
    CorrelationId: 'x0',
    ApimSubscriptionId: 'master',
    ApiId: AOAI,
    OperationId: 'chat-completions-create',
    ResponseCode: 200,
    TotalTime: 90,
  },
  // Regular BU traffic, including a 404 and a row outside the 30-day range.
  {
    TimeGenerated: at(30),
    CorrelationId: 'b0',
    ApimSubscriptionId: 'bu-hr',
    ApiId: 'costing-subscription-api',
    OperationId: 'get-status',
    ResponseCode: 200,
    TotalTime: 10,
  },
  {
    TimeGenerated: at(29),
    CorrelationId: 'b1',
    ApimSubscriptionId: 'bu-finance',
    ApiId: 'costing-subscription-api',
    OperationId: 'get-status',
    ResponseCode: 200,
    TotalTime: 12,
  },
  {
    TimeGenerated: at(28),
    CorrelationId: 'b2',
    ApimSubscriptionId: 'bu-finance',
    ApiId: 'costing-subscription-api',
    OperationId: 'get-status',
    ResponseCode: 404,
    TotalTime: 1,
  },
  {
    TimeGenerated: at(31 * 24 * 60),
    CorrelationId: 'old',
    ApimSubscriptionId: 'bu-hr',
    ApiId: 'costing-subscription-api',
    OperationId: 'get-status',
    ResponseCode: 200,
    TotalTime: 1,
  },
]);
const llm = (
  id: string,
  minutesAgo: number,
  model: string,
  p: number,
  c: number,
  stream: boolean,
): Record<string, KqlValue>[] => [
  {
    TimeGenerated: at(minutesAgo),
    CorrelationId: id,
    SequenceNumber: 0,
    IsStreamCompletion: stream,
  },
  {
    TimeGenerated: at(minutesAgo),
    CorrelationId: id,
    SequenceNumber: 1,
    ModelName: model,
    DeploymentName: model.slice(0, -11),
    PromptTokens: p,
    CompletionTokens: c,
    TotalTokens: p + c,
    IsStreamCompletion: stream,
  },
];
store.appendRows('ApiManagementGatewayLlmLog', [
  ...llm('a0', 50, 'gpt-5-mini-2025-08-07', 100, 10, false),
  ...llm('a1', 49, 'gpt-5-mini-2025-08-07', 200, 20, true),
  ...llm('a2', 48, 'gpt-4o-mini-2024-07-18', 300, 30, true),
  ...llm('a3', 47, 'gpt-4o-mini-2024-07-18', 400, 40, false),
  ...llm('a4', 46, 'gpt-4.1-nano-2025-04-14', 500, 50, true),
  ...llm('x0', 42, 'gpt-4.1-nano-2025-04-14', 1000, 100, false),
  ...llm('a7', 41, 'gpt-5-mini-2025-08-07', 0, 0, true),
  ...llm('a8', 40, 'acme-model-2026-01-01', 100, 10, false),
]);
const metric = (caller: string, minutesAgo: number, n: number): Record<string, KqlValue> => ({
  timestamp: at(minutesAgo),
  name: 'caller-requests',
  value: n,
  valueSum: n,
  valueCount: n,
  customDimensions: { CallerId: caller, API: 'costing-entraid-api', Operation: 'get-status' },
});
store.appendRows('customMetrics', [
  metric('app-1', 20, 3),
  metric('app-2', 20, 1),
  metric('app-1', 80, 2),
  metric('app-1', 10, 1),
  { ...metric('app-3', 10, 5), name: 'other-metric' },
]);

const workbook = fillPlaceholders(loadWorkbook(), {
  __APP_INSIGHTS_ID__:
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi-test',
  __APIM_SKU__: 'Basic v2',
  __BASE_MONTHLY_COST__: '100',
  __PER_K_RATE__: '2',
  __PROMPT_TOKEN_RATE__: '0.001',
  __COMPLETION_TOKEN_RATE__: '0.01',
  __MODEL_PRICES__: modelPriceRows(),
});
const queries = listWorkbookQueries(workbook, { now });
const results = new Map<string, QueryResult>(
  queries.map((q) => [q.name, executeQuery(q.query, store, { now })]),
);

/** One item's rows with some parameters set as a user would set them. */
function rowsWith(name: string, values: Record<string, string>): Record<string, KqlValue>[] {
  const q = listWorkbookQueries(workbook, { now, values }).find((x) => x.name === name);
  if (q === undefined) throw new Error(`no query ${name}`);
  const r = executeQuery(q.query, store, { now });
  if (r.status !== 'success') throw new Error(`${name}: ${JSON.stringify(r)}`);
  return r.table.rows.map((row) =>
    Object.fromEntries(r.table.columns.map((c, i) => [c.name, row[i] ?? null])),
  );
}

function rows(name: string): Record<string, KqlValue>[] {
  const r = results.get(name);
  if (r?.status !== 'success') throw new Error(`${name}: ${JSON.stringify(r)}`);
  const t: KqlTable = r.table;
  return t.rows.map((row) => Object.fromEntries(t.columns.map((c, i) => [c.name, row[i] ?? null])));
}
const tiles = (name: string): Record<string, number> =>
  Object.fromEntries(rows(name).map((r) => [String(r.Metric), Number(r.Value)]));
const subtitles = (name: string): Record<string, string> =>
  Object.fromEntries(rows(name).map((r) => [String(r.Metric), String(r.Status)]));

describe('workbook queries on the local engine (known answers)', () => {
  it('runs every query successfully', () => {
    const failed = queries
      .filter((q) => results.get(q.name)?.status !== 'success')
      .map((q) => q.name);
    expect(failed).toEqual([]);
    expect(queries.length).toBeGreaterThanOrEqual(30);
  });

  it('counts the AI gateway tiles, 429 inside the 4xx, with the subtitles', () => {
    expect(tiles('ai-tiles-inbound-all')).toEqual({ 'AI Requests (all subs)': 11 });
    expect(tiles('ai-tiles-inbound-per-bu')).toEqual({ hr: 5, finance: 5 });
    // Backend and token tiles count business-unit requests (the master-key x0 is out).
    expect(tiles('ai-tiles-successful')).toEqual({
      'Successful (all 2xx)': 8,
      'Successful (2xx, with tokens)': 6,
      'Successful (no tokens)': 2,
    });
    expect(tiles('ai-tiles-errors')).toEqual({
      'Client Errors (4xx)': 1,
      'Throttled (429)': 1,
      'Server Errors (5xx)': 1,
    });
    expect(subtitles('ai-tiles-successful')).toEqual({
      'Successful (all 2xx)': 'all 2xx',
      'Successful (2xx, with tokens)': 'billable - 75%',
      'Successful (no tokens)': '⚠ investigate - 25%',
    });
    expect(subtitles('ai-tiles-errors')).toEqual({
      'Client Errors (4xx)': 'all 4xx incl. 429',
      'Throttled (429)': 'rate limited - 100%',
      'Server Errors (5xx)': 'backend / APIM',
    });
    expect(subtitles('ai-tiles-inbound-per-bu')).toEqual({
      hr: '50% of BU AI requests',
      finance: '50% of BU AI requests',
    });
    expect(tiles('ai-tiles-tokens')).toEqual({
      'Total Tokens': 1760,
      'Prompt Tokens': 1600,
      'Completion Tokens': 160,
    });
  });

  it('prices every model at its own list price, and an unlisted one at the fallback rates', () => {
    const price = (model: string, p: number, c: number): number =>
      tokenCost(p, c, getModelPricing(model));
    const fallback = 0.1 * 0.001 + 0.01 * 0.01;
    const finance =
      price('gpt-4o-mini', 300, 30) +
      price('gpt-4o-mini', 400, 40) +
      price('gpt-4.1-nano', 500, 50) +
      fallback;
    const hr = price('gpt-5-mini', 100, 10) + price('gpt-5-mini', 200, 20);
    const byBu = rows('ai-token-cost-allocation');
    expect(byBu.map((r) => r.BusinessUnit)).toEqual(['finance', 'hr']);
    expect(byBu[0]).toMatchObject({
      Requests: 4,
      Models: 3,
      PromptTokens: 1300,
      CompletionTokens: 130,
      AtFallbackRates: 1,
    });
    expect(Number(byBu[0]?.TotalCost)).toBeCloseTo(finance, 12);
    expect(byBu[1]).toMatchObject({ Requests: 3, Models: 1, AtFallbackRates: 0 });
    expect(Number(byBu[1]?.TotalCost)).toBeCloseTo(hr, 12);
    expect(tiles('ai-tiles-token-cost')['Token cost (USD)']).toBeCloseTo(finance + hr, 12);
    expect(subtitles('ai-tiles-token-cost')).toEqual({
      'Token cost (USD)': '1 request at the fallback rates',
    });
    const byModel = rows('ai-token-cost-by-model').map((r) => [
      r.BusinessUnit,
      r.Model,
      r.Requests,
      r.TotalTokens,
      r.PromptPer1K,
      r.CompletionPer1K,
      r.Price,
    ]);
    expect(byModel).toEqual([
      // Within a BU, by cost: acme-model's 110 tokens at the fallback rates cost the most.
      ['finance', 'acme-model', 1, 110, 0.001, 0.01, 'fallback rates'],
      ['finance', 'gpt-4o-mini', 2, 770, 0.00015, 0.0006, 'list price'],
      ['finance', 'gpt-4.1-nano', 1, 550, 0.0001, 0.0004, 'list price'],
      ['hr', 'gpt-5-mini', 2, 330, 0.00025, 0.002, 'list price'],
    ]);
    expect(rows('overview-model-prices').map((r) => r.Model)).toEqual([
      'gpt-4.1-nano',
      'gpt-4o-mini',
      'gpt-5-mini',
    ]);
  });

  it('allocates the base and variable cost per BU', () => {
    // 13 BU rows in range: finance 7, hr 6 (the master-key row and the 31-day-old row are out).
    // Base 100 USD x share, rounded to 4 decimals; variable = requests x 2 / 1000.
    expect(rows('subscription-cost-allocation')).toEqual([
      {
        BusinessUnit: 'finance',
        Requests: 7,
        SharePct: 53.85,
        BaseCostShare: 53.8462,
        VariableCost: 0.014,
        // Unrounded in KQL (the grid shows 2 decimals), so E3 compares it with the ledger exactly.
        TotalCost: expect.closeTo((100 * 7) / 13 + 0.014, 9),
      },
      {
        BusinessUnit: 'hr',
        Requests: 6,
        SharePct: 46.15,
        BaseCostShare: 46.1538,
        VariableCost: 0.012,
        TotalCost: expect.closeTo((100 * 6) / 13 + 0.012, 9),
      },
    ]);
  });

  it('splits the cost per BU and API, and counts response classes per BU', () => {
    expect(
      rows('subscription-cost-by-bu-api').map((r) => [
        r.BusinessUnit,
        r.ApiId,
        r.Requests,
        r.TotalCost,
      ]),
    ).toEqual([
      ['finance', AOAI, 5, Math.round(((100 * 5) / 13 + 0.01) * 1e4) / 1e4],
      ['finance', 'costing-subscription-api', 2, Math.round(((100 * 2) / 13 + 0.004) * 1e4) / 1e4],
      ['hr', AOAI, 4, Math.round(((100 * 4) / 13 + 0.008) * 1e4) / 1e4],
      ['hr', 'costing-subscription-api', 1, Math.round(((100 * 1) / 13 + 0.002) * 1e4) / 1e4],
      ['hr', MOCK, 1, Math.round(((100 * 1) / 13 + 0.002) * 1e4) / 1e4],
    ]);
    // The selected BU keeps its share of all BU requests.
    expect(
      rowsWith('subscription-cost-by-bu-api', { SelectedBu: 'hr' }).map((r) => r.BaseCostShare),
    ).toEqual([30.7692, 7.6923, 7.6923]);
    expect(rows('subscription-response-classes')).toEqual([
      { BusinessUnit: 'finance', '2xx': 5, '3xx': 0, '4xx': 2, '5xx': 0 },
      { BusinessUnit: 'hr', '2xx': 5, '3xx': 0, '4xx': 0, '5xx': 1 },
    ]);
  });

  it('trends the cost of the selected BU (base share, variable, total) or of every BU', () => {
    const one = rowsWith('subscription-drilldown-cost-trend', { SelectedBu: 'finance' });
    expect(new Set(one.map((r) => r.Series))).toEqual(
      new Set(['Base cost share', 'Variable cost', 'Total allocated']),
    );
    const all = rows('subscription-drilldown-cost-trend');
    expect(new Set(all.map((r) => r.Series))).toEqual(new Set(['finance', 'hr']));
    // Each period allocates the whole base cost (plus the variable part) across the BUs.
    const perPeriod = new Map<string, number>();
    for (const r of all)
      perPeriod.set(
        String(r.TimeGenerated),
        (perPeriod.get(String(r.TimeGenerated)) ?? 0) + Number(r.CostUsd),
      );
    for (const total of perPeriod.values()) expect(total).toBeGreaterThanOrEqual(100);
    // About 50 minutes of data: 1-minute bins (the 30-day grain alone would be 12 hours).
    expect(perPeriod.size).toBeGreaterThan(5);
  });

  it('reconciles token scopes', () => {
    expect(
      rows('ai-scope-reconciliation').map((r) => [r.Scope, r.Requests, r.TotalTokens]),
    ).toEqual([
      ['LLM log (all)', 8, 2860],
      ['AI APIs', 8, 2860],
      ['BU showback', 7, 1760],
    ]);
  });

  it('explains the successful requests without tokens', () => {
    expect(rows('ai-token-coverage')).toEqual([
      expect.objectContaining({
        BusinessUnit: 'hr',
        ApiId: AOAI,
        Requests: 1,
        LikelyCause: 'Stream with no usage: stream_options.include_usage did not reach the model',
      }),
      expect.objectContaining({
        BusinessUnit: 'hr',
        ApiId: MOCK,
        Requests: 1,
        LikelyCause: 'Mock response from the gateway: no model call, so no LLM log',
      }),
    ]);
  });

  it('splits delivery modes in five classes, and a stream with no usage apart', () => {
    expect(
      Object.fromEntries(rows('ai-streaming-pie').map((r) => [r.DeliveryMode, r.Requests])),
    ).toEqual({
      'Chat (non-streaming)': 3,
      'Chat streaming (client-supplied usage)': 1,
      'Chat streaming (policy-injected usage)': 1,
      'Chat streaming (no usage)': 1,
      'Responses (non-streaming)': 1,
      'Responses (streaming)': 1,
    });
    const provenance = rows('ai-streaming-breakdown').map((r) => [
      r.BusinessUnit,
      r.Model,
      r.ApiSurface,
      r.DeliveryMode,
      r.UsageProvenance,
      r.Requests,
    ]);
    expect(provenance).toEqual(
      expect.arrayContaining([
        ['hr', 'gpt-5-mini', 'Chat Completions', 'Non-streaming', 'N/A (non-streaming)', 1],
        ['hr', 'gpt-5-mini', 'Chat Completions', 'Streaming', 'Client-supplied include_usage', 1],
        ['hr', 'gpt-5-mini', 'Chat Completions', 'Streaming', 'No usage', 1],
        [
          'finance',
          'gpt-4o-mini',
          'Chat Completions',
          'Streaming',
          'Policy-injected include_usage',
          1,
        ],
        ['finance', 'gpt-4o-mini', 'Responses', 'Non-streaming', 'N/A (Responses API)', 1],
        ['finance', 'gpt-4.1-nano', 'Responses', 'Streaming', 'N/A (Responses API)', 1],
      ]),
    );
    expect(
      Object.fromEntries(rows('ai-tokens-by-model-pie').map((r) => [r.Model, r.TotalTokens])),
    ).toEqual({
      'gpt-4.1-nano': 1650,
      'gpt-4o-mini': 770,
      'gpt-5-mini': 330,
      'acme-model': 110,
    });
  });

  it('shows token use as a share of PTU capacity, peak per period, per BU and for all', () => {
    const util = rows('ai-ptu-utilisation');
    expect(new Set(util.map((r) => r.BusinessUnit))).toEqual(
      new Set(['hr', 'finance', 'master', 'All callers']),
    );
    // About 10 minutes of LLM rows: 15-second periods, each the tokens of the minute ending
    // there. The requests are a minute apart, so no minute holds two: finance's busiest is a4's
    // 550 tokens (1.83% of 30,000), all callers' is x0's 1,100 (master key; 3.67%).
    const all = util.filter((r) => r.BusinessUnit === 'All callers');
    expect(Math.max(...all.map((r) => Number(r.UtilisationPct)))).toBe(3.67);
    expect(
      Math.max(
        ...util.filter((r) => r.BusinessUnit === 'finance').map((r) => Number(r.UtilisationPct)),
      ),
    ).toBe(1.83);
    // A minute holds a request for four 15-second periods after it (no extrapolation).
    const a4 = util.filter((r) => r.BusinessUnit === 'finance' && r.UtilisationPct === 1.83);
    expect(a4).toHaveLength(4);
  });

  it('lists every BU request, AI and non-AI, newest first, stopping at Max rows', () => {
    const all = rows('detail-requests');
    expect(all.map((r) => r.CorrelationId)).toEqual([
      'b2',
      'b1',
      'b0',
      'a8',
      'a7',
      'm0',
      'a6',
      'a5',
      'a4',
      'a3',
      'a2',
      'a1',
      'a0',
    ]);
    expect(tiles('detail-record-count')).toEqual({ 'Record count': 13 });
    expect(subtitles('detail-record-count')).toEqual({ 'Record count': 'showing 13 of 13' });
    const three = rowsWith('detail-requests', { MaxRows: '3', DateTimeFormat: 'HH:mm' });
    expect(three.map((r) => [r.CorrelationId, r.Timestamp])).toEqual([
      ['b2', '10:02'],
      ['b1', '10:01'],
      ['b0', '10:00'],
    ]);
    expect(
      Object.fromEntries(
        rowsWith('detail-record-count', { MaxRows: '3' }).map((r) => [r.Metric, r.Status]),
      ),
    ).toEqual({ 'Record count': 'showing 3 of 13 (Max rows)' });
  });

  it('tells delivery modes and usage provenance apart per request', () => {
    const byId = new Map(rows('detail-requests').map((r) => [r.CorrelationId, r]));
    expect(byId.get('a0')).toMatchObject({
      BusinessUnit: 'hr',
      ApiSurface: 'Chat Completions',
      Model: 'gpt-5-mini',
      DeliveryMode: 'Non-streaming',
      UsageProvenance: 'N/A (non-streaming)',
      GatewayMs: 120,
    });
    expect(byId.get('a1')).toMatchObject({
      DeliveryMode: 'Streaming',
      UsageProvenance: 'Client-supplied include_usage',
    });
    expect(byId.get('a2')).toMatchObject({
      DeliveryMode: 'Streaming',
      UsageProvenance: 'Policy-injected include_usage',
      Model: 'gpt-4o-mini',
    });
    expect(byId.get('a4')).toMatchObject({
      ApiSurface: 'Responses',
      UsageProvenance: 'N/A (Responses API)',
    });
    expect(byId.get('a7')).toMatchObject({
      DeliveryMode: 'Streaming',
      UsageProvenance: 'No usage',
    });
    expect(byId.get('a5')).toMatchObject({
      DeliveryMode: 'No LLM log',
      UsageProvenance: 'No LLM log',
      TotalTokens: 0,
      TotalCost: 0,
      ResponseCode: 429,
    });
    expect(byId.get('b2')).toMatchObject({
      ApiSurface: 'Not AI',
      DeliveryMode: '',
      UsageProvenance: '',
      ResponseCode: 404,
    });
    expect(byId.get('a8')).toMatchObject({ GatewayMs: 180, BackendMs: 160, Model: 'acme-model' });
    expect(byId.get('m0')).toMatchObject({ ApiSurface: 'Mock (token tracking)' });
    expect(byId.has('x0')).toBe(false);
    expect(Number(byId.get('a0')?.PromptCost)).toBeCloseTo(0.1 * 0.00025, 12);
    expect(Number(byId.get('a0')?.TotalCost)).toBeCloseTo(
      tokenCost(100, 10, getModelPricing('gpt-5-mini')),
      12,
    );
  });

  it('sums caller-requests by caller, names callers, and allocates the base share only', () => {
    expect(rows('entra-usage-table')).toEqual([
      { Caller: 'app-1', CallerId: 'app-1', Requests: 6, SharePct: 85.71 },
      { Caller: 'app-2', CallerId: 'app-2', Requests: 1, SharePct: 14.29 },
    ]);
    const named = rowsWith('entra-cost-allocation', { AppIdNames: '{"app-1":"HR Service"}' });
    expect(named).toEqual([
      {
        Caller: 'HR Service',
        CallerId: 'app-1',
        Requests: 6,
        SharePct: 85.71,
        AllocatedCost: expect.closeTo((100 * 6) / 7, 9),
      },
      {
        Caller: 'app-2',
        CallerId: 'app-2',
        Requests: 1,
        SharePct: 14.29,
        AllocatedCost: expect.closeTo(100 / 7, 9),
      },
    ]);
    const trend = rows('entra-request-trend');
    expect(trend.reduce((n, r) => n + Number(r.Requests), 0)).toBe(7);
  });
});

describe('materialize() scans its base table once', () => {
  const materialized = queries.filter((q) => q.template.includes('materialize('));

  it('is used by the queries that reuse a base set', () => {
    expect(materialized.map((q) => q.name)).toEqual(
      expect.arrayContaining([
        'subscription-cost-allocation',
        'entra-cost-allocation',
        'ai-tiles-successful',
        'ai-tiles-errors',
        'ai-scope-reconciliation',
      ]),
    );
  });

  for (const q of materialized) {
    it(`${q.name}: each table once with materialize(), more often without`, () => {
      const withIt = results.get(q.name);
      for (const [table, n] of Object.entries(withIt?.stats?.scans ?? {})) expect(n, table).toBe(1);
      const without = executeQuery(q.query.replaceAll('materialize(', '('), store, { now });
      expect(without.table.rows).toEqual(withIt?.table.rows);
      const more = Object.entries(without.stats?.scans ?? {}).filter(
        ([t, n]) => n > (withIt?.stats?.scans[t] ?? 0),
      );
      expect(more.length, JSON.stringify(without.stats?.scans)).toBeGreaterThan(0);
    });
  }
});
