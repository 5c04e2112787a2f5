/**
 * One helper for comparing a query result with expected columns and rows (arquero's
 * `tableEqual` habit): names and types when given, then every row.
 */
import { expect } from 'vitest';
import type { KqlTable, KqlValue } from '../../lib/target.js';

export interface ExpectedTable {
  /** `name:type` for each column, in order (optional). */
  cols?: string[];
  rows: KqlValue[][];
  /** Compare rows as a multiset (for results whose order Kusto does not define). */
  unordered?: boolean;
}

function sortRows(rows: KqlValue[][]): KqlValue[][] {
  return [...rows].sort((a, b) =>
    JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0,
  );
}

/** Asserts that the table has the expected columns and rows. */
export function tableEqual(table: KqlTable, expected: ExpectedTable, message: string): void {
  if (expected.cols) {
    expect(
      table.columns.map((c) => `${c.name}:${c.type}`),
      `${message}: columns`,
    ).toEqual(expected.cols);
  }
  const actual = expected.unordered ? sortRows(table.rows) : table.rows;
  const wanted = expected.unordered ? sortRows(expected.rows) : expected.rows;
  expect(actual, `${message}: rows`).toEqual(wanted);
}
