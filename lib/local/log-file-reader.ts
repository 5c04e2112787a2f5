/**
 * Reads one table's JSON-lines log file (`[ingestMs, row]` per line) and keeps count of the
 * lines it could not read, with their numbers, so a lost row is reported by file and line
 * instead of vanishing. Kept apart from the store so any store (or a migration from this
 * format) reads old files the same way.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { LogStoreError } from '../errors.js';
import type { KqlValue } from '../target.js';

/** Lines of a log file that were not a `[number, object]` JSON line. */
export interface UnreadableLogLines {
  /** Absolute path of the log file. */
  file: string;
  /** How many lines were skipped. */
  count: number;
  /** 1-based numbers of the first skipped lines (at most {@link MAX_LINE_NUMBERS}). */
  lines: readonly number[];
}

/** How many skipped line numbers a report keeps. */
export const MAX_LINE_NUMBERS = 20;

/** What {@link readLogFile} read. */
export interface LogFileContents {
  /** How many rows were read (handed to `onRow`). */
  rowCount: number;
  /** Skipped lines, or `undefined` when every line was readable. */
  unreadable: UnreadableLogLines | undefined;
  /** The file ends without a newline (a write cut short). */
  partialLastLine: boolean;
}

/** One readable line of a log file. */
export interface LogFileRow {
  ingestMs: number;
  input: Readonly<Record<string, KqlValue | undefined>>;
}

/** Bytes read per step: a log file is never read whole (1M gateway rows are over 1 GB). */
const CHUNK_BYTES = 8 << 20;

/**
 * Reads a log file in steps, handing each readable row to `onRow`; a missing file is empty.
 * @throws {@link LogStoreError} naming the file when it is a folder or cannot be read.
 * @example readLogFile('.data/logs/customMetrics.jsonl', (row) => rows.push(row));
 */
export function readLogFile(file: string, onRow: (row: LogFileRow) => void): LogFileContents {
  let fd: number;
  try {
    if (statSync(file, { throwIfNoEntry: false }) === undefined)
      return { rowCount: 0, unreadable: undefined, partialLastLine: false };
    fd = openSync(file, 'r');
  } catch (err) {
    throw unreadableFile(file, err);
  }
  const lines: number[] = [];
  let count = 0;
  let rowCount = 0;
  let lineNo = 0;
  let carry: Buffer = Buffer.alloc(0);
  let lastByte = -1;
  const take = (buf: Buffer, start: number, end: number): void => {
    lineNo += 1;
    if (end <= start) return;
    const row = parseLine(buf.toString('utf8', start, end));
    if (row) {
      rowCount += 1;
      onRow(row);
    } else {
      count += 1;
      if (lines.length < MAX_LINE_NUMBERS) lines.push(lineNo);
    }
  };
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (err) {
        throw unreadableFile(file, err);
      }
      if (read === 0) break;
      lastByte = chunk[read - 1]!;
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk;
      const size = carry.length > 0 ? buf.length : read;
      let start = 0;
      // Scan bytes for newlines instead of one giant string: a chunk can hold many rows.
      for (;;) {
        const end = buf.indexOf(10, start);
        if (end < 0 || end >= size) break;
        take(buf, start, end);
        start = end + 1;
      }
      carry = Buffer.from(buf.subarray(start, size));
    }
    if (carry.length > 0) take(carry, 0, carry.length);
  } finally {
    closeSync(fd);
  }
  return {
    rowCount,
    unreadable: count > 0 ? { file, count, lines } : undefined,
    partialLastLine: lastByte !== -1 && lastByte !== 10,
  };
}

function unreadableFile(file: string, err: unknown): LogStoreError {
  const code = (err as NodeJS.ErrnoException).code;
  const what =
    code === 'EISDIR'
      ? 'is a folder, not a log file'
      : `cannot be read (${(err as Error).message})`;
  return new LogStoreError(
    `The log file ${file} ${what}: move it aside or delete it (clean-up does), then run the traffic cells again.`,
    { cause: err },
  );
}

function parseLine(text: string): LogFileRow | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    !Array.isArray(parsed) ||
    typeof parsed[0] !== 'number' ||
    !parsed[1] ||
    typeof parsed[1] !== 'object' ||
    Array.isArray(parsed[1])
  )
    return undefined;
  const input = parsed[1] as Record<string, KqlValue | undefined>;
  return { ingestMs: parsed[0], input };
}

/**
 * One line per file saying how many lines were skipped, which, and what to do.
 * @example unreadableLinesMessage({ file: 'logs/x.jsonl', count: 2, lines: [3, 9] });
 */
export function unreadableLinesMessage(u: UnreadableLogLines): string {
  const shown = u.lines.join(', ') + (u.count > u.lines.length ? ', ...' : '');
  return (
    `The log file ${u.file} had ${u.count} unreadable line(s) (line ${shown}), skipped: their rows are missing from the queries. ` +
    'Delete the file (or run clean-up) and run the traffic cells again to get a consistent log.'
  );
}
