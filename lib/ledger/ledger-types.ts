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
 * - `attempts` = gateway rows of the source (retries included). Per API, use `byApi` (every
 *   request of a cell goes to its API, C1's deliberate failures included).
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
 * - Callers (C2, C3, D1, D2: the Entra ID, token-tracking and AOAI gateway policies emit the
 *   metric): `byCaller[appId].attempts` = `customMetrics` `caller-requests` rows (value 1) with
 *   that `CallerId`, summed over those cells.
 * - Subscriptions: C1 and D1 send with BU keys (`bu-...`); C2, C3 (Entra ID API) and D2
 *   (token-tracking API) with the API's own subscription (`api-...`), as the original sample, so
 *   their `bu` is that subscription's id and only C1 + D1 count as BU requests.
 * - Tokens (D1): the client-side usage of succeeded requests, per BU x model x mode in
 *   `byBuModelMode` = the LLM log's token sums per `CorrelationId` of those requests. Failed
 *   attempts carry no tokens on either side (a cut stream's LLM rows have null tokens). D2's
 *   tokens are the mock's fixed usage; no LLM rows are written for it.
 */
import type { TargetKind } from '../config/types.js';

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

/**
 * How a request ended. `not-sent`: planned but never started (the run stopped first).
 * `timed-out`: the client's per-attempt timeout ended its last attempt (before a head, the gateway
 * still logs it: `ResponseCode` 0, `ClientConnectionFailure`). `stream-cut`: a 2xx head arrived and
 * the body or stream broke mid-way (the gateway logs the status it sent: 200, which the workbook
 * counts as 2xx success). Both are network failures in the counts, and each has its own count.
 */
export type RequestOutcome =
  'succeeded' | 'failed-status' | 'failed-network' | 'timed-out' | 'stream-cut' | 'not-sent';

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

/** Who a planned request goes out as, and where: what the plan decides before it is sent. */
export interface RequestPlan {
  /** Position in the plan (0-based). */
  index: number;
  /** Subscription id the request was sent with: a BU's (`bu-hr`; C1, D1) or the API's own (`api-...`; C2, C3, D2). */
  bu: string;
  /** APIM API id the request went to, when it differs from the entry's `apiId`. */
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
  /** AI mode 0-5 (`traffic/ai-modes.ts`). */
  mode?: number;
  /** What the request was meant to do: `ok`, or a deliberate failure (`malformed-body`). */
  kind: string;
}

/** One planned request and what became of it. */
export interface RequestRecord extends RequestPlan {
  outcome: RequestOutcome;
  /** Final HTTP status (failed-status and succeeded; also failed-network when a stream broke after the head). */
  status?: number;
  /** Final network error code (failed-network, timed-out, stream-cut). */
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
  /** Of `networkFailures`: requests that ended `timed-out` (absent in ledgers written before it). */
  timedOut?: number;
  /** Of `networkFailures`: requests that ended `stream-cut` (absent in ledgers written before it). */
  streamCut?: number;
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

/**
 * A run's state: `running` while its cell sends; `done` when the plan ran to the end; `aborted`
 * when an interrupt, a re-run of the cell or its time limit stopped it (what it sent is kept);
 * `died` when the kernel that ran it went away mid-run (found by the next kernel: its pid is
 * gone); `failed` when the gateway was unreachable; `skipped` when the configuration turned the
 * cell off. Ledgers written before runs existed say `completed` for `done`.
 */
export type LedgerEntryStatus =
  'running' | 'done' | 'completed' | 'aborted' | 'died' | 'failed' | 'skipped';

/** Fields of an entry that are not derived from its records. */
export interface LedgerEntryHead {
  /**
   * The run's id (`D1-20261202T081500123Z-3f2a`): one per execution of a traffic cell. Entries
   * written without one (ledgers from before runs) get `<source>-legacy`.
   */
  runId?: string;
  /** Process id of the kernel that ran it: a `running` run whose pid is gone `died`. */
  pid?: number;
  /** The client's timeout of one attempt: what a `timed-out` request waited. @unit milliseconds */
  requestTimeoutMs?: number;
  /** For a `died` run: requests that had started and have no outcome in the ledger. */
  inFlightAtDeath?: number;
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

/**
 * The whole ledger. The file holds `runs`, every run of every traffic cell, oldest first; the
 * logs only grow, so what E1-E3 expect over the runs' window is the sum over all of them.
 */
export interface Ledger {
  version: 2;
  updatedAt: string;
  /** Every run, oldest first. */
  runs: LedgerEntry[];
  /** The latest run of each source (derived from `runs` when read; not stored). */
  sources: Partial<Record<TrafficSource, LedgerEntry>>;
}

/**
 * Error codes of attempts that never reached the gateway (nobody listening there): they have no
 * gateway log row, and retrying them only stacks up identical failures.
 */
export const UNREACHABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
