/**
 * The contract between the local log store (writer) and the local KQL engine (reader).
 */
import type { KqlColumn, KqlValue } from '../target.js';

/**
 * One log row: column name to value. Datetimes are ISO-8601 UTC strings (`...Z`), timespans
 * are numbers of milliseconds only where the schema says `timespan`, dynamic columns hold
 * parsed JSON, and a missing value is `null` (strings use `''` as Kusto does).
 */
export type LogRow = Record<string, KqlValue>;

/** A table as the engine sees it; `version` changes whenever rows are appended or cleared. */
export interface LogTable {
  name: string;
  columns: readonly KqlColumn[];
  rows: readonly LogRow[];
  version: number;
}

/** What the engine reads tables from. The local log store implements it. */
export interface LogTableSource {
  /** Table names this source serves (e.g. `ApiManagementGatewayLogs`, `customMetrics`). */
  tableNames(): string[];
  /** The table's visible rows (ingestion lag applied), or `undefined` for an unknown name. */
  getTable(name: string): LogTable | undefined;
}
