/**
 * What the logs should show for the traffic in a ledger: the ground truth E3 puts beside the
 * workbook's numbers. Every figure follows the mapping documented in `ledger-types.ts`.
 */
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

/** The log counts a ledger predicts. */
export interface ExpectedLogCounts {
  /** `ApiManagementGatewayLogs` rows (attempts that reached the gateway). */
  gatewayRows: number;
  /** Rows per `ApimSubscriptionId` as logged. */
  rowsBySubscription: Record<string, number>;
  /** Rows per `ApiId`. */
  rowsByApi: Record<string, number>;
  /** Rows per `ResponseCode`. */
  rowsByResponseCode: Record<string, number>;
  /** The full cross-tabulation, sorted. */
  cells: GatewayRowCell[];
  /** Attempts with no response that may or may not have a row (`timeout`, `aborted`), per code. */
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
    for (const record of entry.requests) {
      const subscription = record.loggedSubscription ?? record.bu;
      const apiId = record.api ?? entry.apiId;
      for (const a of record.attempts) {
        if (a.status === undefined) {
          if (!UNREACHABLE_ERROR_CODES.has(a.error ?? ''))
            bump(out.uncertainAttempts, a.error ?? 'unknown');
          continue;
        }
        out.gatewayRows += 1;
        bump(out.rowsBySubscription, subscription);
        bump(out.rowsByApi, apiId);
        bump(out.rowsByResponseCode, String(a.status));
        const key = `${subscription}\u0000${apiId}\u0000${a.status}`;
        const cell = cells.get(key) ?? { subscription, apiId, responseCode: a.status, rows: 0 };
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
  }
  out.cells = [...cells.values()].sort(
    (a, b) =>
      a.subscription.localeCompare(b.subscription) ||
      a.apiId.localeCompare(b.apiId) ||
      a.responseCode - b.responseCode,
  );
  return out;
}
