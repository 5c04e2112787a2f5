/**
 * The log store's columnar part on disk: a DuckDB file (`<dataDir>/logs/store.duckdb`) with one
 * table per log table, named and typed as the schema (datetimes as epoch milliseconds, dynamic
 * values as JSON text), plus `_IngestMs`. Rows reach it in batches: the store appends each row
 * to its JSON-lines journal at once (a killed kernel keeps it), and once a journal holds
 * enough rows it is sealed here, by DuckDB reading the journal file itself, in one transaction
 * that also records the journal's name (so a crash between the insert and the journal's removal
 * never seals it twice). 1M gateway rows take tens of MB here instead of over 1 GB of JSON lines.
 *
 * Columns are read one at a time, when a query needs them, in insertion order; a string
 * column comes back dictionary-encoded by DuckDB (`dense_rank`), so the engine gets its codes
 * without hashing a million strings in JavaScript.
 */
import { createRequire } from 'node:module';
import { LogStoreError } from '../errors.js';
import type { StoredColumn } from '../kql/log-tables.js';
import { packDictionary } from '../kql/packed-strings.js';
import type { KqlColumn, KqlValue } from '../target.js';
import type { UnreadableLogLines } from './log-file-reader.js';
import { codeArray } from './stored-columns.js';

/** The part of `@duckdb/node-api` the store uses. */
interface DuckConnection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getColumns(): unknown[][]; getRows(): unknown[][] }>;
  closeSync(): void;
}
interface DuckInstance {
  connect(): Promise<DuckConnection>;
  closeSync(): void;
}
interface DuckApi {
  DuckDBInstance: { create(path: string, options?: Record<string, string>): Promise<DuckInstance> };
}

/** The sealed rows of every table, read column by column. */
export interface SealedStore {
  readonly file: string;
  /** Rows sealed per table. */
  rowCount(table: string): number;
  /** Whether a journal file (by name) is already in the store. */
  isSealed(journal: string): boolean;
  /** Unreadable journal lines found when journals were sealed (their rows are not here). */
  unreadable(): UnreadableLogLines[];
  /**
   * Moves a journal file's rows into the table (one transaction); returns how many.
   * @param unreadable - what the JavaScript reader found in it, kept for `unreadable()`.
   */
  seal(table: string, journal: string, unreadable: UnreadableLogLines | undefined): Promise<number>;
  /** One column of the table's first `rows` sealed rows, in insertion order. */
  readColumn(table: string, column: KqlColumn, rows: number): Promise<StoredColumn>;
  close(): void;
}

const DUCK_TYPES: Record<string, string> = {
  string: 'VARCHAR',
  guid: 'VARCHAR',
  datetime: 'DOUBLE',
  bool: 'BOOLEAN',
  int: 'DOUBLE',
  long: 'DOUBLE',
  real: 'DOUBLE',
  decimal: 'DOUBLE',
  timespan: 'DOUBLE',
};

const quoteId = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteText = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * Opens (or creates) the DuckDB file with a table per schema.
 * @throws {@link LogStoreError} naming the file when DuckDB cannot open it (corrupt, or held
 * by another process).
 */
export async function openSealedStore(
  file: string,
  schemas: ReadonlyMap<string, readonly KqlColumn[]>,
): Promise<SealedStore> {
  // One DuckDB instance per file in a process: two stores on one data folder (a re-run A1
  // whose predecessor is still closing) share it, and a new one waits for a closing one (two
  // instances of one file in a process crash DuckDB).
  await closing.get(file);
  let entry = live.get(file);
  if (!entry) {
    const created = { open: openShared(file, schemas), refs: 0 };
    live.set(file, created);
    created.open.catch(() => live.delete(file));
    entry = created;
  }
  entry.refs++;
  const shared = await entry.open;
  const held = entry;
  let released = false;
  return {
    ...shared.store,
    close() {
      if (released) return;
      released = true;
      if (--held.refs > 0) return;
      live.delete(file);
      const done = shared.shutdown().finally(() => closing.delete(file));
      closing.set(file, done);
    },
  };
}

const live = new Map<string, { open: Promise<Shared>; refs: number }>();
const closing = new Map<string, Promise<void>>();

