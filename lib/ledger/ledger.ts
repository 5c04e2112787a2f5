/**
 * The ground-truth ledger: what the traffic cells (C1-C3, D1, D2) planned and sent, request by
 * request, so cell E3 and the tests can reconcile it with the gateway logs.
 *
 * File: `<config.local.dataDir>/ledger.local.json` (git-ignored). Each traffic cell owns one
 * source entry; it first replaces its stale entry, then rewrites it as requests complete.
 * Every write goes to a temporary file that is renamed over the ledger, so a crash never leaves
 * a half-written file.
 *
 * How ledger numbers map to log counts (per source, over the run's time window). Each HTTP
 * attempt that reaches the gateway writes exactly one `ApiManagementGatewayLogs` row, so:
 * - `attempts` = gateway rows of the source (retries included). Per API, use `byApi` (C1's
 *   malformed-body failures go to the AOAI gateway API, the rest to the costing API).
 * - `attemptsByStatus[code]` for a numeric code = rows with that `ResponseCode` (429s and 500s
 *   included: the ledger's failure counts are these). A stream cut mid-way is keyed by the status
 *   the client had already received (200), which is also what the gateway logs. Non-numeric keys
 *   are attempts without any response: `ECONNREFUSED` and other "unreachable" codes never reached
 *   the gateway (no row); `timeout` and `aborted` attempts may or may not have a row.
 * - Per BU, compare `byLoggedSubscription` with `ApimSubscriptionId`: APIM rejects a request to an
 *   unknown operation (404) before it reads the key and logs it with `''`; `byBu` is what each BU
 *   key sent.
 * - Per request: every attempt's `requestId` is the gateway's `x-ms-request-id`, the row's
 *   `CorrelationId`, so rows and attempts can be joined one to one.
 * - `sent` = distinct requests (a request tried four times is one `sent`, four `attempts`);
 *   `succeeded` + sum of `failedByStatus` = `delivered` (the final attempt got a whole response);
 *   `delivered` + `networkFailures` = `sent`: nothing sent is missing. `planned` - `sent` requests
 *   were never sent (the run was aborted or the gateway was unreachable).
 * - Callers (C2): `byCaller[appId].attempts` = `customMetrics` `caller-requests` rows (value 1)
 *   with that `CallerId`.
 * - Tokens (D1): the client-side usage of succeeded requests, per BU x model x mode in
 *   `byBuModelMode` = the LLM log's token sums per `CorrelationId` of those requests. Failed
 *   attempts carry no tokens on either side (a cut stream's LLM rows have null tokens). D2's
 *   tokens are the mock's fixed usage; no LLM rows are written for it.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { KitConfig, TargetKind } from '../config/load-config.js';
import { KitError } from '../errors.js';

/** The traffic sources, one per traffic cell. */
export const TRAFFIC_SOURCES = ['bu', 'entra', 'real-jwt', 'ai', 'mock-ai'] as const;
/** A traffic source: `bu` (C1), `entra` (C2), `real-jwt` (C3), `ai` (D1), `mock-ai` (D2). */
export type TrafficSource = (typeof TRAFFIC_SOURCES)[number];

/** Client-side token usage of one request (from the response body or the final stream event). */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** How a request ended. `not-sent`: planned but never started (the run stopped first). */
export type RequestOutcome = 'succeeded' | 'failed-status' | 'failed-network' | 'not-sent';

/** One HTTP attempt of a request. */
export interface AttemptRecord {
  /** HTTP status received, when a response (or at least its head) arrived. */
  status?: number;
  /** Network error code when the attempt did not complete (`ECONNRESET`, `timeout`, `stream-interrupted`, `aborted`...). */
  error?: string;
  /** The gateway's request id for this attempt (`CorrelationId` in the gateway log), when returned. */
  requestId?: string;
  /** Wall time of the attempt in milliseconds. */
  durationMs: number;
}

