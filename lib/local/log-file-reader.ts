/**
 * Reads one table's JSON-lines log file (`[ingestMs, row]` per line) and keeps count of the
 * lines it could not read, with their numbers, so a lost row is reported by file and line
 * instead of vanishing. Kept apart from the store so any store (or a migration from this
 * format) reads old files the same way.
 */
import { readFileSync, statSync } from 'node:fs';
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
  /** Readable rows, in file order. */
  rows: { ingestMs: number; input: Readonly<Record<string, KqlValue | undefined>> }[];
  /** Skipped lines, or `undefined` when every line was readable. */
  unreadable: UnreadableLogLines | undefined;
  /** The file ends without a newline (a write cut short). */
  partialLastLine: boolean;
}

/**
 * Reads a log file; a missing file is empty.
 * @throws {@link LogStoreError} naming the file when it is a folder or cannot be read.
 * @example const { rows, unreadable } = readLogFile('.data/logs/customMetrics.jsonl');
 */
export function readLogFile(file: string): LogFileContents {
  let buf: Buffer;
  try {
    if (statSync(file, { throwIfNoEntry: false }) === undefined)
      return { rows: [], unreadable: undefined, partialLastLine: false };
    buf = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'EISDIR'
        ? 'is a folder, not a log file'
        : `cannot be read (${(err as Error).message})`;
    throw new LogStoreError(
      `The log file ${file} ${what}: move it aside or delete it (clean-up does), then run the traffic cells again.`,
      { cause: err },
    );
  }
  const rows: LogFileContents['rows'] = [];
  const lines: number[] = [];
  let count = 0;
  let start = 0;
  let lineNo = 0;
  // Scan bytes for newlines instead of one giant string: a million rows can exceed V8's
  // maximum string length.
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    lineNo += 1;
    if (end > start) {
      const row = parseLine(buf.toString('utf8', start, end));
      if (row) rows.push(row);
      else {
        count += 1;
        if (lines.length < MAX_LINE_NUMBERS) lines.push(lineNo);
      }
    }
    start = end + 1;
  }
  return {
    rows,
    unreadable: count > 0 ? { file, count, lines } : undefined,
    partialLastLine: buf.length > 0 && buf[buf.length - 1] !== 10,
  };
}

function parseLine(text: string): LogFileContents['rows'][number] | undefined {
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
