/**
 * Reading and writing the ground-truth ledger (its types and what each count means are in
 * `ledger-types.ts`).
 */
import type {
  RequestRecord,
  TrafficCounts,
  AiCellCounts,
  LedgerEntryHead,
  LedgerEntry,
} from './ledger-types.js';

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
    timedOut: 0,
    streamCut: 0,
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
    if (record.outcome === 'timed-out') counts.timedOut = (counts.timedOut ?? 0) + 1;
    if (record.outcome === 'stream-cut') counts.streamCut = (counts.streamCut ?? 0) + 1;
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

export { ledgerPath, readLedger, writeLedgerEntry, clearLedger } from './ledger-file.js';
