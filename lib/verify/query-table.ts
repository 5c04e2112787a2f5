/**
 * Your own KQL in a cell: runs it on the target (the local engine, or Log Analytics) over the
 * traffic runs' window and returns the table to show.
 */
import { readLedger } from '../ledger/ledger.js';
import { runTimespan } from '../ledger/run-window.js';
import type { CostingTarget, KqlTable, QueryOptions } from '../target.js';
import { wholeTable } from './ingestion-polling.js';

/**
 * Runs `query` and returns its table; the window defaults to the traffic runs' (all data when
 * there are none). A bad query fails with its line and column.
 * @example showTable(await queryTable(target, 'ApiManagementGatewayLogs | summarize count() by ApiId'));
 */
export async function queryTable(
  target: CostingTarget,
  query: string,
  options: QueryOptions = {},
): Promise<KqlTable> {
  const timespan = options.timespan ?? runTimespan(await readLedger(target.config));
  const result = await target.queryLogs(query, {
    ...options,
    ...(timespan !== undefined ? { timespan } : {}),
  });
  return wholeTable(result, 'The query');
}