interface Shared {
  store: Omit<SealedStore, 'close'>;
  shutdown(): Promise<void>;
}

async function openShared(
  file: string,
  schemas: ReadonlyMap<string, readonly KqlColumn[]>,
): Promise<Shared> {
  const duck = createRequire(__filename)('@duckdb/node-api') as DuckApi;
  let instance: DuckInstance;
  let con: DuckConnection;
  try {
    // One thread: the kernel's own thread runs the engine, and the machine may have two cores.
    instance = await duck.DuckDBInstance.create(file, { threads: '1' });
    con = await instance.connect();
  } catch (err) {
    throw new LogStoreError(
      `The log store ${file} cannot be opened (${(err as Error).message.split('\n')[0]}): if another kernel uses this data folder, stop it; if the file is damaged, move it aside or delete it (clean-up does), then run the traffic cells again.`,
      { cause: err },
    );
  }
  await con.run(
    'CREATE TABLE IF NOT EXISTS _sealed (journal VARCHAR PRIMARY KEY, tbl VARCHAR, rows BIGINT, unreadable VARCHAR)',
  );
  for (const [table, columns] of schemas) {
    const defs = columns.map((c) => `${quoteId(c.name)} ${DUCK_TYPES[c.type] ?? 'VARCHAR'}`);
    await con.run(
      `CREATE TABLE IF NOT EXISTS ${quoteId(table)} (_IngestMs DOUBLE, ${defs.join(', ')})`,
    );
  }
  const counts = new Map<string, number>();
  const sealed = new Set<string>();
  const unreadable: UnreadableLogLines[] = [];
  for (const [journal, tbl, rows, bad] of (
    await con.runAndReadAll('SELECT journal, tbl, rows, unreadable FROM _sealed')
  ).getRows() as [string, string, bigint, string | null][]) {
    sealed.add(journal);
    counts.set(tbl, (counts.get(tbl) ?? 0) + Number(rows));
    if (bad) unreadable.push(JSON.parse(bad) as UnreadableLogLines);
  }
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const guarded = (): Promise<T> => {
      if (closed) throw new LogStoreError(`The log store ${file} was closed: reopen the store.`);
      return task();
    };
    const next = queue.then(guarded, guarded);
    queue = next.catch(() => undefined);
    return next;
  };
  let closed = false;

  const store: Omit<SealedStore, 'close'> = {
    file,
    rowCount: (table) => counts.get(table) ?? 0,
    isSealed: (journal) => sealed.has(journal),
    unreadable: () => [...unreadable],
    seal: (table, journal, bad) =>
      serial(async () => {
        const columns = schemas.get(table);
        if (!columns) throw new LogStoreError(`Unknown log table '${table}'.`);
        if (sealed.has(journal)) return 0;
        const before = counts.get(table) ?? 0;
        await con.run('BEGIN TRANSACTION');
        try {
          await con.run(
            `INSERT INTO ${quoteId(table)} SELECT ${selectList(columns)} FROM (${journalRows(journal, columns)})`,
          );
          const total = (
            await con.runAndReadAll(`SELECT count(*) FROM ${quoteId(table)}`)
          ).getRows()[0]![0] as bigint;
          const added = Number(total) - before;
          await con.run(
            `INSERT INTO _sealed VALUES (${quoteText(journal)}, ${quoteText(table)}, ${added}, ${bad ? quoteText(JSON.stringify(bad)) : 'NULL'})`,
          );
          await con.run('COMMIT');
          counts.set(table, before + added);
          sealed.add(journal);
          if (bad) unreadable.push(bad);
          return added;
        } catch (err) {
          await con.run('ROLLBACK').catch(() => undefined);
          throw new LogStoreError(
            `Moving ${journal} into ${file} failed (${(err as Error).message.split('\n')[0]}); its rows stay in the journal and are still read from there.`,
            { cause: err },
          );
        }
      }),
    readColumn: (table, column, rows) =>
      serial(async () => {
        const t = quoteId(table);
        const c = quoteId(column.name);
        if (column.type === 'string' || column.type === 'guid') {
          const codes = (
            await con.runAndReadAll(
              `SELECT (dense_rank() OVER (ORDER BY ${c}) - 1)::INTEGER AS code, rowid AS r FROM ${t} ORDER BY r LIMIT ${rows}`,
            )
          ).getColumns()[0] as number[];
          const dict = (
            await con.runAndReadAll(`SELECT DISTINCT ${c} AS v FROM ${t} ORDER BY v`)
          ).getColumns()[0] as (string | null)[];
          return {
            kind: 'dict',
            codes: codeArray(codes, dict.length),
            dict: packDictionary(dict.map((v) => v ?? '')),
          } satisfies StoredColumn;
        }
        const values = (
          await con.runAndReadAll(`SELECT ${c} AS v, rowid AS r FROM ${t} ORDER BY r LIMIT ${rows}`)
        ).getColumns()[0] as unknown[];
        return toStored(values, column.type);
      }),
  };
  return {
    store,
    shutdown() {
      closed = true;
      // Closing under a running statement would pull the database from under it: after the queue.
      return queue.then(() => {
        con.closeSync();
        instance.closeSync();
      });
    },
  };
}

