/**
 * Plain-object views of KQL result tables, for code that reads results by column name.
 */
import type { KqlTable, KqlValue } from '../target.js';

/** Rows of a result as objects keyed by column name. */
export function rowsOf(table: KqlTable): Record<string, KqlValue>[] {
  return table.rows.map((r) =>
    Object.fromEntries(table.columns.map((c, i) => [c.name, r[i] ?? null])),
  );
}

/** A copy of `table` with one more column, valued per row. */
export function withColumn(
  table: KqlTable,
  column: { name: string; type: string },
  value: (row: Record<string, KqlValue>) => KqlValue,
): KqlTable {
  const rows = rowsOf(table);
  return {
    name: table.name,
    columns: [...table.columns, column],
    rows: table.rows.map((r, i) => [...r, value(rows[i]!)]),
  };
}
