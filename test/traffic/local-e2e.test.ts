/**
 * End to end on the local target: C1, C2, D1 and D2 with the default configuration, then the
 * ledger is reconciled with the log store through the KQL engine, per BU, caller, model and
 * mode, request counts and token sums exactly; and again with fault injection on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig } from '../../lib/config/types.js';
import { executeQuery } from '../../lib/kql/index.js';
import { readLedger } from '../../lib/ledger/ledger.js';
import type { Ledger, LedgerEntry, RequestRecord } from '../../lib/ledger/ledger-types.js';
import { createLocalTarget, type LocalTarget } from '../../lib/local/local-target.js';
import type { KqlValue, QueryResult } from '../../lib/target.js';
import { TargetUnavailableError } from '../../lib/errors.js';
import { AI_MODES } from '../../lib/traffic/ai-modes.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { expectedLogCounts } from '../../lib/ledger/expected-logs.js';

let dataDir: string;
let target: LocalTarget | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'traffic-e2e-'));
});
afterEach(async () => {
  await target?.close();
  target = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

const quiet = {} as const;

/** Runs KQL on the target's log store and returns rows as objects. */
async function kql(t: LocalTarget, text: string): Promise<Array<Record<string, KqlValue>>> {
  // Through the target while its queryLogs is wired to the engine; until then the same engine on
  // the same store directly.
  let result: QueryResult;
  try {
    result = await t.queryLogs(text);
  } catch (err) {
    if (!(err instanceof TargetUnavailableError)) throw err;
    result = executeQuery(text, t.store);
  }
  expect(result.status).toBe('success');
  const table = result.table;
  return table.rows.map((row) =>
    Object.fromEntries(table.columns.map((c, i) => [c.name, row[i] ?? null])),
  );
}

/** Every attempt of every source, by the gateway request id it got back. */
function attemptsById(
  ledger: Ledger,
): Map<string, { entry: LedgerEntry; record: RequestRecord; status: number | undefined }> {
  const out = new Map<
    string,
    { entry: LedgerEntry; record: RequestRecord; status: number | undefined }
  >();
  for (const entry of Object.values(ledger.sources)) {
    if (!entry) continue;
    for (const record of entry.requests) {
      for (const a of record.attempts) {
        expect(
          a.requestId,
          `attempt of ${entry.source} #${record.index} has a gateway request id`,
        ).toBeTruthy();
        out.set(a.requestId as string, { entry, record, status: a.status });
      }
    }
  }
  return out;
}

/** Gateway rows per BU x API x status, from KQL, against the ledger's attempts. */
async function reconcileGatewayRows(t: LocalTarget, ledger: Ledger): Promise<number> {
  const fromLogs = new Map<string, number>();
  for (const r of await kql(
    t,
    'ApiManagementGatewayLogs | summarize n = count() by ApimSubscriptionId, ApiId, ResponseCode',
  )) {
    fromLogs.set(
      `${String(r.ApimSubscriptionId)}|${String(r.ApiId)}|${String(r.ResponseCode)}`,
      Number(r.n),
    );
  }
  const fromLedger = new Map<string, number>();
  let attempts = 0;
  for (const entry of Object.values(ledger.sources)) {
    if (!entry) continue;
    for (const record of entry.requests) {
      for (const a of record.attempts) {
        const key = `${record.loggedSubscription ?? record.bu}|${record.api ?? entry.apiId}|${String(a.status)}`;
        fromLedger.set(key, (fromLedger.get(key) ?? 0) + 1);
        attempts += 1;
      }
    }
  }
  expect(Object.fromEntries([...fromLogs].sort())).toEqual(
    Object.fromEntries([...fromLedger].sort()),
  );
  // Row by row: each gateway row is exactly one recorded attempt, with its BU and status.
  const byId = attemptsById(ledger);
  const rows = await kql(
    t,
    'ApiManagementGatewayLogs | project CorrelationId, ApimSubscriptionId, ResponseCode',
  );
  expect(rows).toHaveLength(attempts);
  for (const row of rows) {
    const hit = byId.get(String(row.CorrelationId));
    expect(hit, `gateway row ${String(row.CorrelationId)} is in the ledger`).toBeDefined();
    expect(row.ApimSubscriptionId).toBe(hit?.record.loggedSubscription ?? hit?.record.bu);
    expect(row.ResponseCode).toBe(hit?.status);
  }
  return attempts;
}

