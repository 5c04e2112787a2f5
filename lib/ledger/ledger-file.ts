/**
 * The ledger file: every run of every traffic cell (`ledger.local.json`, version 2), written
 * atomically (temporary file, then rename) under a lock file, so that neither a crash nor a
 * second writer loses a run. A run left `running` by a process that is gone is marked `died`
 * when the ledger is next read, with what its journal recorded.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DATA_FILES } from '../artifacts/names.js';
import type { KitConfig } from '../config/types.js';
import { LedgerError } from '../errors.js';
import { pidAlive, trackDataFile } from './data-folder.js';
import { buildLedgerEntry } from './ledger.js';
import type { Ledger, LedgerEntry, RequestRecord, TrafficSource } from './ledger-types.js';
import { readRunJournal, removeRunJournal } from './run-journal.js';

/** Absolute path of the ledger file: `<dataDir>/ledger.local.json`. */
export function ledgerPath(config: KitConfig): string {
  return path.resolve(config.local.dataDir, DATA_FILES.ledger);
}

/** The id of an entry: its `runId`, or `<source>-legacy` for entries written before runs. */
export function runIdOf(entry: Pick<LedgerEntry, 'runId' | 'source'>): string {
  return entry.runId ?? `${entry.source}-legacy`;
}

interface StoredLedger {
  version: 2;
  updatedAt: string;
  runs: LedgerEntry[];
}

function toLedger(stored: StoredLedger): Ledger {
  const sources: Ledger['sources'] = {};
  for (const run of stored.runs) sources[run.source] = run;
  return { version: 2, updatedAt: stored.updatedAt, runs: stored.runs, sources };
}

// Clean-up removes the ledger without reading it, so it is a way out of a broken one.
const LEDGER_REMEDY =
  'move it aside and run the traffic cells (C1-D2) again, or delete it (clean-up.ipynb does) and run the traffic cells again';

function shapeError(file: string, what: string): LedgerError {
  return new LedgerError(`The ledger ${file} ${what}: ${LEDGER_REMEDY}.`);
}

function isEntry(e: unknown): e is LedgerEntry {
  if (!e || typeof e !== 'object') return false;
  const x = e as Partial<LedgerEntry>;
  return (
    typeof x.source === 'string' &&
    typeof x.status === 'string' &&
    typeof x.startedAt === 'string' &&
    Array.isArray(x.requests) &&
    typeof x.totals === 'object' &&
    x.totals !== null
  );
}

async function readStored(file: string): Promise<StoredLedger> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { version: 2, updatedAt: new Date().toISOString(), runs: [] };
    if (code === 'EISDIR') throw shapeError(file, 'is a folder, not a file');
    throw new LedgerError(`Cannot read the ledger ${file}: ${(err as Error).message}.`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LedgerError(
      `The ledger ${file} is not valid JSON (${(err as Error).message}): ${LEDGER_REMEDY}.`,
      { cause: err },
    );
  }
  const l = parsed as { version?: unknown; runs?: unknown; sources?: unknown; updatedAt?: unknown };
  if (!l || typeof l !== 'object') throw shapeError(file, 'is not a ledger object');
  const updatedAt = typeof l.updatedAt === 'string' ? l.updatedAt : new Date().toISOString();
  if (l.version === 1 && l.sources && typeof l.sources === 'object') {
    // A ledger from before runs: each source's one entry becomes one run.
    const runs = Object.values(l.sources as Record<string, unknown>).filter(
      (e): e is LedgerEntry =>
        !!e && typeof e === 'object' && typeof (e as LedgerEntry).source === 'string',
    );
    return {
      version: 2,
      updatedAt,
      runs: runs.map((e) => ({
        ...e,
        requests: Array.isArray(e.requests) ? e.requests : [],
        status: e.status === 'completed' ? 'done' : e.status,
      })),
    };
  }
  if (l.version !== 2) throw shapeError(file, `has version ${JSON.stringify(l.version)}, not 2`);
  if (!Array.isArray(l.runs)) throw shapeError(file, "has no list of 'runs'");
  const bad = l.runs.findIndex((e) => !isEntry(e));
  if (bad >= 0)
    throw shapeError(
      file,
      `has a run (number ${bad + 1}) without source, status, start and requests`,
    );
  return { version: 2, updatedAt, runs: l.runs as LedgerEntry[] };
}

