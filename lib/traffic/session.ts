/**
 * The flow every traffic cell shares: replace the stale ledger entry, run the plan, keep the
 * ledger current while it runs (so a killed kernel leaves what completed), write the final
 * entry, and return a plain summary.
 */
import type { KitConfig } from '../config/types.js';
import { buildLedgerEntry, emptyCounts, writeLedgerEntry } from '../ledger/ledger.js';
import type {
  LedgerEntry,
  LedgerEntryHead,
  RequestRecord,
  TrafficCounts,
  TrafficSource,
} from '../ledger/ledger-types.js';
import type { Deployment } from '../target.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { openRunJournal } from '../ledger/run-journal.js';
import { acquireDataFolder } from '../ledger/data-folder.js';
import { notSentRecord, runRequests, type PlannedRequest, type SendAttempt } from './runner.js';
import type { TrafficOptions } from './traffic-kind.js';

/** One row of a summary table. */
export interface TrafficSummaryRow {
  /** The group: a BU, a caller name, a model, a mode, or `total`. */
  group: string;
  planned: number;
  sent: number;
  delivered: number;
  succeeded: number;
  /** Failed with a status, plus network failures. */
  failed: number;
  retries: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** What a traffic cell returns: the run's totals, per BU and per caller. */
export interface TrafficSummary extends Pick<
  TrafficCounts,
  | 'planned'
  | 'sent'
  | 'delivered'
  | 'succeeded'
  | 'failedByStatus'
  | 'networkFailures'
  | 'attempts'
  | 'retries'
> {
  source: TrafficSource;
  cell: string;
  /** `skipped` runs sent nothing; `reason` says why. */
  status: 'completed' | 'skipped';
  reason?: string;
  elapsedMs: number;
  requestsPerSecond: number;
  /** Planned vs delivered per BU, then a `total` row. */
  byBu: TrafficSummaryRow[];
  /** The same per caller (named), when the traffic carried callers. */
  byCaller: TrafficSummaryRow[];
  totals: TrafficCounts;
}

/** Turns counts into one summary row. */
export function toSummaryRow(group: string, c: TrafficCounts): TrafficSummaryRow {
  const failedByStatus = Object.values(c.failedByStatus).reduce((a, b) => a + b, 0);
  return {
    group,
    planned: c.planned,
    sent: c.sent,
    delivered: c.delivered,
    succeeded: c.succeeded,
    failed: failedByStatus + c.networkFailures,
    retries: c.retries,
    promptTokens: c.promptTokens,
    completionTokens: c.completionTokens,
    totalTokens: c.totalTokens,
  };
}

/** The summary of a ledger entry (what a `sendTraffic` call returned). */
export function summarizeEntry(entry: LedgerEntry, config: KitConfig): TrafficSummary {
  const names = new Map(config.callers.map((c) => [c.appId, c.name]));
  const t = entry.totals;
  const elapsedMs = entry.durationMs ?? 0;
  const rows = (
    by: Record<string, TrafficCounts>,
    label: (k: string) => string,
  ): TrafficSummaryRow[] => {
    const keys = Object.keys(by);
    if (keys.length === 0) return [];
    return [
      ...keys.map((k) => toSummaryRow(label(k), by[k] as TrafficCounts)),
      toSummaryRow('total', t),
    ];
  };
  const summary: TrafficSummary = {
    source: entry.source,
    cell: entry.cell,
    status: entry.status === 'skipped' ? 'skipped' : 'completed',
    planned: t.planned,
    sent: t.sent,
    delivered: t.delivered,
    succeeded: t.succeeded,
    failedByStatus: { ...t.failedByStatus },
    networkFailures: t.networkFailures,
    attempts: t.attempts,
    retries: t.retries,
    elapsedMs,
    requestsPerSecond: elapsedMs > 0 ? Math.round((t.sent / elapsedMs) * 1000 * 10) / 10 : 0,
    byBu: rows(entry.byBu, (k) => k),
    byCaller: rows(entry.byCaller, (k) => names.get(k) ?? k),
    totals: t,
  };
  if (entry.reason !== undefined) summary.reason = entry.reason;
  return summary;
}

/** Checks the run options a cell may override: whole numbers in range, named on error. */
export function checkTrafficOptions(options: TrafficOptions): void {
  const problems: ConfigProblem[] = [];
  const check = (field: keyof TrafficOptions, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const v = options[field];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      const range = max < Number.MAX_SAFE_INTEGER ? `from ${min} to ${max}` : `of ${min} or more`;
      problems.push({ field, received: String(v), expected: `must be a whole number ${range}` });
    }
  };
  check('concurrency', 1, 64);
  check('requestTimeoutMs', 1);
  check('maxRetries', 0);
  check('retryBudget', 0);
  check('baseDelayMs', 0);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** Arguments of {@link runTrafficSession}. */
export interface TrafficSessionArgs<P extends PlannedRequest> {
  config: KitConfig;
  deployment: Deployment;
  source: TrafficSource;
  cell: string;
  label: string;
  apiId: string;
  /** Base URL the requests go to (named when unreachable). */
  url: string;
  plan: readonly P[];
  send: SendAttempt<P>;
  options: TrafficOptions;
}

// Rewriting the ledger after every request would cost more than the requests on a fast local
// gateway; twice a second bounds what a killed kernel can lose to the last half second.
const PERSIST_EVERY_MS = 500;

/**
 * Runs one traffic cell's plan with the ledger kept current. Rejects (after saving what completed)
 * with the abort reason or a `TargetUnavailableError`.
 */
export async function runTrafficSession<P extends PlannedRequest>(
  args: TrafficSessionArgs<P>,
): Promise<TrafficSummary> {
  const { config, deployment, options } = args;
  checkTrafficOptions(options);
  // One kernel per data folder: a second kernel's runs would interleave with this one's.
  acquireDataFolder(config.local.dataDir);
  const startedAt = new Date();
  const runId = newRunId(args.cell, startedAt);
  const head: LedgerEntryHead = {
    runId,
    pid: process.pid,
    requestTimeoutMs: options.requestTimeoutMs ?? config.traffic.requestTimeoutMs,
    source: args.source,
    cell: args.cell,
    status: 'running',
    target: deployment.target,
    gatewayUrl: deployment.gatewayUrl,
    apiId: args.apiId,
    startedAt: startedAt.toISOString(),
  };
  const live: RequestRecord[] = args.plan.map(notSentRecord);
  // The run is in the ledger before its first request, beside every earlier run: the logs keep
  // those runs' rows, so E1-E3 count them all.
  await writeLedgerEntry(config, args.source, buildLedgerEntry(head, live));
  const journal = openRunJournal(config, runId);

  let lastPersist = performance.now();
  let persistEveryMs = PERSIST_EVERY_MS;
  let writing = false;
  let persisting: Promise<void> = Promise.resolve();
  const persist = (): void => {
    // One write at a time; a slow disk stretches the interval instead of queueing writes.
    if (writing) return;
    writing = true;
    lastPersist = performance.now();
    const snapshot = buildLedgerEntry(head, live);
    const t0 = performance.now();
    persisting = writeLedgerEntry(config, args.source, snapshot)
      .catch(() => undefined)
      .finally(() => {
        writing = false;
        persistEveryMs = Math.max(PERSIST_EVERY_MS, 4 * (performance.now() - t0));
      });
  };

  const run = await runRequests(args.plan, args.send, {
    concurrency: options.concurrency ?? config.traffic.concurrency,
    requestTimeoutMs: options.requestTimeoutMs ?? config.traffic.requestTimeoutMs,
    maxRetries: options.maxRetries ?? config.traffic.maxRetries,
    ...(options.retryBudget !== undefined ? { retryBudget: options.retryBudget } : {}),
    ...(options.baseDelayMs !== undefined ? { baseDelayMs: options.baseDelayMs } : {}),
    label: args.label,
    gatewayUrl: args.url,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    onStart: (index) => journal.started(index),
    onRetry: (index, attempt) => journal.started(index, attempt),
    onRecord: (record) => {
      journal.finished(record);
      live[record.index] = record;
      if (performance.now() - lastPersist >= persistEveryMs) persist();
    },
  });
  await persisting;

  const finishedAt = new Date();
  const final: LedgerEntryHead = {
    ...head,
    status:
      run.stopped === 'aborted' ? 'aborted' : run.stopped === 'unreachable' ? 'failed' : 'done',
    finishedAt: finishedAt.toISOString(),
    durationMs: run.elapsedMs,
  };
  if (run.stopped)
    final.reason = run.error instanceof Error ? run.error.message : String(run.error);
  const entry = buildLedgerEntry(final, run.records);
  await writeLedgerEntry(config, args.source, entry);
  journal.close(true);
  if (run.stopped) throw run.error;
  return summarizeEntry(entry, config);
}

/** A run id: the cell, its start to the millisecond, and a random suffix (`D1-20261202T081500123Z-3f2a`). */
export function newRunId(cell: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:.]/g, '');
  return `${cell}-${stamp}-${Math.random().toString(16).slice(2, 6).padEnd(4, '0')}`;
}

/**
 * Records a skipped run (its stale entry replaced by an empty `skipped` one) and returns the
 * summary, whose one-line `reason` the cell shows (`showTrafficSummary`); it also goes to
 * `onProgress`.
 */
export async function recordSkipped(
  config: KitConfig,
  deployment: Deployment | undefined,
  source: TrafficSource,
  cell: string,
  apiId: string,
  reason: string,
  options: Pick<TrafficOptions, 'onProgress'> = {},
): Promise<TrafficSummary> {
  const at = new Date();
  const now = at.toISOString();
  const entry: LedgerEntry = {
    ...buildLedgerEntry(
      {
        runId: newRunId(cell, at),
        pid: process.pid,
        source,
        cell,
        status: 'skipped',
        reason,
        target: deployment?.target ?? config.target,
        gatewayUrl: deployment?.gatewayUrl ?? '',
        apiId,
        startedAt: now,
        finishedAt: now,
        durationMs: 0,
      },
      [],
    ),
    totals: emptyCounts(),
  };
  await writeLedgerEntry(config, source, entry);
  options.onProgress?.({ message: `${cell} skipped: ${reason}`, done: 0, total: 0 });
  return summarizeEntry(entry, config);
}