/** Per-request LLM tokens (KQL: LLM rows summarized per CorrelationId, joined to gateway rows). */
async function llmPerRequest(t: LocalTarget): Promise<Array<Record<string, KqlValue>>> {
  return kql(
    t,
    `ApiManagementGatewayLlmLog
| summarize Prompt = sum(PromptTokens), Completion = sum(CompletionTokens), Total = sum(TotalTokens),
    Model = take_anyif(DeploymentName, isnotempty(DeploymentName)), Stream = max(iff(IsStreamCompletion, 1, 0)) by CorrelationId
| join kind=inner (ApiManagementGatewayLogs | project CorrelationId, ApimSubscriptionId, OperationId, Injected = tostring(TraceRecords) has 'IncludeUsageInjected') on CorrelationId
| project CorrelationId, ApimSubscriptionId, OperationId, Model, Stream, Injected, Prompt, Completion, Total`,
  );
}

/** Checks AI tokens per request, per BU x model x mode and per model against the LLM log. */
async function reconcileAi(t: LocalTarget, ledger: Ledger): Promise<void> {
  const ai = ledger.sources.ai as LedgerEntry;
  const byId = attemptsById(ledger);
  const cells = new Map<
    string,
    { requests: number; prompt: number; completion: number; total: number }
  >();
  const perModel = new Map<string, number>();
  const rows = await llmPerRequest(t);
  for (const row of rows) {
    const hit = byId.get(String(row.CorrelationId));
    expect(hit?.entry.source, 'LLM rows only come from D1 attempts').toBe('ai');
    const record = hit?.record as RequestRecord;
    const mode = AI_MODES[record.mode ?? -1];
    // What the log says about the request matches the mode the ledger says it was sent in.
    expect(row.ApimSubscriptionId).toBe(record.bu);
    expect(row.Model).toBe(record.model);
    expect(row.OperationId).toBe(
      mode?.surface === 'chat' ? 'chat-completions-create' : 'responses-create',
    );
    expect(row.Stream).toBe(mode?.stream ? 1 : 0);
    expect(row.Injected).toBe(record.mode === 2);
    const key = `${record.bu}|${String(record.model)}|${String(record.mode)}`;
    const c = cells.get(key) ?? { requests: 0, prompt: 0, completion: 0, total: 0 };
    c.prompt += Number(row.Prompt);
    c.completion += Number(row.Completion);
    c.total += Number(row.Total);
    cells.set(key, c);
    perModel.set(String(row.Model), (perModel.get(String(row.Model)) ?? 0) + Number(row.Total));
  }
  // Succeeded requests: the usage the client received equals the log's tokens for that request.
  const rowById = new Map(rows.map((r) => [String(r.CorrelationId), r]));
  for (const record of ai.requests.filter((r) => r.outcome === 'succeeded')) {
    const row = rowById.get(record.requestId as string);
    expect(row, `LLM rows for succeeded request ${record.index}`).toBeDefined();
    expect([Number(row?.Prompt), Number(row?.Completion), Number(row?.Total)]).toEqual([
      record.usage?.promptTokens,
      record.usage?.completionTokens,
      record.usage?.totalTokens,
    ]);
    const key = `${record.bu}|${String(record.model)}|${String(record.mode)}`;
    const c = cells.get(key);
    if (c) c.requests += 1;
  }
  for (const cell of ai.byBuModelMode) {
    const c = cells.get(`${cell.bu}|${cell.model}|${cell.mode}`) ?? {
      requests: 0,
      prompt: 0,
      completion: 0,
      total: 0,
    };
    expect({
      bu: cell.bu,
      model: cell.model,
      mode: cell.mode,
      requests: cell.counts.succeeded,
      prompt: cell.counts.promptTokens,
      completion: cell.counts.completionTokens,
      total: cell.counts.totalTokens,
    }).toEqual({
      bu: cell.bu,
      model: cell.model,
      mode: cell.mode,
      ...c,
    });
  }
  // Per model straight from KQL.
  const models = await kql(
    t,
    'ApiManagementGatewayLlmLog | where isnotempty(DeploymentName) | summarize Total = sum(TotalTokens) by DeploymentName',
  );
  const fromLogs = Object.fromEntries(
    models.map((r) => [String(r.DeploymentName), Number(r.Total)]),
  );
  const fromLedger = Object.fromEntries(
    Object.entries(ai.byModel).map(([m, c]) => [m, c.totalTokens]),
  );
  expect(fromLogs).toEqual(fromLedger);
  expect(Object.fromEntries(perModel)).toEqual(fromLedger);
}

