/**
 * The local log store: the tables the emulator writes (`ApiManagementGatewayLogs`,
 * `ApiManagementGatewayLlmLog`, App Insights `customMetrics`, the bill's allocation), shaped by
 * `schemas/*.json`, held in memory by column and served to the local KQL engine through
 * {@link LogTableSource}. With a data folder, rows go to `<dataDir>/logs/<table>.jsonl` as they
 * arrive (one write per append, so a killed kernel keeps them) and, once a journal holds
 * `sealRows` rows, into the columnar DuckDB file `logs/store.duckdb` (sealed-store.ts), which a
 * restarted kernel reads column by column, only the columns its queries use.
 */
import { existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { LogStoreError } from '../errors.js';
import { ALLOCATION_TABLE } from '../common/focus.js';
import { trackDataFile } from '../ledger/data-folder.js';
import { queryColumns } from '../kql/index.js';
import type { UnreadableLogLines } from './log-file-reader.js';
import {
  checkLag,
  closeTable,
  journalFiles,
  logStoreFile,
  reloadJournal,
  tableFile,
} from './log-journal.js';
import {
  adoptSealedColumn,
  appendRow,
  createTableState,
  isLoaded,
  resetRows,
  tableView,
  type LogRowInput,
  type TableState,
} from './log-table-state.js';
import { openSealedStore, type SealedStore } from './sealed-store.js';
import type { LogTableSource } from '../kql/log-tables.js';
import type { KqlColumn } from '../target.js';

export { loadTableColumns, emptyValue, ColumnNotLoadedError } from './log-table-state.js';
export { logStoreFile } from './log-journal.js';
export type { LogRowInput } from './log-table-state.js';

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

export interface LogStoreOptions {
  /** Folder holding `logs/<table>.jsonl`; omitted = memory only (benchmarks). */
  dataDir?: string;
  /** Rows stay invisible to queries until this long after they were appended. @default 0 */
  ingestionLagMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Rows a journal holds before they move into the columnar file. @default 20000 */
  sealRows?: number;
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
  /** Opens the columnar file if there is one (finishing a cut-short move, moving an old large journal); reading before is refused. */
  ready(): Promise<void>;
  /** `ready()`, then reads from disk the columns `query` can touch (see `queryColumns`). */
  prepare(query: string): Promise<void>;
  /** `ready()`, then reads every column of the tables from disk. */
  loadTables(tables: readonly string[]): Promise<void>;
  /** Moves every journal's rows into the columnar file now (benchmarks, clean shutdown). */
  seal(): Promise<void>;
}

/**
 * Creates the log store. Does no I/O: schemas and persisted rows load on first use.
 * @example const store = createLogStore({ dataDir: '.data', ingestionLagMs: 0 });
 */
export function createLogStore(options: LogStoreOptions = {}): LocalLogStore {
  const now = options.now ?? Date.now;
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  const sealRows = options.sealRows ?? 20_000;
  let lagMs = checkLag(options.ingestionLagMs ?? 0);
  let tables: Map<LogTableName, TableState> | undefined;
  let version = 0;
  let sealed: SealedStore | undefined;
  let opening: Promise<void> | undefined;
  /** Moves in flight, one table at a time; a failure is kept for the next `seal()`/`ready()`. */
  let moving: Promise<void> = Promise.resolve();
  let moveError: unknown;

  function load(): Map<LogTableName, TableState> {
    if (tables) return tables;
    if (dataDir && !sealed && existsSync(logStoreFile(dataDir))) {
      throw new LogStoreError(
        `The log store ${logStoreFile(dataDir)} holds sealed rows: await store.ready() before reading it (the local target does when it deploys).`,
      );
    }
    const loaded = new Map<LogTableName, TableState>();
    for (const name of LOG_TABLE_NAMES) {
      const state = createTableState(name);
      if (dataDir) {
        const base = sealed?.rowCount(name) ?? 0;
        if (base > 0) resetRows(state, base);
        for (const file of journalFiles(dataDir, name, sealed)) reloadJournal(state, file);
        state.viewCount = state.base + state.length;
      }
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
    if (lagMs === 0 || n === 0) return s.base + n;
    const cutoff = now() - lagMs;
    if ((s.ingestMs[n - 1] ?? 0) <= cutoff) return s.base + n;
    // Rows are appended in time order, so the visible ones are a prefix: binary search it.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((s.ingestMs[mid] ?? 0) <= cutoff) lo = mid + 1;
      else hi = mid;
    }
    return s.base + lo;
  }

  async function openSealed(): Promise<SealedStore> {
    if (sealed) return sealed;
    const file = logStoreFile(dataDir!);
    mkdirSync(path.dirname(file), { recursive: true });
    trackDataFile(dataDir!, file);
    trackDataFile(dataDir!, `${file}.wal`);
    sealed = await openSealedStore(
      file,
      new Map(LOG_TABLE_NAMES.map((t) => [t, createTableState(t).columns])),
    );
    return sealed;
  }

  /** Rotates the table's journal and moves it into the columnar file. */
  function move(s: TableState): Promise<void> {
    const task = async (): Promise<void> => {
      const db = await openSealed();
      for (const file of journalFiles(dataDir!, s.name, db)) {
        const main = file === tableFile(dataDir!, s.name);
        let target = file;
        if (main) {
          flush(s);
          closeTable(s);
          target = path.join(
            dataDir!,
            'logs',
            `${s.name}.sealing-${Date.now()}-${process.pid}.jsonl`,
          );
          renameSync(file, target);
          trackDataFile(dataDir!, target);
          s.journalRows = 0;
          s.partialLastLine = false;
        }
        const bad = s.unreadable.find((u) => u.file === file);
        await db.seal(s.name, target, bad);
        if (bad) s.unreadable = s.unreadable.filter((u) => u !== bad);
        rmSync(target, { force: true });
      }
    };
    moving = moving.then(task).catch((err: unknown) => {
      moveError = err;
    });
    return moving;
  }

  async function loadColumns(s: TableState, names: Iterable<string>): Promise<void> {
    if (s.base === 0) return;
    const db = await openSealed();
    for (const name of names) {
      const col: KqlColumn | undefined = s.columns.find((c) => c.name === name);
      if (!col || isLoaded(s, name)) continue;
      adoptSealedColumn(s, name, await db.readColumn(s.name, col, s.base));
      version++;
    }
  }

  const store: LocalLogStore = {
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
      if (dataDir) {
        flush(s);
        s.journalRows += rows.length;
        if (s.journalRows >= sealRows) void move(s);
      }
      s.version++;
      version++;
    },
    rowCount(table, opts) {
      const s = mustState(table);
      return opts?.includePending ? s.base + s.length : visibleCount(s);
    },
    clear() {
      if (sealed) {
        sealed.close();
        sealed = undefined;
      }
      for (const s of load().values()) {
        closeTable(s);
        resetRows(s, 0);
        s.partialLastLine = false;
        s.pending = '';
        s.unreadable = [];
        s.journalRows = 0;
        if (dataDir)
          for (const f of journalFiles(dataDir, s.name, undefined)) rmSync(f, { force: true });
      }
      if (dataDir) {
        rmSync(logStoreFile(dataDir), { force: true });
        rmSync(`${logStoreFile(dataDir)}.wal`, { force: true });
      }
      version++;
    },
    flush() {
      if (tables) for (const s of tables.values()) flush(s);
    },
    unreadableLines() {
      const mem = [...load().values()].flatMap((s) => s.unreadable);
      return [...(sealed?.unreadable() ?? []), ...mem];
    },
    close() {
      if (tables) {
        for (const s of tables.values()) {
          flush(s);
          closeTable(s);
        }
      }
      // The file closes after the statement running now; a move cut short here stays a journal.
      sealed?.close();
      sealed = undefined;
      opening = undefined;
    },
    ready() {
      if (!dataDir) return Promise.resolve();
      opening ??= (async () => {
        const big = LOG_TABLE_NAMES.some((t) =>
          journalFiles(dataDir, t, undefined).some((f) => statSync(f).size > 4 << 20),
        );
        if (existsSync(logStoreFile(dataDir)) || big) await openSealed();
        const loaded = load();
        // A journal from an older kit (JSON lines only) or one a crash left large moves now.
        for (const s of loaded.values()) if (s.journalRows >= sealRows) await move(s);
      })().catch((err: unknown) => {
        opening = undefined;
        throw err;
      });
      return opening.then(() => {
        if (moveError) {
          const err = moveError;
          moveError = undefined;
          throw err;
        }
      });
    },
    async prepare(query) {
      await store.ready();
      const { tables: used, columns } = queryColumns(query);
      for (const t of used) {
        const s = state(t);
        if (s) await loadColumns(s, columns);
      }
    },
    async loadTables(names) {
      await store.ready();
      for (const t of names) {
        const s = state(t);
        if (s)
          await loadColumns(
            s,
            s.columns.map((c) => c.name),
          );
      }
    },
    async seal() {
      await store.ready();
      for (const s of load().values())
        if (s.journalRows > 0 || s.unreadable.length > 0) await move(s);
      await moving;
      if (moveError) {
        const err = moveError;
        moveError = undefined;
        throw err;
      }
    },
  };
  return store;

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
