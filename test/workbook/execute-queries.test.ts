/**
 * Every workbook query on the local KQL engine over a tiny hand-made log set whose answers are
 * known, and the scan counts of the materialize() queries.
 */
import { describe, expect, it } from 'vitest';
import { executeQuery } from '../../lib/kql/index.js';
import { createLogStore } from '../../lib/local/log-store.js';
import type { KqlTable, KqlValue, QueryResult } from '../../lib/target.js';
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
  // Regular BU traffic, including a 404 and a row outside the 24-hour range.
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
    TimeGenerated: at(3000),
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
  __APP_INSIGHTS_NAME__: 'appi-test',
  __APIM_SKU__: 'Basic v2',
  __BASE_MONTHLY_COST__: '100',
  __PER_K_RATE__: '2',
  __PROMPT_TOKEN_RATE__: '0.001',
  __COMPLETION_TOKEN_RATE__: '0.01',
});
const queries = listWorkbookQueries(workbook, { now });
const results = new Map<string, QueryResult>(
  queries.map((q) => [q.name, executeQuery(q.query, store, { now })]),
);

function rows(name: string): Record<string, KqlValue>[] {
  const r = results.get(name);
  if (r?.status !== 'success') throw new Error(`${name}: ${JSON.stringify(r)}`);
  const t: KqlTable = r.table;
  return t.rows.map((row) => Object.fromEntries(t.columns.map((c, i) => [c.name, row[i] ?? null])));
}
const tiles = (name: string): Record<string, number> =>
  Object.fromEntries(rows(name).map((r) => [String(r.Metric), Number(r.Value)]));

describe('workbook queries on the local engine (known answers)', () => {
  it('runs every query successfully', () => {
    const failed = queries
      .filter((q) => results.get(q.name)?.status !== 'success')
      .map((q) => q.name);
    expect(failed).toEqual([]);
    expect(queries.length).toBeGreaterThanOrEqual(30);
  });

  it('counts the AI gateway tiles', () => {
    expect(tiles('ai-tiles-inbound-all')).toEqual({ 'AI Requests (all subs)': 9 });
    expect(tiles('ai-tiles-inbound-per-bu')).toEqual({ hr: 4, finance: 4 });
    expect(tiles('ai-tiles-successful')).toEqual({
      'Successful (all 2xx)': 7,
      'Successful (2xx, with tokens)': 6,
      'Successful (no tokens)': 1,
    });
    expect(tiles('ai-tiles-errors')).toEqual({
      'Throttled (429)': 1,
      'Client Errors (4xx)': 0,
      'Server Errors (5xx)': 1,
    });
    expect(tiles('ai-tiles-tokens')).toEqual({
      'Total Tokens': 2750,
      'Prompt Tokens': 2500,
      'Completion Tokens': 250,
    });
  });

  it('allocates the base and variable cost per BU', () => {
    // 11 BU rows in range: finance 6, hr 5 (the master-key row and the 2-day-old row are out).
    // Base 100 USD x share, rounded to 4 decimals; variable = requests x 2 / 1000.
    expect(rows('subscription-cost-allocation')).toEqual([
      {
        BusinessUnit: 'finance',
        Requests: 6,
        SharePct: 54.55,
        BaseCostShare: 54.5455,
        VariableCost: 0.012,
        // Unrounded in KQL (the grid shows 2 decimals), so E3 compares it with the ledger exactly.
        TotalCost: expect.closeTo(54.5575, 4),
      },
      {
        BusinessUnit: 'hr',
        Requests: 5,
        SharePct: 45.45,
        BaseCostShare: 45.4545,
        VariableCost: 0.01,
        TotalCost: expect.closeTo(45.4645, 4),
      },
    ]);
  });

  it('reconciles token scopes and prices tokens per BU', () => {
    expect(
      rows('ai-scope-reconciliation').map((r) => [r.Scope, r.Requests, r.TotalTokens]),
    ).toEqual([
      ['LLM log (all)', 6, 2750],
      ['AI APIs', 6, 2750],
      ['BU showback', 5, 1650],
    ]);
    const finance = rows('ai-token-cost-allocation').find((r) => r.BusinessUnit === 'finance');
    expect(finance).toMatchObject({ Requests: 3, PromptTokens: 1200, CompletionTokens: 120 });
    expect(Number(finance?.TotalCost)).toBeCloseTo(1.2 * 0.001 + 0.12 * 0.01, 9);
  });

  it('explains the successful request without tokens', () => {
    expect(rows('ai-token-coverage')).toEqual([
      expect.objectContaining({
        BusinessUnit: 'hr',
        ApiId: MOCK,
        Requests: 1,
        LikelyCause: 'Mock response from the gateway: no model call, so no LLM log',
      }),
    ]);
  });

  it('tells delivery modes and usage provenance apart per request', () => {
    const byId = new Map(rows('detail-requests').map((r) => [r.CorrelationId, r]));
    expect(byId.size).toBe(9);
    expect(byId.get('a0')).toMatchObject({
      BusinessUnit: 'hr',
      ApiSurface: 'Chat Completions',
      Model: 'gpt-5-mini',
      DeliveryMode: 'Non-streaming',
      UsageProvenance: 'Response body',
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
      UsageProvenance: 'Responses stream final event',
    });
    expect(byId.get('a5')).toMatchObject({
      DeliveryMode: 'Unknown (no LLM log)',
      UsageProvenance: 'None',
      TotalTokens: 0,
      CostUsd: 0,
      ResponseCode: 429,
    });
    expect(byId.get('m0')).toMatchObject({ ApiSurface: 'Mock (token tracking)' });
    expect(byId.get('x0')).toMatchObject({ BusinessUnit: 'master' });
    expect(Number(byId.get('a0')?.CostUsd)).toBeCloseTo(0.1 * 0.001 + 0.01 * 0.01, 9);
  });

  it('sums caller-requests by caller', () => {
    expect(rows('entra-usage-table')).toEqual([
      { CallerId: 'app-1', Requests: 6, SharePct: 85.71 },
      { CallerId: 'app-2', Requests: 1, SharePct: 14.29 },
    ]);
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
