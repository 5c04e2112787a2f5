/**
 * The local log store: the three tables the emulator writes (`ApiManagementGatewayLogs`,
 * `ApiManagementGatewayLlmLog`, App Insights `customMetrics`), shaped by `schemas/*.json`,
 * persisted as append-only JSON lines under `<dataDir>/logs/`, and served to the local KQL
 * engine through {@link LogTableSource}.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { readArtifact } from '../artifacts/read-artifact.js';
import { LogStoreError } from '../errors.js';
import { ALLOCATION_TABLE } from '../common/focus.js';
import { trackDataFile } from '../ledger/data-folder.js';
import { readLogFile, type UnreadableLogLines } from './log-file-reader.js';
import { appendColumn, type AppendColumn } from './stored-columns.js';
import type { LogRow, LogTable, LogTableSource } from '../kql/log-tables.js';
import type { KqlColumn, KqlValue } from '../target.js';

/** The tables the local target writes. */
export const LOG_TABLE_NAMES = [
  'ApiManagementGatewayLogs',
  'ApiManagementGatewayLlmLog',
  'customMetrics',
  ALLOCATION_TABLE,
] as const;
/** The custom table cell E4 writes the bill's allocation to. */
export { ALLOCATION_TABLE };
export type LogTableName = (typeof LOG_TABLE_NAMES)[number];

/** A row to append: any subset of the table's columns; missing ones get their type's empty value. */
export type LogRowInput = Readonly<Record<string, KqlValue | undefined>>;

export interface LogStoreOptions {
  /** Folder holding `logs/<table>.jsonl`; omitted = memory only (benchmarks). */
  dataDir?: string;
  /** Rows stay invisible to queries until this long after they were appended. @default 0 */
  ingestionLagMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

/** The store the local target writes and the local KQL engine reads. */
export interface LocalLogStore extends LogTableSource {
  /** Increments on every append, clear, or rows becoming visible after the ingestion lag. */
  readonly version: number;
  /** The ingestion lag in milliseconds. */
  readonly ingestionLagMs: number;
  /** Changes the ingestion lag (applies to rows already appended too). */
  setIngestionLag(ms: number): void;
  /** The schema columns of a table. */
  columns(table: LogTableName): readonly KqlColumn[];
  /**
   * Appends rows; with a data dir they are on disk when this returns (one write per table per
   * call), so a process killed right after a request was answered keeps its rows.
   * @example store.appendRows('customMetrics', [{ name: 'caller-requests', value: 1 }]);
   */
  appendRows(table: LogTableName, rows: readonly LogRowInput[]): void;
  /** Number of rows, visible ones only unless `includePending`. */
  rowCount(table: LogTableName, options?: { includePending?: boolean }): number;
  /** Deletes every row, in memory and on disk. */
  clear(): void;
  /** Writes rows not yet written (appends write at once; kept for callers that flush). */
  flush(): void;
  /** Flushes and closes the files; the store reopens them on the next append. */
  close(): void;
  /** The log files whose unreadable lines were skipped when they were loaded (none: `[]`). */
  unreadableLines(): UnreadableLogLines[];
}

/**
 * Creates the log store. Does no I/O: schemas and persisted rows load on first use.
 * @example const store = createLogStore({ dataDir: '.data', ingestionLagMs: 0 });
 */
export function createLogStore(options: LogStoreOptions = {}): LocalLogStore {
  const now = options.now ?? Date.now;
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  let lagMs = checkLag(options.ingestionLagMs ?? 0);
  let tables: Map<LogTableName, TableState> | undefined;
  let version = 0;

  function load(): Map<LogTableName, TableState> {
    if (tables) return tables;
    const loaded = new Map<LogTableName, TableState>();
    for (const name of LOG_TABLE_NAMES) {
      const state = _createTableState(name);
      if (dataDir) _reloadTable(state, tableFile(dataDir, name));
      loaded.set(name, state);
    }
    tables = loaded;
    return loaded;
  }

  function state(name: string): TableState | undefined {
    return load().get(name as LogTableName);
  }

  function mustState(name: string): TableState {
    const s = state(name);
    if (!s)
      throw new LogStoreError(`Unknown log table '${name}'. Known: ${LOG_TABLE_NAMES.join(', ')}.`);
    return s;
  }

  function visibleCount(s: TableState): number {
    const n = s.length;
    if (lagMs === 0 || n === 0) return n;
    const cutoff = now() - lagMs;
    if ((s.ingestMs[n - 1] ?? 0) <= cutoff) return n;
    // Rows are appended in time order, so the visible ones are a prefix: binary search it.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s.ingestMs[mid] ?? 0) <= cutoff) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    get version() {
      // Reading the version also notices rows that became visible since the last look.
      for (const s of load().values()) refreshView(s);
      return version;
    },
    get ingestionLagMs() {
      return lagMs;
    },
    setIngestionLag(ms) {
      lagMs = checkLag(ms);
      version++;
      for (const s of load().values()) s.version++;
    },
    tableNames() {
      return [...LOG_TABLE_NAMES];
    },
    columns(table) {
      return mustState(table).columns;
    },
    getTable(name) {
      const s = state(name);
      if (!s) return undefined;
      refreshView(s);
      return tableView(s);
    },
    appendRows(table, rows) {
      const s = mustState(table);
      if (rows.length === 0) return;
      const at = now();
      for (const input of rows) {
        // The input holds only the filled columns: it is the compact form written to disk.
        const json = dataDir ? JSON.stringify(input) : undefined;
        appendRow(s, input, at, json);
        if (json !== undefined) s.pending += `[${at},${json}]\n`;
      }
      // Written at once: the gateway appends a request's rows before its client can read the
      // answer's end, so every outcome a run's journal holds has its rows on disk, even after a
      // kill (a batch at the end of the turn lost the last turn's rows to a SIGKILL).
      if (dataDir) flush(s);
      s.version++;
      version++;
    },
    rowCount(table, opts) {
      const s = mustState(table);
      return opts?.includePending ? s.length : visibleCount(s);
    },
    clear() {
      for (const s of load().values()) {
        closeTable(s);
        resetRows(s);
        s.partialLastLine = false;
        s.pending = '';
        s.unreadable = undefined;
        s.version++;
        if (dataDir) rmSync(tableFile(dataDir, s.name), { force: true });
      }
      version++;
    },
    flush() {
      if (tables) for (const s of tables.values()) flush(s);
    },
    unreadableLines() {
      return [...load().values()].flatMap((s) => (s.unreadable ? [s.unreadable] : []));
    },
    close() {
      if (tables) {
        for (const s of tables.values()) {
          flush(s);
          closeTable(s);
        }
      }
    },
  };

