/**
 * A running traffic cell's journal: one line appended when a request starts and one when it
 * ends, written synchronously, so a kernel killed mid-run leaves every finished request's
 * outcome and the exact number that were in flight. The ledger's snapshot of a run is rewritten
 * twice a second; the journal fills the gap when the run dies. Removed when the run ends.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import * as path from 'node:path';
import { DATA_FILES } from '../artifacts/names.js';
import type { KitConfig } from '../config/types.js';
import { trackDataFile } from './data-folder.js';
import type { RequestRecord } from './ledger-types.js';

/** Path of a run's journal: `<dataDir>/runs/<runId>.jsonl`. */
export function journalPath(config: KitConfig, runId: string): string {
  return path.resolve(config.local.dataDir, DATA_FILES.runs, `${runId}.jsonl`);
}

/** The open journal of one run. */
export interface RunJournal {
  /** A request's attempt started (1 = its first; retries journal theirs too). */
  started(index: number, attempt?: number): void;
  finished(record: RequestRecord): void;
  /** Closes it; with `remove` the file goes (the run's final entry is in the ledger). */
  close(remove: boolean): void;
}

/** Opens (creates) a run's journal. A journal that cannot be written is a no-op, not a failure. */
export function openRunJournal(config: KitConfig, runId: string): RunJournal {
  const file = journalPath(config, runId);
  let fd: number | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    trackDataFile(config.local.dataDir, file);
    fd = openSync(file, 'a');
  } catch {
    fd = undefined;
  }
  const line = (value: unknown): void => {
    if (fd === undefined) return;
    try {
      writeSync(fd, `${JSON.stringify(value)}\n`);
    } catch {
      // A full disk costs the journal, not the run: the ledger snapshot still has most of it.
    }
  };
  return {
    started: (index, attempt = 1) => line(attempt === 1 ? { s: index } : { s: index, a: attempt }),
    finished: (record) => line({ r: record }),
    close(remove) {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      if (remove) rmSync(file, { force: true });
    },
  };
}

/** What a dead run's journal says. */
export interface JournalContents {
  /** Indexes of requests that started. */
  started: Set<number>;
  /**
   * Attempts started per request index (1 when only its first did): a request without an
   * outcome may have left up to this many gateway rows, one per attempt that reached the gateway.
   */
  attempts: Map<number, number>;
  /** Final records by index. */
  records: Map<number, RequestRecord>;
  /** Lines that could not be read (a line cut by the kill). */
  skippedLines: number;
}

/** Reads a run's journal; a missing file is an empty journal. */
export function readRunJournal(config: KitConfig, runId: string): JournalContents {
  const out: JournalContents = {
    started: new Set(),
    attempts: new Map(),
    records: new Map(),
    skippedLines: 0,
  };
  const file = journalPath(config, runId);
  if (!existsSync(file)) return out;
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (text === '') continue;
    try {
      const v = JSON.parse(text) as { s?: unknown; a?: unknown; r?: RequestRecord };
      if (typeof v.s === 'number') {
        out.started.add(v.s);
        const n = typeof v.a === 'number' && v.a >= 1 ? Math.floor(v.a) : 1;
        out.attempts.set(v.s, Math.max(n, out.attempts.get(v.s) ?? 0));
      } else if (v.r && typeof v.r.index === 'number') out.records.set(v.r.index, v.r);
      else out.skippedLines += 1;
    } catch {
      out.skippedLines += 1;
    }
  }
  return out;
}

/** Removes a run's journal (once its entry in the ledger is final). */
export function removeRunJournal(config: KitConfig, runId: string): void {
  rmSync(journalPath(config, runId), { force: true });
}