/** The journal's readable lines (`[ingestMs, {row}]`), parsed by DuckDB, one JSON value each. */
function journalRows(journal: string, columns: readonly KqlColumn[]): string {
  const structure = Object.fromEntries(
    columns.map((c) => [
      c.name,
      c.type === 'bool' ? 'BOOLEAN' : c.type === 'dynamic' ? 'JSON' : 'VARCHAR',
    ]),
  );
  // Each line is read whole (no delimiter or quote can split it), so a damaged line is one
  // NULL, skipped as the JavaScript reader skips it.
  return `SELECT line, j, CAST(json_extract(j, '$[0]') AS DOUBLE) AS ms,
      json_transform(json_extract(j, '$[1]'), ${quoteText(JSON.stringify(structure))}) AS s
    FROM (SELECT line, TRY_CAST(line AS JSON) AS j FROM read_csv(${quoteText(journal)},
      columns = {'line': 'VARCHAR'}, delim = '\\x01', quote = '', escape = '', header = false,
      auto_detect = false, strict_mode = false, null_padding = true))
    WHERE json_type(j) = 'ARRAY' AND json_array_length(j) = 2
      AND json_type(j, '$[0]') IN ('UBIGINT', 'BIGINT', 'DOUBLE')
      AND json_type(j, '$[1]') = 'OBJECT'`;
}

/** How each schema column is computed from a journal line. */
function selectList(columns: readonly KqlColumn[]): string {
  const parts = ['ms'];
  for (const c of columns) {
    const f = `s.${quoteId(c.name)}`;
    switch (c.type) {
      case 'string':
      case 'guid':
        parts.push(`coalesce(${f}, '')`);
        break;
      case 'datetime':
        parts.push(`epoch_ms(TRY_CAST(${f} AS TIMESTAMPTZ))::DOUBLE`);
        break;
      case 'bool':
        parts.push(f);
        break;
      case 'dynamic':
        parts.push(`CAST(${f} AS VARCHAR)`);
        break;
      default:
        // A row without `_BilledSize` bills its stored size: the JSON after `[ingestMs,`.
        parts.push(
          c.name === '_BilledSize'
            ? `coalesce(TRY_CAST(${f} AS DOUBLE), length(line) - strpos(line, ',') - 1)`
            : `TRY_CAST(${f} AS DOUBLE)`,
        );
    }
  }
  return parts.join(', ');
}

function toStored(values: unknown[], type: string): StoredColumn {
  const n = values.length;
  if (type === 'bool') {
    const out = new Int8Array(n);
    for (let i = 0; i < n; i++) out[i] = values[i] === null ? -1 : values[i] ? 1 : 0;
    return { kind: 'bool', values: out };
  }
  if (type in DUCK_TYPES) {
    const out = new Float64Array(n);
    let nulls: Uint8Array | undefined;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        nulls ??= new Uint8Array(n);
        nulls[i] = 1;
      } else out[i] = Number(v);
    }
    return { kind: 'number', values: out, nulls };
  }
  const out = new Array<KqlValue>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    out[i] = typeof v === 'string' ? (JSON.parse(v) as KqlValue) : null;
  }
  return { kind: 'values', values: out };
}
