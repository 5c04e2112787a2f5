/**
 * Cell E1: waits until the gateway and LLM logs hold this run's traffic, then reads requests,
 * cost and tokens per BU with the queries of `kql/` (prices bound for the configured SKU and
 * models). The window spans every run in the ledger, and the expected counts are their sum (the
 * logs keep every run's rows); `runs` says which rows came from which run.
 */
import { loadQuery } from '../kql/query-files.js';
import { expectedLogCounts, type ExpectedLogCounts } from '../ledger/expected-logs.js';
import { loadPricedQuery } from '../pricing/query-prices.js';
import type { CostingTarget, KqlTable, OperationOptions } from '../target.js';
import { ingestionPolling, trafficToVerify, wholeTable } from './ingestion-polling.js';
import { notLateButLost } from './lost-log-lines.js';
import { attributeGatewayRows, type RunAttribution } from './run-attribution.js';
import { waitForRows } from './wait-for-rows.js';

/** What E1 found. */
export interface LogsVerification {
  timespan: string;
  expected: ExpectedLogCounts;
  /** `kql/log-ingestion-check.kql`: one row per table. */
  ingestion: KqlTable;
  /** `kql/cost-allocation-subscription.kql`: requests and cost per BU. */
  requestsPerBu: KqlTable;
  /** `kql/bu-token-usage.kql`: tokens per BU, model, surface and mode. */
  tokenUsage: KqlTable;
  waitedMs: number;
  /**
   * The gateway rows run by run (by `CorrelationId`), rows no run explains, and notes naming the
   * earlier and dead runs the figures include.
   */
  runs: RunAttribution;
}

/**
 * Polls until the gateway log holds every attempt the ledger recorded and the LLM log every
 * request with usage, then runs the per-BU request and token queries (E1).
 * @example showLogsVerification(await verifyLogs(target, { onProgress: progressLine() }));
 */
export async function verifyLogs(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<LogsVerification> {
  target.requireDeployment();
  const config = target.config;
  const { ledger, timespan } = await trafficToVerify(config, 'Traffic to verify');
  const expected = expectedLogCounts(ledger);
  const ingestionQuery = loadQuery('log-ingestion-check').text;
  const started = Date.now();
  const poll = ingestionPolling(config, timespan, options);
  const report = (message: string): void => options.onProgress?.({ message });
  // Local log files with unreadable lines: their rows are lost, not late.
  const skipped = target.unreadableLogLines?.() ?? [];
  for (const note of skipped) report(note);
  const gateway = await notLateButLost(skipped, () =>
    waitForRows(target, `${ingestionQuery} | where Source == 'ApiManagementGatewayLogs'`, {
      ...poll,
      minRows: expected.gatewayRows,
      countColumn: 'Rows',
      onProgress: (p) => report(`Gateway log: ${p.message} (expecting ${expected.gatewayRows})`),
    }),
  );
  if (expected.llmRequestsWithTokens > 0) {
    await notLateButLost(skipped, () =>
      waitForRows(target, `${ingestionQuery} | where Source == 'ApiManagementGatewayLlmLog'`, {
        ...poll,
        minRows: expected.llmRequestsWithTokens,
        countColumn: 'AiRequests',
        onProgress: (p) =>
          report(
            `LLM log: ${p.message} (expecting ${expected.llmRequestsWithTokens} requests with usage)`,
          ),
      }),
    );
  }
  const waitedMs = Date.now() - started;
  report(`Logs arrived after ${(waitedMs / 1000).toFixed(1)} s (${gateway.attempts} check(s)).`);
  const query = { timespan, ...(poll.signal ? { signal: poll.signal } : {}) };
  const runs = await attributeGatewayRows(target, ledger, timespan, poll.signal);
  for (const note of runs.notes) report(note);
  // Shown with E1's result too, not only as progress.
  runs.notes.push(...skipped);
  const [ingestion, requestsPerBu, tokenUsage] = await Promise.all([
    target.queryLogs(ingestionQuery, query),
    target.queryLogs(loadPricedQuery('cost-allocation-subscription', config).text, query),
    target.queryLogs(loadQuery('bu-token-usage').text, query),
  ]);
  return {
    timespan,
    expected,
    ingestion: wholeTable(ingestion, 'log-ingestion-check'),
    requestsPerBu: wholeTable(requestsPerBu, 'cost-allocation-subscription'),
    tokenUsage: wholeTable(tokenUsage, 'bu-token-usage'),
    waitedMs,
    runs,
  };
}
