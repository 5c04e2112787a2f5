/**
 * Cells E1 and E2: wait until the logs and metrics of this run have arrived, then show them.
 * Queries come from `kql/`; the window is the ledger's run (from the first traffic cell's
 * start), so a second Run All does not count the first one's rows.
 */
import { waitForRows, type WaitForRowsOptions } from './wait-for-rows.js';
import type { KitConfig } from '../config/load-config.js';
import { showChart, barFigure, pieFigure } from '../output/charts.js';
import { createLiveLine } from '../output/mime.js';
import { KitError, MissingStepError } from '../errors.js';
import { loadQuery } from '../kql/index.js';
import { readLedger, type Ledger } from '../ledger/ledger.js';
import { showTable } from '../output/tables.js';
import type {
  CostingTarget,
  KqlTable,
  KqlValue,
  OperationOptions,
  QueryResult,
} from '../target.js';
import { expectedLogCounts, type ExpectedLogCounts } from '../ledger/expected-logs.js';

/**
 * How E1/E2 poll: Azure resource logs usually land in 3-10 minutes (a new workspace can take
 * much longer), so poll slowly for up to 20 minutes; the local store is checked every 200 ms.
 */
export function ingestionPolling(
  config: KitConfig,
  timespan: string,
  options: OperationOptions,
): Pick<
  WaitForRowsOptions,
  'timespan' | 'timeoutMs' | 'initialIntervalMs' | 'maxIntervalMs' | 'signal'
