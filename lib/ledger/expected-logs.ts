/**
 * What the logs should show for the traffic in a ledger: the ground truth E3 puts beside the
 * workbook's numbers. Every figure follows the mapping documented in `ledger-types.ts`.
 */
import { isBuSubscription } from '../artifacts/names.js';
import type { Ledger, LedgerEntry, TrafficSource } from './ledger-types.js';
import { TRAFFIC_SOURCES, UNREACHABLE_ERROR_CODES } from './ledger-types.js';

/** Token sums. */
export interface TokenSums {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One `ApimSubscriptionId` x `ApiId` x `ResponseCode` cell of the gateway log. */
export interface GatewayRowCell {
  /** As logged: the BU id, or `''` for requests rejected before the key is read. */
  subscription: string;
  apiId: string;
  responseCode: number;
  rows: number;
}

/**
 * Gateway rows a dead run may have left without an outcome in the ledger: attempts its journal
 * saw start, of requests that never finished. Each reached the gateway or not, so each adds 0 or
 * 1 row; where it goes (subscription, API, caller) is known from the plan, its `ResponseCode` is not.
 */
export interface UncertainRows {
  runId: string;
  cell: string;
  subscription: string;
  apiId: string;
  /** The caller whose `caller-requests` metric each such attempt may have emitted. */
  caller?: string;
  /** Whether these are D1 requests (a success would add LLM-log tokens the ledger cannot know). */
  llm: boolean;
  /** Requests without an outcome. */
  requests: number;
  /** Their attempts: at most this many rows. */
  rows: number;
}

/**
 * Attempts the client gave up on before any response head (its per-attempt timeout): the gateway
 * still logs each one, as APIM does, with `ResponseCode` 0 and `LastErrorReason`
 * `ClientConnectionFailure`; the client never saw the gateway's request id, so their rows are
 * tied to the run by time, not by `CorrelationId`.
 */
export interface ClientTimeouts {
  runId: string;
  cell: string;
  /** Requests whose final outcome is `timed-out`. */
  requests: number;
  /** Attempts that timed out before a response head (one gateway row each, `ResponseCode` 0). */
  attemptsWithoutHead: number;
  /** Attempts that timed out after a head (a row with that status: 200 for a stream). */
  attemptsAfterHead: number;
  /** The client's per-attempt timeout (the run's, else its longest timed-out attempt). @unit milliseconds */
  afterMs: number;
}

/** Streams cut mid-way: what the client saw and what the gateway logged. */
export interface StreamCuts {
  runId: string;
  cell: string;
  /** Requests whose final outcome is `stream-cut`. */
  requests: number;
  /** Their final statuses as logged (the head had gone out: 200 for an AI stream). */
  byStatus: Record<string, number>;
  /** Of them, BU requests to an API the workbook's AI tiles count. */
  buRequests: number;
}

/** The log counts a ledger predicts. */
export interface ExpectedLogCounts {
  /** `ApiManagementGatewayLogs` rows certain to be logged (attempts that reached the gateway). */
  gatewayRows: number;
  /** At most this many rows: `gatewayRows` plus every row of {@link uncertainRows}. */
  gatewayRowsMax: number;
  /** Dead runs' attempts that may or may not have a row, grouped by where they went. */
  uncertainRows: UncertainRows[];
  /** Per run, the attempts its client timed out on (each logged by the gateway). */
  clientTimeouts: ClientTimeouts[];
  /** Per run, the requests whose stream was cut mid-way. */
  streamCuts: StreamCuts[];
  /** Per run id, the certain rows whose `CorrelationId` the ledger cannot know (timed out before a head). */
  rowsWithoutRequestId: Record<string, number>;
  /** Rows per `ApimSubscriptionId` as logged. */
  rowsBySubscription: Record<string, number>;
  /** Rows per `ApiId`. */
  rowsByApi: Record<string, number>;
  /** Rows per `ResponseCode`. */
  rowsByResponseCode: Record<string, number>;
  /** The full cross-tabulation, sorted. */
  cells: GatewayRowCell[];
  /** Attempts with no response that may or may not have a row (`aborted`, `died`), per code. */
  uncertainAttempts: Record<string, number>;
  /** `customMetrics` `caller-requests` rows per `CallerId` (C2, C3, D1, D2: every API but costing's). */
  callerRequests: Record<string, number>;
  /** The same rows per APIM API id (the metric's `API` dimension is that API's display name). */
  callerRequestsByApi: Record<string, number>;
  /** LLM-log token sums per BU (D1 succeeded requests). */
  llmTokensByBu: Record<string, TokenSums>;
  /** LLM-log token sums per model deployment (D1). */
  llmTokensByModel: Record<string, TokenSums>;
  /** LLM-log token sums per BU, then per model deployment (D1): what per-model token cost is priced from. */
  llmTokensByBuModel: Record<string, Record<string, TokenSums>>;
  /** Requests with LLM usage, i.e. D1 requests that succeeded with usage. */
  llmRequestsWithTokens: number;
}

/** The sources whose API's policy emits `caller-requests` (all but C1's costing API). */
const CALLER_METRIC_SOURCES: ReadonlySet<TrafficSource> = new Set([
  'entra',
  'real-jwt',
  'ai',
  'mock-ai',
]);

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

function addTokens(map: Record<string, TokenSums>, key: string, t: TokenSums): void {
  const cur = (map[key] ??= { promptTokens: 0, completionTokens: 0, totalTokens: 0 });
  cur.promptTokens += t.promptTokens;
  cur.completionTokens += t.completionTokens;
  cur.totalTokens += t.totalTokens;
}

/**
 * The log counts the ledger's traffic should produce: the sum over every run of the sources asked
 * for (every run in the window: the logs keep them all; skipped runs add nothing).
 * @param ledger - from {@link readLedger}.
 * @param sources - which sources to include. @default all
 * @returns gateway rows by subscription, API and status, caller metrics, and LLM token sums.
 * @example const expected = expectedLogCounts(await readLedger(config));
 */
export function expectedLogCounts(
  ledger: Ledger,
  sources: readonly TrafficSource[] = TRAFFIC_SOURCES,
): ExpectedLogCounts {
  const out: ExpectedLogCounts = {
    gatewayRows: 0,
    gatewayRowsMax: 0,
    uncertainRows: [],
    clientTimeouts: [],
    streamCuts: [],
    rowsWithoutRequestId: {},
    rowsBySubscription: {},
    rowsByApi: {},
    rowsByResponseCode: {},
    cells: [],
    uncertainAttempts: {},
    callerRequests: {},
    callerRequestsByApi: {},
    llmTokensByBu: {},
    llmTokensByModel: {},
    llmTokensByBuModel: {},
    llmRequestsWithTokens: 0,
  };
  const cells = new Map<string, GatewayRowCell>();
  // Every run counts: the logs keep every run's rows, so the window's truth is their sum.
  const wanted = new Set(sources);
  for (const entry of ledger.runs as LedgerEntry[]) {
    const source = entry.source;
    if (!wanted.has(source)) continue;
    const runId = entry.runId ?? `${source}-legacy`;
    const uncertain = new Map<string, UncertainRows>();
    const timeouts: ClientTimeouts = {
      runId,
      cell: entry.cell,
      requests: 0,
      attemptsWithoutHead: 0,
      attemptsAfterHead: 0,
      afterMs: entry.requestTimeoutMs ?? 0,
    };
    const cuts: StreamCuts = { runId, cell: entry.cell, requests: 0, byStatus: {}, buRequests: 0 };
    for (const record of entry.requests) {
      const subscription = record.loggedSubscription ?? record.bu;
      const apiId = record.api ?? entry.apiId;
      if (record.outcome === 'timed-out') timeouts.requests += 1;
      if (record.outcome === 'stream-cut') {
        cuts.requests += 1;
        bump(cuts.byStatus, String(record.status ?? 0));
        if (isBuSubscription(subscription)) cuts.buRequests += 1;
      }
      let counted = false;
      for (const a of record.attempts) {
        let status = a.status;
        // A dead run's timeout: the gateway logs it when it sees the hang-up, which a kernel
        // killed right then (the local gateway runs in it) never does, so it is unsure too.
        const died = a.error === 'died' || (a.error === 'timeout' && entry.status === 'died');
        if (status === undefined && a.error === 'timeout' && !died) {
          // The client hung up before the head; APIM logs the request all the same (0, ClientConnectionFailure).
          status = 0;
          timeouts.attemptsWithoutHead += 1;
          if (entry.requestTimeoutMs === undefined)
            timeouts.afterMs = Math.max(timeouts.afterMs, a.durationMs);
          bump(out.rowsWithoutRequestId, runId);
        } else if (a.error === 'timeout') {
          timeouts.attemptsAfterHead += 1;
          if (entry.requestTimeoutMs === undefined)
            timeouts.afterMs = Math.max(timeouts.afterMs, a.durationMs);
        }
        if (status === undefined) {
          if (died) {
            const k = `${subscription}\u0000${apiId}\u0000${record.caller ?? ''}`;
            const u = uncertain.get(k) ?? {
              runId,
              cell: entry.cell,
              subscription,
              apiId,
              ...(record.caller !== undefined && CALLER_METRIC_SOURCES.has(source)
                ? { caller: record.caller }
                : {}),
              llm: source === 'ai',
              requests: 0,
              rows: 0,
            };
            if (!counted) u.requests += 1;
            counted = true;
            u.rows += 1;
            uncertain.set(k, u);
          }
          if (!UNREACHABLE_ERROR_CODES.has(a.error ?? ''))
            bump(out.uncertainAttempts, a.error ?? 'unknown');
          continue;
        }
        out.gatewayRows += 1;
        bump(out.rowsBySubscription, subscription);
        bump(out.rowsByApi, apiId);
        bump(out.rowsByResponseCode, String(status));
        const key = `${subscription}\u0000${apiId}\u0000${status}`;
        const cell = cells.get(key) ?? { subscription, apiId, responseCode: status, rows: 0 };
        cell.rows += 1;
        cells.set(key, cell);
        // The Entra ID, token-tracking and AOAI gateway policies emit one caller-requests
        // metric per attempt their inbound section runs for (every answered attempt: none of
        // these cells provokes the gateway's own rejections, which come before the policies).
        if (CALLER_METRIC_SOURCES.has(source) && record.caller !== undefined) {
          bump(out.callerRequests, record.caller);
          bump(out.callerRequestsByApi, apiId);
        }
      }
      if (source === 'ai' && record.outcome === 'succeeded' && record.usage) {
        out.llmRequestsWithTokens += 1;
        addTokens(out.llmTokensByBu, record.bu, record.usage);
        if (record.model !== undefined) {
          addTokens(out.llmTokensByModel, record.model, record.usage);
          addTokens((out.llmTokensByBuModel[record.bu] ??= {}), record.model, record.usage);
        }
      }
    }
    out.uncertainRows.push(...uncertain.values());
    if (timeouts.attemptsWithoutHead + timeouts.attemptsAfterHead > 0)
      out.clientTimeouts.push(timeouts);
    if (cuts.requests > 0) out.streamCuts.push(cuts);
  }
  out.gatewayRowsMax = out.gatewayRows + out.uncertainRows.reduce((n, u) => n + u.rows, 0);
  out.cells = [...cells.values()].sort(
    (a, b) =>
      a.subscription.localeCompare(b.subscription) ||
      a.apiId.localeCompare(b.apiId) ||
      a.responseCode - b.responseCode,
  );
  return out;
}
