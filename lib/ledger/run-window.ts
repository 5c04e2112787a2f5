/**
 * The time window of the traffic a ledger holds, as the query APIs take it.
 */
import type { Ledger } from './ledger-types.js';

/** The query-API timespan covering the ledger's traffic: first run's start to now + 5 min. */
export function runTimespan(ledger: Ledger, now: Date = new Date()): string | undefined {
  const starts = ledger.runs
    .filter((e) => e.status !== 'skipped')
    .map((e) => Date.parse(e.startedAt))
    .filter((t) => Number.isFinite(t));
  if (starts.length === 0) return undefined;
  const end = new Date(now.getTime() + 5 * 60_000);
  return `${new Date(Math.min(...starts)).toISOString()}/${end.toISOString()}`;
}
