/**
 * One log table in memory: its append-only columns (stored-columns.ts), when each row arrived,
 * and the view the engine reads. After a restart the table's sealed rows (sealed-store.ts)
 * stay on disk until a query needs a column: `base` counts them, and a column is `full` once
 * it holds them too. Reading a column that is not full is refused, never answered short.
 */
import { readArtifact } from '../artifacts/read-artifact.js';
import { LogStoreError } from '../errors.js';
import type { LogRow, LogTable, StoredColumn } from '../kql/log-tables.js';
import type { KqlColumn, KqlValue } from '../target.js';
import type { UnreadableLogLines } from './log-file-reader.js';
import { appendColumn, appendColumnFrom, type AppendColumn } from './stored-columns.js';

/** A row to append: any subset of the table's columns; missing ones get their type's empty value. */
export type LogRowInput = Readonly<Record<string, KqlValue | undefined>>;

export interface TableState {
  name: string;
  columns: readonly KqlColumn[];
  /** One append-only column per schema column, in schema order. */
  stored: AppendColumn[];
  byName: Map<string, AppendColumn>;
  /** Sealed rows this process has not read into memory (they come first). */
  base: number;
  /** Columns holding the `base` rows too. */
  full: Set<string>;
  /** Rows in memory beyond `base` (visible or not). */
  length: number;
  /** When each of those rows was appended, for the ingestion lag (in time order). */
  ingestMs: Float64Array;
  /** How many rows queries see (`base` and the visible rows after it). */
  viewCount: number;
  version: number;
  /** The last view handed out, reused while nothing changed. */
  lastView: LogTable | undefined;
  fd: number | undefined;
  /** Rows in the current journal file (it is sealed once it holds enough). */
  journalRows: number;
  /** The journal on disk ends without a newline (a write cut short). */
  partialLastLine: boolean;
  /** JSON lines not yet written. */
  pending: string;
  /** Journal files with unreadable lines, as they were read. */
  unreadable: UnreadableLogLines[];
  /** The table has `_BilledSize`: rows that do not set it get their stored JSON size. */
  billedSize: AppendColumn | undefined;
}

/** A column was read before the store loaded its sealed rows. */
export class ColumnNotLoadedError extends LogStoreError {
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(
      `Column ${column} of ${table} is still in the log store on disk: await the store's prepare(query) (the local target does) before running a query on it.`,
    );
    this.name = 'ColumnNotLoadedError';
  }
}

interface SchemaFile {
  columns: { name: string; type: string }[];
}

const schemaCache = new Map<string, readonly KqlColumn[]>();

/** The columns of a table, from `schemas/<table>.json`. */
export function loadTableColumns(name: string): readonly KqlColumn[] {
  let cols = schemaCache.get(name);
  if (!cols) {
    const parsed = JSON.parse(readArtifact('schemas', `${name}.json`)) as SchemaFile;
    cols = Object.freeze(parsed.columns.map((c) => Object.freeze({ name: c.name, type: c.type })));
    schemaCache.set(name, cols);
  }
  return cols;
}

/** The empty value of a Kusto type: `''` for strings, `null` for everything else. */
export function emptyValue(type: string): KqlValue {
  return type === 'string' ? '' : null;
}

export function createTableState(name: string): TableState {
  const s: TableState = {
    name,
    columns: loadTableColumns(name),
    stored: [],
    byName: new Map(),
    base: 0,
    full: new Set(),
    length: 0,
    ingestMs: new Float64Array(0),
    viewCount: 0,
    version: 0,
    lastView: undefined,
    fd: undefined,
    journalRows: 0,
    partialLastLine: false,
    pending: '',
    unreadable: [],
    billedSize: undefined,
  };
  resetRows(s, 0);
  return s;
}

/** Empties the table's memory; `base` sealed rows stay on disk. */
export function resetRows(s: TableState, base: number): void {
  s.stored = s.columns.map((c) => appendColumn(c.name, c.type));
  s.byName = new Map(s.stored.map((c) => [c.name, c]));
  s.billedSize = s.byName.get('_BilledSize');
  s.base = base;
  s.full = new Set();
  s.length = 0;
  s.ingestMs = new Float64Array(1024);
  s.viewCount = base;
  s.lastView = undefined;
  s.version++;
}

/** Appends one row; `json` is its stored form, whose length is `_BilledSize` when the row has none. */
export function appendRow(
  s: TableState,
  input: LogRowInput,
  at: number,
  json: string | undefined,
): void {
  for (const c of s.stored) {
    let v = input[c.name];
    if (c === s.billedSize && (v === undefined || v === null) && json !== undefined)
      v = json.length;
    c.push(v);
  }
  if (s.length >= s.ingestMs.length) {
    const next = new Float64Array(s.ingestMs.length * 2);
    next.set(s.ingestMs);
    s.ingestMs = next;
  }
  s.ingestMs[s.length++] = at;
}

/** Puts a column's sealed rows in front of the ones in memory. */
export function adoptSealedColumn(s: TableState, name: string, sealed: StoredColumn): void {
  const i = s.stored.findIndex((c) => c.name === name);
  if (i < 0 || s.full.has(name)) return;
  const old = s.stored[i]!;
  const col = appendColumnFrom(old.name, old.type, sealed);
  for (let r = 0; r < s.length; r++) col.push(old.get(r));
  s.stored[i] = col;
  s.byName.set(name, col);
  if (old === s.billedSize) s.billedSize = col;
  s.full.add(name);
  s.version++;
}

/** Whether queries can read the column in full. */
export function isLoaded(s: TableState, name: string): boolean {
  return s.base === 0 || s.full.has(name);
}

/** What queries see of a table: its first `viewCount` rows, by column; rows are built only if read. */
export function tableView(s: TableState): LogTable {
  const n = s.viewCount;
  if (s.lastView && s.lastView.version === s.version && s.lastView.length === n) return s.lastView;
  let rows: LogRow[] | undefined;
  const views = new Map<string, StoredColumn>();
  const { stored, byName } = s;
  const view: LogTable = {
    name: s.name,
    columns: s.columns,
    version: s.version,
    length: n,
    get rows(): readonly LogRow[] {
      if (!rows) {
        const missing = stored.find((c) => !isLoaded(s, c.name));
        if (missing) throw new ColumnNotLoadedError(s.name, missing.name);
        rows = new Array<LogRow>(n);
        for (let r = 0; r < n; r++) {
          const row: LogRow = {};
          for (const c of stored) row[c.name] = c.get(r);
          rows[r] = row;
        }
      }
      return rows;
    },
    column(name) {
      const c = byName.get(name);
      if (!c) return undefined;
      if (!isLoaded(s, name)) throw new ColumnNotLoadedError(s.name, name);
      let v = views.get(name);
      if (!v) {
        v = c.view(n);
        views.set(name, v);
      }
      return v;
    },
  };
  s.lastView = view;
  return view;
}
