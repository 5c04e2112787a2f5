/**
 * The contract between the local log store (writer) and the local KQL engine (reader).
 */
import type { KqlColumn, KqlValue } from '../target.js';
import type { Dictionary } from './packed-strings.js';

/**
 * One log row: column name to value. Datetimes are ISO-8601 UTC strings (`...Z`), timespans
 * are numbers of milliseconds only where the schema says `timespan`, dynamic columns hold
 * parsed JSON, and a missing value is `null` (strings use `''` as Kusto does).
 */
export type LogRow = Record<string, KqlValue>;

/**
 * Codes into a dictionary: as narrow as the dictionary allows (a store keeps 1 byte per row
 * while there are at most 256 values), so handing a column to the engine copies nothing.
 */
export type CodeArray = Uint8Array | Uint16Array | Int32Array;

/**
 * One column as a columnar source hands it over, for its first `length` rows:
 * - `dict`: a string column as codes into a dictionary (row `r` is `dict[codes[r]]`);
 * - `number`: numbers (datetimes as epoch milliseconds, timespans as milliseconds), row `r`
 *   null where `nulls[r]` is 1;
 * - `bool`: 1 true, 0 false, -1 null;
 * - `values`: anything else (dynamic), one value per row as a {@link LogRow} holds it.
 */
export type StoredColumn =
  | { kind: 'dict'; codes: CodeArray; dict: Dictionary }
  | { kind: 'number'; values: Float64Array; nulls: Uint8Array | undefined }
  | { kind: 'bool'; values: Int8Array }
  | { kind: 'values'; values: ArrayLike<KqlValue> };

/** A table as the engine sees it; `version` changes whenever rows are appended or cleared. */
export interface LogTable {
  name: string;
  columns: readonly KqlColumn[];
  /** The rows as objects. A columnar source builds them on first read: prefer `column`. */
  rows: readonly LogRow[];
  version: number;
  /** Row count; a columnar source sets it with `column`. @default rows.length */
  length?: number;
  /** A column by name without building rows (columnar sources), or `undefined` if unknown. */
  column?(name: string): StoredColumn | undefined;
}

/** What the engine reads tables from. The local log store implements it. */
export interface LogTableSource {
  /** Table names this source serves (e.g. `ApiManagementGatewayLogs`, `customMetrics`). */
  tableNames(): string[];
  /** The table's visible rows (ingestion lag applied), or `undefined` for an unknown name. */
  getTable(name: string): LogTable | undefined;
}
