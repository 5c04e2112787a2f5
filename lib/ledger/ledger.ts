/**
 * Reading and writing the ground-truth ledger (its types and what each count means are in
 * `ledger-types.ts`).
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { KitConfig } from '../config/types.js';
import { LedgerError } from '../errors.js';
import type {
  TrafficSource,
  RequestRecord,
  TrafficCounts,
  AiCellCounts,
  LedgerEntryHead,
  LedgerEntry,
  Ledger,
} from './ledger-types.js';

/** Absolute path of the ledger file: `<dataDir>/ledger.local.json`. */
export function ledgerPath(config: KitConfig): string {
  return path.resolve(config.local.dataDir, 'ledger.local.json');
}

/** A fresh all-zero {@link TrafficCounts}. */
export function emptyCounts(): TrafficCounts {
  return {
    planned: 0,
    sent: 0,
    delivered: 0,
    succeeded: 0,
    failedByStatus: {},
    networkFailures: 0,
    networkErrors: {},
    attempts: 0,
    retries: 0,
    attemptsByStatus: {},
    withUsage: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
  };
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

/** Adds one request record to counts (mutates `counts`). */
export function addRecord(counts: TrafficCounts, record: RequestRecord): void {
  counts.planned += 1;
  if (record.outcome === 'not-sent') return;
  counts.sent += 1;
  counts.attempts += record.attempts.length;
  counts.retries += Math.max(0, record.attempts.length - 1);
  for (const a of record.attempts)
    bump(
      counts.attemptsByStatus,
      a.status !== undefined ? String(a.status) : (a.error ?? 'unknown'),
    );
  if (record.outcome === 'succeeded') {
    counts.delivered += 1;
    counts.succeeded += 1;
  } else if (record.outcome === 'failed-status') {
    counts.delivered += 1;
    bump(counts.failedByStatus, String(record.status ?? 0));
  } else {
    counts.networkFailures += 1;
    bump(counts.networkErrors, record.error ?? 'unknown');
  }
  if (record.usage && record.outcome === 'succeeded') {
    counts.withUsage += 1;
    counts.promptTokens += record.usage.promptTokens;
    counts.completionTokens += record.usage.completionTokens;
    counts.totalTokens += record.usage.totalTokens;
  }
}

/** Sums records into counts, optionally grouped by a key (records with an `undefined` key are left out). */
export function summarizeRecords(records: readonly RequestRecord[]): TrafficCounts;
export function summarizeRecords(
  records: readonly RequestRecord[],
  key: (r: RequestRecord) => string | undefined,
): Record<string, TrafficCounts>;
export function summarizeRecords(
  records: readonly RequestRecord[],
  key?: (r: RequestRecord) => string | undefined,
): TrafficCounts | Record<string, TrafficCounts> {
  if (!key) {
    const total = emptyCounts();
    for (const r of records) addRecord(total, r);
    return total;
  }
  const groups: Record<string, TrafficCounts> = {};
  for (const r of records) {
    const k = key(r);
    if (k === undefined) continue;
    addRecord((groups[k] ??= emptyCounts()), r);
  }
  return groups;
}

/** Builds an entry whose every breakdown is computed from its records, so they cannot disagree. */
export function buildLedgerEntry(
  head: LedgerEntryHead,
  records: readonly RequestRecord[],
): LedgerEntry {
  const cells = new Map<string, AiCellCounts>();
  for (const r of records) {
    if (r.model === undefined || r.mode === undefined) continue;
    const k = `${r.bu}\u0000${r.model}\u0000${r.mode}`;
    let cell = cells.get(k);
    if (!cell) {
      cell = { bu: r.bu, model: r.model, mode: r.mode, counts: emptyCounts() };
      cells.set(k, cell);
    }
    addRecord(cell.counts, r);
  }
  return {
    ...head,
    totals: summarizeRecords(records),
    byBu: summarizeRecords(records, (r) => r.bu),
    byApi: summarizeRecords(records, (r) => r.api ?? head.apiId),
    byLoggedSubscription: summarizeRecords(records, (r) => r.loggedSubscription ?? r.bu),
    byCaller: summarizeRecords(records, (r) => r.caller),
    byModel: summarizeRecords(records, (r) => r.model),
    byMode: summarizeRecords(records, (r) => (r.mode === undefined ? undefined : String(r.mode))),
    byBuModelMode: [...cells.values()],
    requests: records.map((r) => ({ ...r, attempts: r.attempts.map((a) => ({ ...a })) })),
  };
}

function emptyLedger(): Ledger {
  return { version: 1, updatedAt: new Date().toISOString(), sources: {} };
}

async function readLedgerFile(file: string): Promise<Ledger> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyLedger();
    throw new LedgerError(`Cannot read the ledger ${file}: ${(err as Error).message}.`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LedgerError(
      `The ledger ${file} is not valid JSON: delete it and run the traffic cells (C1-D2) again.`,
      { cause: err },
    );
  }
  const ledger = parsed as Partial<Ledger> | null;
  if (
    !ledger ||
    typeof ledger !== 'object' ||
    ledger.version !== 1 ||
    typeof ledger.sources !== 'object' ||
    ledger.sources === null
  ) {
    throw new LedgerError(
      `The ledger ${file} is not a version-1 ledger: delete it and run the traffic cells (C1-D2) again.`,
    );
  }
  return ledger as Ledger;
}

