/**
 * What E1, E2 and E3 share: the traffic window to verify, how long and how often to poll for
 * ingestion, and results read as whole tables (a partial result is an error to re-run).
 */
import type { KitConfig } from '../config/types.js';
import { MissingStepError, PartialResultError } from '../errors.js';
import { readLedger } from '../ledger/ledger.js';
import type { Ledger } from '../ledger/ledger-types.js';
import { runTimespan } from '../ledger/run-window.js';
import type { KqlTable, OperationOptions, QueryResult } from '../target.js';
import type { WaitForRowsOptions } from './wait-for-rows.js';

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

/** The ledger and its traffic window, or a `MissingStepError` naming the traffic cells. */
export async function trafficToVerify(
  config: KitConfig,
  what: string,
): Promise<{ ledger: Ledger; timespan: string }> {
  const ledger = await readLedger(config);
  const timespan = runTimespan(ledger);
  if (timespan === undefined) throw new MissingStepError('C1 (or D1/D2)', what);
  return { ledger, timespan };
}

/** The table of a result, or a {@link PartialResultError} naming the query. */
export function wholeTable(result: QueryResult, query: string): KqlTable {
  if (result.status === 'partial') throw new PartialResultError(query, result.error);
  return result.table;
}
