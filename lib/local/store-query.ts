/**
 * A KQL query on the local log store: the columns it can touch are read from disk first
 * (`prepare`), then the engine runs. Should the engine read a column the analysis missed, the
 * store refuses (it never answers short), the table is read whole, and the query runs again.
 */
import { executeQuery, type ExecuteOptions } from '../kql/index.js';
import type { QueryResult } from '../target.js';
import { ColumnNotLoadedError, type LocalLogStore } from './log-store.js';

/** Runs `query` on the store (asynchronous only for the reads from disk). */
export async function queryStore(
  store: LocalLogStore,
  query: string,
  options: ExecuteOptions = {},
): Promise<QueryResult> {
  await store.prepare(query);
  for (let attempt = 0; ; attempt++) {
    try {
      return executeQuery(query, store, options);
    } catch (err) {
      if (!(err instanceof ColumnNotLoadedError) || attempt >= store.tableNames().length) throw err;
      await store.loadTables([err.table]);
    }
  }
}