/** Marks runs whose process is gone as `died`, with what their journals recorded. */
function markDeadRuns(config: KitConfig, stored: StoredLedger): boolean {
  let changed = false;
  stored.runs = stored.runs.map((run) => {
    if (run.status !== 'running' || (run.pid !== undefined && pidAlive(run.pid))) return run;
    changed = true;
    const journal = run.runId ? readRunJournal(config, run.runId) : undefined;
    const records: RequestRecord[] = run.requests.map((r) => journal?.records.get(r.index) ?? r);
    let inFlight = 0;
    for (const [i, r] of records.entries()) {
      if (r.outcome !== 'not-sent' || !journal?.started.has(r.index)) continue;
      // Started, no outcome: each of its attempts may or may not have a gateway row in the logs
      // (the journal says how many started); `expected-logs.ts` turns them into a range.
      inFlight += 1;
      const n = Math.min(64, journal.attempts.get(r.index) ?? 1);
      records[i] = {
        ...r,
        outcome: 'failed-network',
        error: 'died',
        attempts: Array.from({ length: n }, () => ({ error: 'died', durationMs: 0 })),
      };
    }
    const finishedAt = new Date().toISOString();
    const entry = buildLedgerEntry(
      {
        ...run,
        status: 'died',
        inFlightAtDeath: inFlight,
        reason: `the kernel (pid ${run.pid ?? 'unknown'}) went away while ${run.cell} was running`,
        finishedAt,
      },
      records,
    );
    return entry;
  });
  return changed;
}

// Read-modify-write is serialized per file inside this process, and across processes by a lock
// file, so two writers cannot lose each other's runs.
const queues = new Map<string, Promise<unknown>>();

function serialized<T>(file: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(file) ?? Promise.resolve();
  const next = previous.then(work, work);
  const tail = next.catch(() => undefined);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  return next;
}

async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  await mkdir(path.dirname(file), { recursive: true });
  for (let tries = 0; ; tries += 1) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
      const st = await stat(lock).catch(() => undefined);
      // A holder that is gone, or a lock older than 10 s (no write takes that long), is stale.
      if (!pidAlive(holder) || (st !== undefined && Date.now() - st.mtimeMs > 10_000)) {
        await rm(lock, { force: true });
        continue;
      }
      if (tries > 400)
        throw new LedgerError(
          `The ledger ${file} stays locked by pid ${holder}: stop that process, or delete ${lock} if it is gone.`,
        );
      await sleep(5);
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

let tempCounter = 0;

async function writeStored(config: KitConfig, file: string, stored: StoredLedger): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  tempCounter += 1;
  const temp = `${file}.${process.pid}.${tempCounter}.tmp`;
  try {
    trackDataFile(config.local.dataDir, file);
    await writeFile(temp, `${JSON.stringify(stored)}\n`, 'utf8');
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function update(
  config: KitConfig,
  change: (stored: StoredLedger) => boolean,
): Promise<StoredLedger> {
  const file = ledgerPath(config);
  return serialized(file, () =>
    withFileLock(file, async () => {
      const stored = await readStored(file);
      const dead = markDeadRuns(config, stored);
      const changed = change(stored);
      if (dead || changed) {
        stored.updatedAt = new Date().toISOString();
        await writeStored(config, file, stored);
        if (dead)
          for (const r of stored.runs)
            if (r.status === 'died' && r.runId) removeRunJournal(config, r.runId);
      }
      return stored;
    }),
  );
}

/**
 * Reads the ledger; a missing file is an empty ledger. Runs left `running` by a kernel that is
 * gone are marked `died` (and saved so) first.
 * @param config - the kit configuration (for `local.dataDir`).
 * @returns every run, and the latest run of each source.
 * @throws {@link LedgerError} naming the file when it is not a ledger.
 * @example const ledger = await readLedger(config);
 */
export async function readLedger(config: KitConfig): Promise<Ledger> {
  const file = ledgerPath(config);
  if (!existsSync(file)) return toLedger(await readStored(file));
  return toLedger(await update(config, () => false));
}

/**
 * Writes one run's entry (replacing the entry with the same run id), or with `undefined` removes
 * every run of `source`; the file is rewritten atomically and other runs are kept as they are.
 * @param config - the kit configuration (for `local.dataDir`).
 * @param source - the entry's source.
 * @param entry - the run's entry, or `undefined` to remove the source's runs.
 */
export async function writeLedgerEntry(
  config: KitConfig,
  source: TrafficSource,
  entry: LedgerEntry | undefined,
): Promise<void> {
  await update(config, (stored) => {
    if (!entry) {
      stored.runs = stored.runs.filter((r) => r.source !== source);
      return true;
    }
    const id = runIdOf(entry);
    const at = stored.runs.findIndex((r) => runIdOf(r) === id);
    if (at >= 0) stored.runs[at] = entry;
    else stored.runs.push(entry);
    return true;
  });
}

/**
 * Removes the whole ledger file (clean-up).
 * @param config - the kit configuration (for `local.dataDir`).
 */
export async function clearLedger(config: KitConfig): Promise<void> {
  const file = ledgerPath(config);
  await serialized(file, async () => {
    await rm(file, { force: true });
  });
}