/** One planned request and what became of it. */
export interface RequestRecord {
  /** Position in the plan (0-based). */
  index: number;
  /** BU subscription id the request was sent with, e.g. `bu-hr`. */
  bu: string;
  /** APIM API id the request went to, when it differs from the entry's `apiId` (C1's malformed-body failures go to the AOAI API). */
  api?: string;
  /**
   * The `ApimSubscriptionId` the gateway logs for this request, when it is not `bu`: `''` for an
   * unknown operation, which APIM rejects (404) before it reads the subscription key.
   */
  loggedSubscription?: string;
  /** Caller `appid` carried in the JWT, when the request had one. */
  caller?: string;
  /** Model deployment name (AI traffic). */
  model?: string;
  /** AI mode 0-5 (SPEC section 6). */
  mode?: number;
  /** What the request was meant to do: `ok`, or a deliberate failure (`unknown-operation`, `malformed-body`). */
  kind: string;
  outcome: RequestOutcome;
  /** Final HTTP status (failed-status and succeeded; also failed-network when a stream broke after the head). */
  status?: number;
  /** Final network error code (failed-network). */
  error?: string;
  /** The final attempt's gateway request id. */
  requestId?: string;
  attempts: AttemptRecord[];
  /** Client-side usage, when the response carried it. */
  usage?: TokenUsage;
}

/** Counts for one slice (a whole source, a BU, a caller, a model, a mode...). */
export interface TrafficCounts {
  /** Requests the plan asked for. */
  planned: number;
  /** Requests started (at least one attempt). */
  sent: number;
  /** Requests whose final attempt got a whole HTTP response. */
  delivered: number;
  /** Delivered with a 2xx status. */
  succeeded: number;
  /** Delivered with a non-2xx final status, by status code. */
  failedByStatus: Record<string, number>;
  /** Requests whose final attempt got no whole response. */
  networkFailures: number;
  /** `networkFailures` by error code. */
  networkErrors: Record<string, number>;
  /** HTTP attempts (= gateway log rows for reachable gateways). */
  attempts: number;
  /** Attempts beyond the first: `attempts - sent`. */
  retries: number;
  /** Every attempt by the status it received (or its error code when none). */
  attemptsByStatus: Record<string, number>;
  /** Requests that reported usage. */
  withUsage: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** Counts of one BU x model x mode cell of the AI traffic. */
export interface AiCellCounts {
  bu: string;
  model: string;
  mode: number;
  counts: TrafficCounts;
}

/** A source entry's state. */
export type LedgerEntryStatus = 'running' | 'completed' | 'aborted' | 'failed' | 'skipped';

/** Fields of an entry that are not derived from its records. */
export interface LedgerEntryHead {
  source: TrafficSource;
  /** Notebook cell, e.g. `C1`. */
  cell: string;
  status: LedgerEntryStatus;
  /** Why the run was skipped, aborted or failed. */
  reason?: string;
  target: TargetKind;
  gatewayUrl: string;
  /** APIM API id the traffic went to. */
  apiId: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
}

/** Everything one traffic cell recorded: its head and the counts derived from its records. */
export interface LedgerEntry extends LedgerEntryHead {
  totals: TrafficCounts;
  byBu: Record<string, TrafficCounts>;
  /** Per APIM API id (a record without `api` counts under the entry's `apiId`). */
  byApi: Record<string, TrafficCounts>;
  /**
   * Per `ApimSubscriptionId` as the gateway logs it (`''` for requests it rejects before reading
   * the key): the breakdown to compare with the gateway log's per-subscription counts.
   */
  byLoggedSubscription: Record<string, TrafficCounts>;
  byCaller: Record<string, TrafficCounts>;
  byModel: Record<string, TrafficCounts>;
  byMode: Record<string, TrafficCounts>;
  byBuModelMode: AiCellCounts[];
  requests: RequestRecord[];
}

/** The whole ledger file. */
export interface Ledger {
  version: 1;
  updatedAt: string;
  sources: Partial<Record<TrafficSource, LedgerEntry>>;
}

/** The ledger file could not be read (not JSON, or not a ledger). */
export class LedgerError extends KitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LedgerError';
  }
}

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