/**
 * Reads the ledger; a missing file is an empty ledger.
 * @param config - the kit configuration (for `local.dataDir`).
 * @returns the ledger, with one entry per traffic source that ran.
 * @throws {@link LedgerError} when the file is not a ledger.
 * @example const ledger = await readLedger(config);
 */
export async function readLedger(config: KitConfig): Promise<Ledger> {
  return readLedgerFile(ledgerPath(config));
}

// Read-modify-write of the one file is serialized per path inside this process, so two cells
// writing their own entries at once cannot lose each other's update.
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

let tempCounter = 0;

// The ledger this process last wrote, with the file's identity then: a running cell rewrites
// its entry twice a second, and re-reading and re-parsing the whole file each time would cost
// more than the write. Any change by someone else (another mtime or size) is read from disk.
const lastWritten = new Map<string, { mtimeMs: number; size: number; ledger: Ledger }>();

async function readForUpdate(file: string): Promise<Ledger> {
  const cached = lastWritten.get(file);
  if (cached) {
    const st = await stat(file).catch(() => undefined);
    if (st && st.mtimeMs === cached.mtimeMs && st.size === cached.size) return cached.ledger;
    lastWritten.delete(file);
  }
  return readLedgerFile(file);
}

async function writeAtomically(file: string, ledger: Ledger): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  tempCounter += 1;
  const temp = `${file}.${process.pid}.${tempCounter}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(ledger)}\n`, 'utf8');
    await rename(temp, file);
    const st = await stat(file);
    lastWritten.set(file, { mtimeMs: st.mtimeMs, size: st.size, ledger });
  } catch (err) {
    lastWritten.delete(file);
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Replaces (or, with `undefined`, removes) one source's entry; the file is rewritten atomically.
 * @param config - the kit configuration (for `local.dataDir`).
 * @param source - the entry to replace.
 * @param entry - the new entry, or `undefined` to remove it.
 */
export async function writeLedgerEntry(
  config: KitConfig,
  source: TrafficSource,
  entry: LedgerEntry | undefined,
): Promise<void> {
  const file = ledgerPath(config);
  await serialized(file, async () => {
    const ledger = await readForUpdate(file);
    if (entry) ledger.sources[source] = entry;
    else delete ledger.sources[source];
    ledger.updatedAt = new Date().toISOString();
    await writeAtomically(file, ledger);
  });
}

/**
 * Removes the whole ledger file (clean-up).
 * @param config - the kit configuration (for `local.dataDir`).
 */
export async function clearLedger(config: KitConfig): Promise<void> {
  const file = ledgerPath(config);
  await serialized(file, async () => {
    lastWritten.delete(file);
    await rm(file, { force: true });
  });
}
