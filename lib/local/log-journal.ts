/**
 * The log store's journal files: `<dataDir>/logs/<table>.jsonl` (rows as they arrive) and
 * `<table>.sealing-<time>-<pid>.jsonl` (a journal being moved into the columnar file, or one a
 * crash left mid-move), read back in that order after a restart.
 */
import { closeSync, existsSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { LogStoreError } from '../errors.js';
import { readLogFile } from './log-file-reader.js';
import { appendRow, type TableState } from './log-table-state.js';
import type { SealedStore } from './sealed-store.js';

/** The columnar file under a data folder. */
export function logStoreFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'logs', 'store.duckdb');
}

/**
 * The journal files of a table, oldest first: moves a crash interrupted (their rows not in the
 * columnar file yet; those already in it are removed here), then the current journal.
 */
export function journalFiles(
  dataDir: string,
  table: string,
  sealed: SealedStore | undefined,
): string[] {
  const dir = path.join(dataDir, 'logs');
  const prefix = `${table}.sealing-`;
  const moving = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  const out: string[] = [];
  for (const f of moving) {
    if (sealed?.isSealed(f)) rmSync(f, { force: true });
    else out.push(f);
  }
  const main = tableFile(dataDir, table);
  if (existsSync(main)) out.push(main);
  return out;
}

export function reloadJournal(s: TableState, file: string): void {
  const read = readLogFile(file, ({ ingestMs, input }) => {
    appendRow(s, input, ingestMs, s.billedSize ? JSON.stringify(input) : undefined);
  });
  if (file === tableFile(path.dirname(path.dirname(file)), s.name)) {
    s.partialLastLine = read.partialLastLine;
  }
  s.journalRows += read.rowCount;
  if (read.unreadable) s.unreadable.push(read.unreadable);
}

export function tableFile(dataDir: string, name: string): string {
  return path.join(dataDir, 'logs', `${name}.jsonl`);
}

export function closeTable(s: TableState): void {
  if (s.fd !== undefined) {
    closeSync(s.fd);
    s.fd = undefined;
  }
}

export function checkLag(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new LogStoreError(
      `Ingestion lag must be 0 or more milliseconds, got ${ms}. Pass a number like 0 or 5000.`,
    );
  }
  return ms;
}
