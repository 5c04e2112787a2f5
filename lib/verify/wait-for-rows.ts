/**
 * Ingestion polling (cells E1/E2): runs a query until it returns enough rows, with backoff, an
 * overall timeout and progress lines. Works with any target; on Azure, logs take minutes to land.
 */
import type { CostingTarget, QueryOptions, QueryResult } from '../target.js';
import { ArtifactError, IngestionTimeoutError } from '../errors.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link waitForRows}. */
export interface WaitForRowsOptions extends QueryOptions {
  /** Rows needed (or, with `countColumn`, the sum of that column). @default 1 */
  minRows?: number;
  /** Sum this numeric column instead of counting rows (e.g. a `count()` result). */
  countColumn?: string;
  /** First wait between attempts. @default 15000 */
  initialIntervalMs?: number;
  /** Longest wait between attempts. @default 60000 */
  maxIntervalMs?: number;
  /** Give up after this long. @default 900000 (15 minutes) */
  timeoutMs?: number;
}

/** What {@link waitForRows} saw. */
export interface WaitForRowsResult {
  /** The last query result. */
  result: QueryResult;
  /** Rows (or summed counts) seen last. */
  count: number;
  attempts: number;
  elapsedMs: number;
}

/**
 * Polls `query` until it has `minRows` rows; backoff doubles the wait up to `maxIntervalMs`.
 * @throws {@link IngestionTimeoutError} when the timeout passes first (it says what arrived).
 * @example await waitForRows(target, "ApiManagementGatewayLogs | where ApimSubscriptionId startswith 'bu-'", { minRows: 500 });
 */
export async function waitForRows(
  target: Pick<CostingTarget, 'queryLogs'>,
  query: string,
  options: WaitForRowsOptions = {},
): Promise<WaitForRowsResult> {
  const minRows = options.minRows ?? 1;
  const timeoutMs = options.timeoutMs ?? 900_000;
  const maxIntervalMs = options.maxIntervalMs ?? 60_000;
  let intervalMs = options.initialIntervalMs ?? 15_000;
  const started = Date.now();
  // Only the query's own options go to the target: progress and timeout belong to the polling.
  const queryOptions = {
    ...(options.timespan !== undefined ? { timespan: options.timespan } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  for (let attempts = 1; ; attempts += 1) {
    const result = await target.queryLogs(query, queryOptions);
    const count = countOf(result, options.countColumn);
    const elapsedMs = Date.now() - started;
    if (count >= minRows) {
      options.onProgress?.({
        message: `${count} row(s) after ${Math.round(elapsedMs / 1000)} s`,
        done: count,
        total: minRows,
      });
      return { result, count, attempts, elapsedMs };
    }
    const remaining = timeoutMs - elapsedMs;
    if (remaining <= 0) {
      throw new IngestionTimeoutError(minRows, count, elapsedMs, attempts);
    }
    const waitMs = Math.min(intervalMs, remaining);
    options.onProgress?.({
      message: `Waiting for ingestion: ${count} of ${minRows} row(s) after ${Math.round(elapsedMs / 1000)} s; next check in ${Math.round(waitMs / 1000)} s`,
      done: count,
      total: minRows,
    });
    await sleep(waitMs, undefined, { signal: options.signal });
    intervalMs = Math.min(maxIntervalMs, intervalMs * 2);
  }
}

function countOf(result: QueryResult, countColumn: string | undefined): number {
  if (countColumn === undefined) return result.table.rows.length;
  const index = result.table.columns.findIndex((c) => c.name === countColumn);
  if (index < 0)
    throw new ArtifactError(
      `The query result has no column '${countColumn}' (columns: ${result.table.columns.map((c) => c.name).join(', ')}): check the query file in kql/.`,
    );
  return result.table.rows.reduce(
    (sum, row) => sum + (typeof row[index] === 'number' ? row[index] : Number(row[index]) || 0),
    0,
  );
}