  function refreshView(s: TableState): void {
    const k = visibleCount(s);
    if (k !== s.viewCount) bump(s);
    s.viewCount = k;
  }

  function bump(s: TableState): void {
    s.version++;
    version++;
  }

  function flush(s: TableState): void {
    if (!dataDir || s.pending === '') return;
    let text = s.pending;
    s.pending = '';
    if (s.fd === undefined) {
      mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
      // Clean-up removes the files the kit lists as its own, and nothing else.
      trackDataFile(dataDir, tableFile(dataDir, s.name));
      s.fd = openSync(tableFile(dataDir, s.name), 'a');
      // After a crash mid-line, start on a fresh line so the new rows stay readable.
      if (s.partialLastLine) text = '\n' + text;
      s.partialLastLine = false;
    }
    writeSync(s.fd, text);
  }
}

// --- Internal helpers ---

interface TableState {
  name: LogTableName;
  columns: readonly KqlColumn[];
  /** One append-only column per schema column, in schema order. */
  stored: AppendColumn[];
  byName: Map<string, AppendColumn>;
  /** Rows appended (visible or not). */
  length: number;
  /** When each row was appended, for the ingestion lag (rows are appended in time order). */
  ingestMs: Float64Array;
  /** How many rows queries see (all of them unless the ingestion lag hides the newest). */
  viewCount: number;
  version: number;
  /** The last view handed out, reused while nothing changed. */
  lastView: LogTable | undefined;
  fd: number | undefined;
  /** The file on disk ends without a newline (a write cut short). */
  partialLastLine: boolean;
  /** JSON lines not yet written. */
  pending: string;
  /** Lines of the file on disk that could not be read when it was loaded. */
  unreadable: UnreadableLogLines | undefined;
  /** The table has `_BilledSize`: rows that do not set it get their stored JSON size. */
  billedSize: AppendColumn | undefined;
}

interface SchemaFile {
  columns: { name: string; type: string }[];
}

const schemaCache = new Map<LogTableName, readonly KqlColumn[]>();

/** The columns of a table, from `schemas/<table>.json`. */
export function loadTableColumns(name: LogTableName): readonly KqlColumn[] {
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

function _createTableState(name: LogTableName): TableState {
  const columns = loadTableColumns(name);
  const s: TableState = {
    name,
    columns,
    stored: [],
    byName: new Map(),
    length: 0,
    ingestMs: new Float64Array(0),
    viewCount: 0,
    version: 0,
    lastView: undefined,
    fd: undefined,
    partialLastLine: false,
    pending: '',
    unreadable: undefined,
    billedSize: undefined,
  };
  resetRows(s);
  return s;
}

function resetRows(s: TableState): void {
  s.stored = s.columns.map((c) => appendColumn(c.name, c.type));
  s.byName = new Map(s.stored.map((c) => [c.name, c]));
  s.billedSize = s.byName.get('_BilledSize');
  s.length = 0;
  s.ingestMs = new Float64Array(1024);
  s.viewCount = 0;
  s.lastView = undefined;
}

/** Appends one row; `json` is its stored form, whose length is `_BilledSize` when the row has none. */
function appendRow(s: TableState, input: LogRowInput, at: number, json: string | undefined): void {
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

/** What queries see of a table: its first `viewCount` rows, by column; rows are built only if read. */
function tableView(s: TableState): LogTable {
  const n = s.viewCount;
  if (s.lastView && s.lastView.version === s.version && s.lastView.length === n) return s.lastView;
  let rows: LogRow[] | undefined;
  const views = new Map<string, ReturnType<AppendColumn['view']>>();
  const stored = s.stored;
  const byName = s.byName;
  const view: LogTable = {
    name: s.name,
    columns: s.columns,
    version: s.version,
    length: n,
    get rows(): readonly LogRow[] {
      if (!rows) {
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

function _reloadTable(s: TableState, file: string): void {
  const read = readLogFile(file, ({ ingestMs, input }) => {
    appendRow(s, input, ingestMs, s.billedSize ? JSON.stringify(input) : undefined);
  });
  s.partialLastLine = read.partialLastLine;
  s.unreadable = read.unreadable;
  s.viewCount = s.length;
}

function tableFile(dataDir: string, name: LogTableName): string {
  return path.join(dataDir, 'logs', `${name}.jsonl`);
}

function closeTable(s: TableState): void {
  if (s.fd !== undefined) {
    closeSync(s.fd);
    s.fd = undefined;
  }
}

function checkLag(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new LogStoreError(
      `Ingestion lag must be 0 or more milliseconds, got ${ms}. Pass a number like 0 or 5000.`,
    );
  }
  return ms;
}
