/**
 * One check for suites that hold the same rows two ways: each query answers from the log
 * store's columns (typed arrays, dictionaries) exactly as from the rows held as values, on
 * the first run and again through the store's cached frames, encodings and mappings.
 */
import { expect, test } from 'vitest';
import { executeQuery } from '../../lib/kql/index.js';
import type { LogTableSource } from '../../lib/kql/log-tables.js';

/** One test per query (named by its first operator), `what` saying how the store holds them. */
export function answersAsOverValues(
  queries: readonly string[],
  sources: () => { values: LogTableSource; store: LogTableSource },
  what: string,
): void {
  test.each(queries.map((q) => [q.split('|')[1]!.trim().slice(0, 60), q]))(
    `%s ... answers from ${what} as from values`,
    (_name, query) => {
      const { values, store } = sources();
      const expected = executeQuery(query, values).table;
      expect(expected.rows.length).toBeGreaterThan(0);
      expect(executeQuery(query, store).table).toEqual(expected);
      expect(executeQuery(query, store).table).toEqual(expected);
    },
  );
}
