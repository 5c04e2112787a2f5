/**
 * Rows lost, not late: on the local target, log lines the store could not read never arrive, so
 * E1 and E2 name the file and its unreadable lines instead of blaming ingestion delay.
 */
import { IngestionTimeoutError, LogStoreError } from '../errors.js';

/**
 * Runs a wait; when rows are missing and the local store skipped unreadable log lines, the
 * error says so (file, count, lines, what to do) instead of blaming ingestion delay.
 * @param skipped - the target's `unreadableLogLines()` messages.
 * @example await notLateButLost(target.unreadableLogLines?.() ?? [], () => waitForRows(target, q));
 */
export async function notLateButLost<T>(
  skipped: readonly string[],
  wait: () => Promise<T>,
): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    if (!(err instanceof IngestionTimeoutError) || skipped.length === 0) throw err;
    throw new LogStoreError(
      `Only ${err.received} of ${err.expected} row(s) are in the local logs, and no more will arrive: ${skipped.join(' ')}`,
      { cause: err },
    );
  }
}
