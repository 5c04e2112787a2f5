/**
 * Runs workbook queries on a target (`target.queryLogs`), one at a time, keeping every outcome:
 * a failing query is reported with its error instead of stopping the others.
 */
import type { OperationOptions, QueryOptions, QueryResult } from '../target.js';
import type { WorkbookQuery } from './list-queries.js';
import { createQueryBatch } from '../kql/index.js';

/** Anything that runs KQL like a target does (`CostingTarget` fits). */
export interface QueryRunner {
  queryLogs(query: string, options?: QueryOptions): Promise<QueryResult>;
}

/** What became of one workbook query. */
export interface WorkbookQueryOutcome {
  query: WorkbookQuery;
  /** The result, when the query ran (a `partial` result carries its error too). */
  result?: QueryResult;
  /** Why the query could not run at all. */
  error?: string;
  elapsedMs: number;
}

/**
 * Runs each query in order on the target.
 * @param target - e.g. the local target; only `queryLogs` is used.
 * @param queries - from `listWorkbookQueries(...)`.
 * @returns one outcome per query, in the same order.
 * @example const outcomes = await runWorkbookQueries(target, listWorkbookQueries(filled));
 */
export async function runWorkbookQueries(
  target: QueryRunner,
  queries: readonly WorkbookQuery[],
  options: OperationOptions = {},
): Promise<WorkbookQueryOutcome[]> {
  const outcomes: WorkbookQueryOutcome[] = [];
  // One refresh: every tile as of one instant, sharing the sub-queries they have in common.
  const batch = createQueryBatch();
  for (const [i, query] of queries.entries()) {
    options.signal?.throwIfAborted();
    options.onProgress?.({
      message: `Running workbook query ${query.name}`,
      done: i,
      total: queries.length,
    });
    const started = performance.now();
    try {
      const result = await target.queryLogs(query.query, { signal: options.signal, batch });
      outcomes.push({ query, result, elapsedMs: performance.now() - started });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      outcomes.push({
        query,
        error: error instanceof Error ? error.message : String(error),
        elapsedMs: performance.now() - started,
      });
    }
  }
  options.onProgress?.({
    message: 'Workbook queries done',
    done: queries.length,
    total: queries.length,
  });
  return outcomes;
}