> {
  const azure = config.target === 'azure';
  return {
    timespan,
    timeoutMs:
      options.timeoutMs ??
      (azure ? 20 * 60_000 : Math.max(15_000, config.local.ingestionLagMs * 4)),
    initialIntervalMs: azure ? 15_000 : 200,
    maxIntervalMs: azure ? 60_000 : 1_000,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** The query-API timespan covering this run's traffic: first traffic cell's start to now + 5 min. */
export function runTimespan(ledger: Ledger, now: Date = new Date()): string | undefined {
  const starts = Object.values(ledger.sources)
    .filter((e) => e !== undefined && e.status !== 'skipped')
    .map((e) => Date.parse(e!.startedAt))
    .filter((t) => Number.isFinite(t));
  if (starts.length === 0) return undefined;
  const end = new Date(now.getTime() + 5 * 60_000);
  return `${new Date(Math.min(...starts)).toISOString()}/${end.toISOString()}`;
}

/** Rows of a result as objects. */
export function rowsOf(table: KqlTable): Record<string, KqlValue>[] {
  return table.rows.map((r) =>
    Object.fromEntries(table.columns.map((c, i) => [c.name, r[i] ?? null])),
  );
}

function tableOf(result: QueryResult, what: string): KqlTable {
  if (result.status === 'partial')
    throw new KitError(`${what} returned a partial result: ${result.error}. Run the cell again.`);
  return result.table;
}

async function ledgerOrStop(config: KitConfig): Promise<Ledger> {
  const ledger = await readLedger(config);
  if (runTimespan(ledger) === undefined) {
    throw new MissingStepError('C1 (or D1/D2)', 'Traffic to verify');
  }
  return ledger;
}

/** What E1 found. */
export interface LogsVerification {
  timespan: string;
  expected: ExpectedLogCounts;
  /** `kql/log-ingestion-check.kql`: one row per table. */
  ingestion: KqlTable;
  /** `kql/cost-allocation-subscription.kql`: requests per BU. */
  requestsPerBu: KqlTable;
  /** `kql/bu-token-usage.kql`: tokens per BU, model, surface and mode. */
  tokenUsage: KqlTable;
  waitedMs: number;
}

/**
 * Polls until the gateway log holds every attempt the ledger recorded and the LLM log every
 * request with usage, then runs the per-BU request and token queries (E1).
 * @example const logs = await verifyLogs(target, config); showLogsVerification(logs);
 */
export async function verifyLogs(
  target: CostingTarget,
  config: KitConfig,
  options: OperationOptions = {},
): Promise<LogsVerification> {
  target.requireDeployment();
  const ledger = await ledgerOrStop(config);
  const timespan = runTimespan(ledger)!;
  const expected = expectedLogCounts(ledger);
  const line = createLiveLine();
  const ingestionQuery = loadQuery('log-ingestion-check').text;
  const started = Date.now();
  const poll = ingestionPolling(config, timespan, options);
  const gateway = await waitForRows(
    target,
    `${ingestionQuery} | where Source == 'ApiManagementGatewayLogs'`,
    {
      ...poll,
      minRows: expected.gatewayRows,
      countColumn: 'Rows',
      onProgress: (p) =>
        line.update(`Gateway log: ${p.message} (expecting ${expected.gatewayRows})`),
    },
  );
  if (expected.llmRequestsWithTokens > 0) {
    await waitForRows(target, `${ingestionQuery} | where Source == 'ApiManagementGatewayLlmLog'`, {
      ...poll,
      minRows: expected.llmRequestsWithTokens,
      countColumn: 'AiRequests',
      onProgress: (p) =>
        line.update(
          `LLM log: ${p.message} (expecting ${expected.llmRequestsWithTokens} requests with usage)`,
        ),
    });
  }
  const waitedMs = Date.now() - started;
  line.update(
    `Logs arrived after ${(waitedMs / 1000).toFixed(1)} s (${gateway.attempts} check(s)).`,
  );
  const [ingestion, requestsPerBu, tokenUsage] = await Promise.all([
    target.queryLogs(ingestionQuery, { timespan }),
    target.queryLogs(loadQuery('cost-allocation-subscription').text, { timespan }),
    target.queryLogs(loadQuery('bu-token-usage').text, { timespan }),
  ]);
  return {
    timespan,
    expected,
    ingestion: tableOf(ingestion, 'log-ingestion-check'),
    requestsPerBu: tableOf(requestsPerBu, 'cost-allocation-subscription'),
    tokenUsage: tableOf(tokenUsage, 'bu-token-usage'),
    waitedMs,
  };
}

/** Adds a `Mode` column (`Chat Completions · Streaming`...) to the token usage for the mode chart. */
function withMode(t: KqlTable): KqlTable {
  const surface = t.columns.findIndex((c) => c.name === 'ApiSurface');
  const delivery = t.columns.findIndex((c) => c.name === 'DeliveryMode');
  const usage = t.columns.findIndex((c) => c.name === 'UsageSource');
  return {
    name: t.name,
    columns: [...t.columns, { name: 'Mode', type: 'string' }],
    rows: t.rows.map((r) => [
      ...r,
      `${String(r[surface])} · ${String(r[delivery])} (${String(r[usage])})`,
    ]),
  };
}

/** Shows E1: ingestion, requests and cost per BU, tokens per BU and model, tokens per model and mode. */
export function showLogsVerification(v: LogsVerification): void {
  showTable(v.ingestion, { title: 'Log ingestion (this run)' });
  showChart(
    barFigure(v.requestsPerBu, {
      x: 'BusinessUnit',
      y: ['Requests'],
      title: 'Gateway requests per business unit',
    }),
  );
  showChart(
    barFigure(v.requestsPerBu, {
      x: 'BusinessUnit',
      y: ['BaseCost', 'VariableCost'],
      stacked: true,
      title: 'Cost allocation per business unit (USD/month, estimate): base share + variable',
    }),
  );
  showTable(v.requestsPerBu, {
    title: 'Cost allocation per business unit (kql/cost-allocation-subscription.kql)',
  });
  if (v.tokenUsage.rows.length > 0) {
    showChart(
      barFigure(v.tokenUsage, {
        x: 'BusinessUnit',
        y: ['TotalTokens'],
        series: 'Model',
        stacked: true,
        title: 'Tokens per business unit and model (LLM log)',
      }),
    );
    showChart(
      barFigure(withMode(v.tokenUsage), {
        x: 'Model',
        y: ['Requests'],
        series: 'Mode',
        stacked: true,
        title: 'AI requests per model and mode (API surface, delivery, usage source)',
      }),
    );
    showTable(v.tokenUsage, {
      title: 'Tokens per BU, model, API surface and delivery mode (kql/bu-token-usage.kql)',
    });
  }
}

/** What E2 found. */
export interface MetricsVerification {
  timespan: string;
  expectedRequests: number;
  ingestion: KqlTable;
  /** `kql/caller-metrics-breakdown.kql` with a `Caller` name column added from the configuration. */
  perCaller: KqlTable;
  waitedMs: number;
}

/**
 * Polls the `caller-requests` custom metric until every Entra ID request of this run has
 * arrived, then breaks it down per caller (E2).
 */
export async function verifyMetrics(
  target: CostingTarget,
  config: KitConfig,
  options: OperationOptions = {},
): Promise<MetricsVerification> {
  target.requireDeployment();
  const ledger = await ledgerOrStop(config);
  const timespan = runTimespan(ledger)!;
  const expectedRequests = Object.values(expectedLogCounts(ledger).callerRequests).reduce(
    (a, b) => a + b,
    0,
  );
  const line = createLiveLine();
  const started = Date.now();
  const ingestionQuery = loadQuery('metric-ingestion-check').text;
  const waited = await waitForRows(target, ingestionQuery, {
    ...ingestionPolling(config, timespan, options),
    minRows: expectedRequests,
    countColumn: 'Requests',
    onProgress: (p) =>
      line.update(`caller-requests metric: ${p.message} (expecting ${expectedRequests})`),
  });
  const waitedMs = Date.now() - started;
  line.update(`Metrics arrived after ${(waitedMs / 1000).toFixed(1)} s.`);
  const breakdown = tableOf(
    await target.queryLogs(loadQuery('caller-metrics-breakdown').text, { timespan }),
    'caller-metrics-breakdown',
  );
  const names = new Map(config.callers.map((c) => [c.appId.toLowerCase(), c.name]));
  const idIndex = breakdown.columns.findIndex((c) => c.name === 'CallerId');
  const perCaller: KqlTable = {
    name: breakdown.name,
    columns: [{ name: 'Caller', type: 'string' }, ...breakdown.columns],
    rows: breakdown.rows.map((r) => [
      names.get(String(r[idIndex] ?? '').toLowerCase()) ?? String(r[idIndex] ?? ''),
      ...r,
    ]),
  };
  return {
    timespan,
    expectedRequests,
    ingestion: tableOf(waited.result, 'metric-ingestion-check'),
    perCaller,
    waitedMs,
  };
}

/** Shows E2: the per-caller table and chart. */
export function showMetricsVerification(v: MetricsVerification): void {
  showTable(v.ingestion, { title: 'caller-requests metric ingestion (this run)' });
  showChart(
    barFigure(v.perCaller, {
      x: 'Caller',
      y: ['Requests'],
      title: 'Requests per Entra ID caller (caller-requests metric)',
    }),
  );
  showChart(
    pieFigure(v.perCaller, { x: 'Caller', y: ['Requests'], title: 'Share of caller requests' }),
  );
  showTable(v.perCaller, { title: 'Requests per caller, API and operation' });
}
