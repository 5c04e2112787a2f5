/**
 * Cell E2: waits until the `caller-requests` custom metric holds every request of this run that
 * an emitting API handled (C2 and C3 on the Entra ID API, D1 and D2 on the AI APIs), then breaks
 * it down per caller, API and operation, and checks the AI APIs' share of it (the token-metric
 * check: one metric row per AI request, per API).
 */
import { rowsOf, withColumn } from '../common/kql-rows.js';
import { loadQuery } from '../kql/query-files.js';
import { expectedLogCounts } from '../ledger/expected-logs.js';
import type { CostingTarget, KqlTable, OperationOptions } from '../target.js';
import { ingestionPolling, trafficToVerify, wholeTable } from './ingestion-polling.js';
import { notLateButLost } from './lost-log-lines.js';
import { waitForRows } from './wait-for-rows.js';
import { runNotes } from './run-attribution.js';

/** One AI API's `caller-requests` rows: what the ledger predicts beside what arrived. */
export interface AiMetricCheck {
  /** APIM API id. */
  apiId: string;
  /** Display name: the metric's `API` dimension. */
  api: string;
  /** Rows the ledger predicts: one per answered attempt of D1 (AOAI gateway) or D2 (token tracking). */
  expected: number;
  /** Rows that arrived (sum of `valueSum`). */
  received: number;
  /** `expected === received`. */
  match: boolean;
}

/** What E2 found. */
export interface MetricsVerification {
  timespan: string;
  /** `caller-requests` rows the ledger predicts: C2 + C3 + D1 + D2. */
  expectedRequests: number;
  ingestion: KqlTable;
  /** `kql/caller-metrics-breakdown.kql` with a `Caller` name column added from the configuration. */
  perCaller: KqlTable;
  /** `kql/token-metric-ingestion-check.kql`: the AI APIs' rows per API and operation. */
  aiIngestion: KqlTable;
  /** The AI APIs' rows per API against the ledger (D1 on the AOAI gateway, D2 on token tracking). */
  aiApis: AiMetricCheck[];
  waitedMs: number;
  /** `caller-requests` rows that arrived beyond what the runs predict (0 when all are explained). */
  unexplainedRequests: number;
  /** Which runs the expected rows sum, dead runs, and rows no run explains. */
  notes: string[];
}

/**
 * Polls the `caller-requests` custom metric until every request of this run that emits it has
 * arrived, then breaks it down per caller and checks the AI APIs' rows (E2).
 * @example showMetricsVerification(await verifyMetrics(target, { onProgress: progressLine() }));
 */
export async function verifyMetrics(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<MetricsVerification> {
  const deployment = target.requireDeployment();
  const config = target.config;
  const { ledger, timespan } = await trafficToVerify(config, 'Traffic to verify');
  const expected = expectedLogCounts(ledger);
  const expectedRequests = Object.values(expected.callerRequests).reduce((a, b) => a + b, 0);
  const aiEndpoints = [deployment.apis.tokenTracking, deployment.apis.aoai];
  const expectedAi = aiEndpoints.reduce(
    (n, a) => n + (expected.callerRequestsByApi[a.apiId] ?? 0),
    0,
  );
  const started = Date.now();
  const poll = ingestionPolling(config, timespan, options);
  // Local log files with unreadable lines: their rows are lost, not late.
  const skipped = target.unreadableLogLines?.() ?? [];
  for (const message of skipped) options.onProgress?.({ message });
  const waited = await notLateButLost(skipped, () =>
    waitForRows(target, loadQuery('metric-ingestion-check').text, {
      ...poll,
      minRows: expectedRequests,
      countColumn: 'Requests',
      onProgress: (p) =>
        options.onProgress?.({
          message: `caller-requests metric: ${p.message} (expecting ${expectedRequests})`,
        }),
    }),
  );
  const aiQuery = loadQuery('token-metric-ingestion-check', {
    aiApis: aiEndpoints.map((a) => a.name),
  }).text;
  const aiWaited = await notLateButLost(skipped, () =>
    waitForRows(target, aiQuery, {
      ...poll,
      minRows: expectedAi,
      countColumn: 'Requests',
      onProgress: (p) =>
        options.onProgress?.({
          message: `caller-requests of the AI APIs: ${p.message} (expecting ${expectedAi})`,
        }),
    }),
  );
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
  const aiIngestion = wholeTable(aiWaited.result, 'token-metric-ingestion-check');
  const received = new Map<string, number>();
  for (const r of rowsOf(aiIngestion))
    received.set(String(r.Api), (received.get(String(r.Api)) ?? 0) + Number(r.Requests));
  // A dead run's attempts without an outcome may each have emitted one row (or not).
  const unsureFor = (apiId?: string): number =>
    expected.uncertainRows
      .filter((u) => u.caller !== undefined && (apiId === undefined || u.apiId === apiId))
      .reduce((n, u) => n + u.rows, 0);
  const aiApis = aiEndpoints.map((a): AiMetricCheck => {
    const want = expected.callerRequestsByApi[a.apiId] ?? 0;
    const got = received.get(a.name) ?? 0;
    const match = got >= want && got <= want + unsureFor(a.apiId);
    return { apiId: a.apiId, api: a.name, expected: want, received: got, match };
  });
  const perRun = (r: (typeof ledger.runs)[number]): number =>
    Object.values(expectedLogCounts({ ...ledger, runs: [r] }).callerRequests).reduce(
      (a, b) => a + b,
      0,
    );
  const notes = runNotes(ledger, 'caller-requests rows', perRun);
  const unexplainedRequests = Math.max(0, waited.count - expectedRequests - unsureFor());
  if (unexplainedRequests > 0)
    notes.push(
      `${unexplainedRequests} caller-requests row(s) arrived beyond the ${expectedRequests} the runs predict: no run in the ledger explains them (requests of a dead run in flight, or traffic the kit did not send).`,
    );
  for (const note of notes) options.onProgress?.({ message: note });
  return {
    timespan,
    expectedRequests,
    unexplainedRequests,
    notes,
    ingestion: wholeTable(waited.result, 'metric-ingestion-check'),
    perCaller,
    aiIngestion,
    aiApis,
    waitedMs,
  };
}