async function reconcileCallers(t: LocalTarget, ledger: Ledger): Promise<void> {
  const rows = await kql(
    t,
    "customMetrics | where name == 'caller-requests' | summarize n = sum(value) by CallerId = tostring(customDimensions.CallerId)",
  );
  const fromLogs = Object.fromEntries(rows.map((r) => [String(r.CallerId), Number(r.n)]));
  // The Entra ID API and both AI APIs emit the metric (C1's costing API does not).
  const fromLedger: Record<string, number> = {};
  for (const source of ['entra', 'real-jwt', 'ai', 'mock-ai'] as const) {
    for (const [c, counts] of Object.entries(ledger.sources[source]?.byCaller ?? {}))
      fromLedger[c] = (fromLedger[c] ?? 0) + counts.attempts;
  }
  expect(fromLogs).toEqual(fromLedger);
}

/** The library's own prediction of the log counts (what E3 shows) equals the logs. */
async function checkExpected(t: LocalTarget, ledger: Ledger): Promise<void> {
  const expected = expectedLogCounts(ledger);
  const cells = await kql(
    t,
    'ApiManagementGatewayLogs | summarize rows = count() by subscription = ApimSubscriptionId, apiId = ApiId, responseCode = ResponseCode | order by subscription asc, apiId asc, responseCode asc',
  );
  expect(expected.uncertainAttempts).toEqual({});
  expect(
    cells.map((c) => ({
      subscription: c.subscription,
      apiId: c.apiId,
      responseCode: c.responseCode,
      rows: c.rows,
    })),
  ).toEqual(expected.cells);
  expect(expected.gatewayRows).toBe(cells.reduce((s, c) => s + Number(c.rows), 0));
  const callers = await kql(
    t,
    "customMetrics | where name == 'caller-requests' | summarize n = count() by CallerId = tostring(customDimensions.CallerId)",
  );
  expect(Object.fromEntries(callers.map((r) => [String(r.CallerId), Number(r.n)]))).toEqual(
    expected.callerRequests,
  );
  const tokens = await kql(
    t,
    'ApiManagementGatewayLlmLog | where TotalTokens > 0 | summarize promptTokens = sum(PromptTokens), completionTokens = sum(CompletionTokens), totalTokens = sum(TotalTokens), requests = dcount(CorrelationId) by DeploymentName',
  );
  expect(
    Object.fromEntries(
      tokens.map((r) => [
        String(r.DeploymentName),
        {
          promptTokens: r.promptTokens,
          completionTokens: r.completionTokens,
          totalTokens: r.totalTokens,
        },
      ]),
    ),
  ).toEqual(expected.llmTokensByModel);
  expect(tokens.reduce((s, r) => s + Number(r.requests), 0)).toBe(expected.llmRequestsWithTokens);
}

async function deploy(cfg: KitConfig): Promise<LocalTarget> {
  target = createLocalTarget(cfg, { dataDir });
  await target.deploy();
  return target;
}

