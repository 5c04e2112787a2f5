/**
 * Cell E2: waits until the `caller-requests` custom metric holds every Entra ID request of this
 * run, then breaks it down per caller, API and operation.
 */
import { withColumn } from '../common/kql-rows.js';
import { loadQuery } from '../kql/query-files.js';
import { expectedLogCounts } from '../ledger/expected-logs.js';
import type { CostingTarget, KqlTable, OperationOptions } from '../target.js';
import { ingestionPolling, trafficToVerify, wholeTable } from './ingestion-polling.js';
import { waitForRows } from './wait-for-rows.js';

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
 * @example showMetricsVerification(await verifyMetrics(target, { onProgress: progressLine() }));
 */
export async function verifyMetrics(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<MetricsVerification> {
  target.requireDeployment();
  const config = target.config;
  const { ledger, timespan } = await trafficToVerify(config, 'Traffic to verify');
  const expectedRequests = Object.values(expectedLogCounts(ledger).callerRequests).reduce(
    (a, b) => a + b,
    0,
  );
  const started = Date.now();
  const poll = ingestionPolling(config, timespan, options);
  const waited = await waitForRows(target, loadQuery('metric-ingestion-check').text, {
    ...poll,
    minRows: expectedRequests,
    countColumn: 'Requests',
    onProgress: (p) =>
      options.onProgress?.({
        message: `caller-requests metric: ${p.message} (expecting ${expectedRequests})`,
      }),
  });
  const waitedMs = Date.now() - started;
  options.onProgress?.({ message: `Metrics arrived after ${(waitedMs / 1000).toFixed(1)} s.` });
  const breakdown = wholeTable(
    await target.queryLogs(loadQuery('caller-metrics-breakdown').text, {
      timespan,
      ...(poll.signal ? { signal: poll.signal } : {}),
    }),
    'caller-metrics-breakdown',
  );
  const names = new Map(config.callers.map((c) => [c.appId.toLowerCase(), c.name]));
  const withNames = withColumn(breakdown, { name: 'Caller', type: 'string' }, (r) => {
    const id = String(r.CallerId ?? '');
    return names.get(id.toLowerCase()) ?? id;
  });
  // The caller's name leads the table.
  const last = withNames.columns.length - 1;
  const perCaller: KqlTable = {
    name: withNames.name,
    columns: [withNames.columns[last]!, ...withNames.columns.slice(0, last)],
    rows: withNames.rows.map((r) => [r[last]!, ...r.slice(0, last)]),
  };
  return {
    timespan,
    expectedRequests,
    ingestion: wholeTable(waited.result, 'metric-ingestion-check'),
    perCaller,
    waitedMs,
  };
}