describe('traffic on the local target', () => {
  it('default configuration: C1, C2, D1, D2; the ledger equals the logs per BU, caller, model and mode', async () => {
    const cfg = loadConfig({ local: { dataDir } }, {});
    const t = await deploy(cfg);
    const c1 = await sendTraffic(t, 'bu', quiet);
    const c2 = await sendTraffic(t, 'entra', quiet);
    const d1 = await sendTraffic(t, 'ai', quiet);
    const d2 = await sendTraffic(t, 'mock-ai', quiet);
    expect(c1.planned).toBe(525);
    expect(c2.planned).toBe(525);
    expect(d1.planned).toBe(126);
    expect(d2.status).toBe('skipped');
    expect(d2.reason).toContain('D1 already sent 126 real AI requests');
    // D2 as it runs without a model, so its rows are reconciled too.
    const d2Forced = await sendTraffic(t, 'mock-ai', { ...quiet, force: true });
    expect(d2Forced.totals.totalTokens).toBe(300 * d2Forced.succeeded);

    expect(c1.succeeded).toBe(525 - 27);
    // The deliberate failures: malformed bodies the costing API answers 400, under their BU.
    expect(c1.failedByStatus).toEqual({ '400': 27 });
    expect(c2.succeeded).toBe(525);
    // Issue 18: Marketing's default daily token quota (A1 budgets) refuses its later D1 requests
    // with 403 from llm-token-limit; they are still gateway rows the ledger reconciles below.
    const refused = d1.failedByStatus['403'] ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect(d1.failedByStatus).toEqual({ '403': refused });
    expect(d1.succeeded + refused).toBe(126);
    expect(d2Forced.succeeded).toBe(d2Forced.planned);

    const ledger = await readLedger(cfg);
    const attempts = await reconcileGatewayRows(t, ledger);
    expect(attempts).toBe(525 + 525 + 126 + d2Forced.planned);
    await reconcileCallers(t, ledger);
    await reconcileAi(t, ledger);
    await checkExpected(t, ledger);
    // The original's attribution: BU rows are C1 + D1 only; C2 and D2 carry their API's own key.
    const bySub = await kql(
      t,
      'ApiManagementGatewayLogs | summarize n = count() by ApimSubscriptionId, ApiId',
    );
    const rowsOf = (pred: (r: Record<string, KqlValue>) => boolean): number =>
      bySub.filter(pred).reduce((n, r) => n + Number(r.n), 0);
    expect(rowsOf((r) => String(r.ApimSubscriptionId).startsWith('bu-'))).toBe(525 + 126);
    expect(rowsOf((r) => r.ApimSubscriptionId === 'api-costing-entraid-api')).toBe(525);
    expect(rowsOf((r) => r.ApimSubscriptionId === 'api-costing-token-tracking-api')).toBe(
      d2Forced.planned,
    );
    expect(
      rowsOf((r) => r.ApiId === 'costing-aoai-gateway-api' && r.ApimSubscriptionId !== ''),
    ).toBe(126);
    // Mode 2 got its usage because the gateway injected include_usage: every mode reports tokens.
    for (const [mode, counts] of Object.entries(ledger.sources.ai?.byMode ?? {})) {
      expect(counts.withUsage, `mode ${mode}`).toBe(counts.succeeded);
    }
  });

  it('with faults (10% 429 with Retry-After, 5% 500, some cut streams) every attempt is still accounted for', async () => {
    const cfg = loadConfig({ local: { dataDir } }, {});
    const t = await deploy(cfg);
    t.setFaults({ throttleShare: 0.1, serverErrorShare: 0.05, disconnectShare: 0.1, seed: 7 });
    const d1 = await sendTraffic(t, 'ai', quiet);
    const c1 = await sendTraffic(t, 'bu', {
      ...quiet,
      requestsPerBu: { 'bu-hr': 40, 'bu-finance': 40 },
    });
    const ledger = await readLedger(cfg);
    const ai = ledger.sources.ai as LedgerEntry;
    // Faults happened, and the kit retried them itself.
    expect(ai.totals.attemptsByStatus['429'] ?? 0).toBeGreaterThan(0);
    expect(ai.totals.attemptsByStatus['500'] ?? 0).toBeGreaterThan(0);
    expect(ai.totals.retries).toBeGreaterThan(0);
    expect(ai.requests.some((r) => r.attempts.some((a) => a.error === 'stream-interrupted'))).toBe(
      true,
    );
    // Retried requests count once: sent = planned, each ended one way.
    expect(d1.sent).toBe(126);
    expect(
      d1.succeeded +
        Object.values(d1.failedByStatus).reduce((a, b) => a + b, 0) +
        d1.networkFailures,
    ).toBe(126);
    expect(c1.sent).toBe(80);

    const attempts = await reconcileGatewayRows(t, ledger);
    expect(attempts).toBe(ai.totals.attempts + (ledger.sources.bu?.totals.attempts ?? 0));
    // The ledger's failure counts equal the log's.
    const failures = await kql(
      t,
      "ApiManagementGatewayLogs | where ApiId == 'costing-aoai-gateway-api' and ResponseCode >= 400 | summarize n = count() by ResponseCode",
    );
    const fromLogs = Object.fromEntries(failures.map((r) => [String(r.ResponseCode), Number(r.n)]));
    const fromLedger = Object.fromEntries(
      Object.entries(ai.totals.attemptsByStatus).filter(([s]) => Number(s) >= 400),
    );
    // C1's failures stay on the costing API: the AOAI API's failures are D1's alone.
    expect(Object.keys(ledger.sources.bu?.byApi ?? {})).toEqual(['costing-subscription-api']);
    expect(fromLogs).toEqual(fromLedger);
    await reconcileAi(t, ledger);
    await checkExpected(t, ledger);
  });
});
