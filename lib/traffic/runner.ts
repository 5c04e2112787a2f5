/**
 * Runs a request plan against the gateway: bounded concurrency, a per-attempt timeout, retries
 * with backoff that honour `Retry-After` (429, 5xx, connection resets), a bounded retry budget,
 * cancellation with `AbortSignal`, and progress through `onProgress`. Every planned request ends as a
 * {@link RequestRecord}: succeeded, failed with a status, failed with a network error, or (only
 * when the run stopped early) not sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TargetUnavailableError } from '../errors.js';
import { UNREACHABLE_ERROR_CODES } from '../ledger/ledger-types.js';
import type {
  AttemptRecord,
  RequestPlan,
  RequestRecord,
  TokenUsage,
} from '../ledger/ledger-types.js';
import type { ProgressEvent } from '../target.js';
import { createProgress } from './run-progress.js';

/** One request of a plan; traffic modules extend it with what their sender needs. */
export type PlannedRequest = RequestPlan;

/** What a sender passes to one attempt. */
export interface AttemptContext {
  /** Aborts on run cancellation and on the per-attempt timeout. */
  signal: AbortSignal;
  /** 1 for the first attempt. */
  attempt: number;
  /** The per-attempt timeout, for clients that take one. */
  timeoutMs: number;
}

/** A whole HTTP response arrived. */
export interface ResponseResult {
  status: number;
  /** Whether this counts as success (normally 2xx). */
  ok: boolean;
  requestId?: string;
  /** Wait asked for by `Retry-After` / `retry-after-ms`, in milliseconds. */
  retryAfterMs?: number;
  usage?: TokenUsage;
}

/** The attempt ended without a whole response. */
export interface NetworkResult {
  /** Error code, e.g. `ECONNRESET`, `timeout`, `stream-interrupted`. */
  error: string;
  /** The status, when the response head had arrived before the failure. */
  status?: number;
  requestId?: string;
}

/** Outcome of one attempt as a sender reports it. */
export type AttemptResult = ResponseResult | NetworkResult;

/** Sends one attempt of a request. Throwing is allowed: the error is classified by its code. */
export type SendAttempt<P extends PlannedRequest> = (
  request: P,
  context: AttemptContext,
) => Promise<AttemptResult>;

/** Options of {@link runRequests}. */
export interface RunRequestsOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Timeout of one attempt (streams included) in milliseconds. */
  requestTimeoutMs: number;
  /** Retries per request after the first attempt. */
  maxRetries: number;
  /** Retries allowed for the whole run. @default max(10, half the plan) */
  retryBudget?: number;
  /** First backoff delay without `Retry-After`. @default 200 */
  baseDelayMs?: number;
  /** Longest backoff delay. @default 8000 */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the request ends with that status. @default 60000 */
  maxRetryAfterMs?: number;
  /** Progress label, e.g. `C1 BU traffic`. */
  label: string;
  /** Base URL named in the unreachable-gateway error. */
  gatewayUrl: string;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Called whenever a request reaches its final outcome. */
  onRecord?: (record: RequestRecord) => void;
  /** Called when a request's first attempt starts. */
  onStart?: (index: number) => void;
  /** Called when a later attempt (a retry) of a request starts, with its number (2, 3...). */
  onRetry?: (index: number, attempt: number) => void;
  /**
   * After the caller's signal aborts, requests in flight get this long to finish (so their
   * outcome, and their gateway row, is known) before they are abandoned. @default 1000
   */
  abortGraceMs?: number;
}

/** What {@link runRequests} returns; it never throws. */
export interface RunRequestsResult {
  /** One record per planned request, in plan order. */
  records: RequestRecord[];
  /** Why the run stopped before the end, if it did. */
  stopped?: 'aborted' | 'unreachable';
  /** The error a caller should throw after saving the records: the abort reason or a `TargetUnavailableError`. */
  error?: unknown;
  elapsedMs: number;
  /** Retries used out of the budget. */
  retriesUsed: number;
}

// Transient transport failures worth another attempt.
const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'timeout',
  'stream-interrupted',
  'stream-incomplete',
]);

/** Whether a final status counts as retryable: 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Whether a network error code means the gateway is not reachable at all. */
export function isUnreachableError(code: string): boolean {
  return UNREACHABLE_ERROR_CODES.has(code);
}

/**
 * The most specific error code of an error and its `cause` chain (`ECONNRESET`, `UND_ERR_SOCKET`...),
 * `timeout` / `aborted` for timer and abort errors, else `error`.
 */
export function errorCode(err: unknown): string {
  let cur: unknown = err;
  for (let depth = 0; depth < 6 && cur !== null && typeof cur === 'object'; depth += 1) {
    const e = cur as { code?: unknown; name?: unknown; cause?: unknown };
    // System and undici codes are upper case; lower-case codes are API error codes (the openai
    // SDK's `rate_limit_exceeded`), not transport failures, so the search goes on to the cause.
    if (typeof e.code === 'string' && e.code !== '' && !/^[a-z_]+$/.test(e.code)) return e.code;
    if (e.name === 'TimeoutError') return 'timeout';
    if (e.name === 'AbortError') return 'aborted';
    cur = e.cause;
  }
  return 'error';
}

/**
 * Parses `retry-after-ms` (milliseconds) or `Retry-After` (seconds or an HTTP date) into
 * milliseconds; `undefined` when absent or unreadable.
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)))
    return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A timeout is `timed-out`; a 2xx head whose body broke is `stream-cut`; the rest `failed-network`. */
function networkOutcome(result: NetworkResult): RequestRecord['outcome'] {
  if (result.error === 'timeout') return 'timed-out';
  const head = result.status;
  const cut = result.error === 'stream-interrupted' || result.error === 'stream-incomplete';
  return cut && head !== undefined && head >= 200 && head < 300 ? 'stream-cut' : 'failed-network';
}

function isNetwork(result: AttemptResult): result is NetworkResult {
  return 'error' in result && typeof result.error === 'string';
}

/** The record of a planned request that has not been sent (yet). */
export function notSentRecord(p: PlannedRequest): RequestRecord {
  const r: RequestRecord = {
    index: p.index,
    bu: p.bu,
    kind: p.kind,
    outcome: 'not-sent',
    attempts: [],
  };
  if (p.api !== undefined) r.api = p.api;
  if (p.loggedSubscription !== undefined) r.loggedSubscription = p.loggedSubscription;
  if (p.caller !== undefined) r.caller = p.caller;
  if (p.model !== undefined) r.model = p.model;
  if (p.mode !== undefined) r.mode = p.mode;
  return r;
}

/** Abortable sleep that resolves early (instead of rejecting) when the signal fires. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Runs a plan and returns one record per planned request. It never throws: a cancelled run or an
 * unreachable gateway comes back as `stopped` with the `error` to rethrow once the records are saved.
 * @param plan - the requests, `index` unique.
 * @param send - sends one attempt.
 * @param options - concurrency, timeout, retry policy, progress.
 * @returns the records, in plan order.
 * @example const run = await runRequests(plan, sendOne, { concurrency: 8, requestTimeoutMs: 30000, maxRetries: 3, label: 'C1', gatewayUrl });
 */
export async function runRequests<P extends PlannedRequest>(
  plan: readonly P[],
  send: SendAttempt<P>,
  options: RunRequestsOptions,
): Promise<RunRequestsResult> {
  const started = performance.now();
  const records = plan.map(notSentRecord);
  const total = plan.length;
  const concurrency = Math.max(1, Math.min(options.concurrency, Math.max(1, total)));
  const budget = options.retryBudget ?? Math.max(10, Math.ceil(total / 2));
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 8000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;

  // `drain` ends the run: no new request, no retry. `stop` also cuts the attempts in flight: at
  // once for an unreachable gateway, after a grace period for the caller's abort (a request that
  // finishes in it has a known outcome; one cut off may or may not have a gateway row).
  const drain = new AbortController();
  const stop = new AbortController();
  let stopped: RunRequestsResult['stopped'];
  let stopError: unknown;
  let graceTimer: NodeJS.Timeout | undefined;
  const graceMs = options.abortGraceMs ?? 1000;
  const onCallerAbort = (): void => {
    if (!stopped) {
      stopped = 'aborted';
      stopError =
        options.signal?.reason ?? new DOMException('The traffic run was aborted.', 'AbortError');
    }
    drain.abort(stopError);
    graceTimer = setTimeout(() => stop.abort(stopError), graceMs);
  };
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener('abort', onCallerAbort, { once: true });

  let next = 0;
  let done = 0;
  let failures = 0;
  let retriesUsed = 0;
  const progress = createProgress(options, total, started);

  const finish = (record: RequestRecord): void => {
    done += 1;
    if (record.outcome !== 'succeeded') failures += 1;
    options.onRecord?.(record);
    progress.tick(done, retriesUsed, failures);
  };

  const runOne = async (p: P, record: RequestRecord): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      if (attempt > 1) options.onRetry?.(p.index, attempt);
      const timeout = AbortSignal.timeout(options.requestTimeoutMs);
      const signal = AbortSignal.any([stop.signal, timeout]);
      const t0 = performance.now();
      let result: AttemptResult;
      try {
        result = await send(p, { signal, attempt, timeoutMs: options.requestTimeoutMs });
      } catch (err) {
        result = { error: errorCode(err) };
      }
      // Which signal fired decides the code, whatever wrapper the client threw.
      if (isNetwork(result)) {
        if (stop.signal.aborted && stopped === 'aborted') result = { ...result, error: 'aborted' };
        else if (timeout.aborted) result = { ...result, error: 'timeout' };
      }
      const a: AttemptRecord = { durationMs: Math.round(performance.now() - t0) };
      if (result.status !== undefined) a.status = result.status;
      if (isNetwork(result)) a.error = result.error;
      if (result.requestId !== undefined) a.requestId = result.requestId;
      record.attempts.push(a);

      delete record.status;
      delete record.error;
      delete record.requestId;
      delete record.usage;
      if (result.status !== undefined) record.status = result.status;
      if (result.requestId !== undefined) record.requestId = result.requestId;
      let retryAfterMs: number | undefined;
      let retryable: boolean;
      if (isNetwork(result)) {
        record.outcome = networkOutcome(result);
        record.error = result.error;
        if (isUnreachableError(result.error)) {
          if (!stopped) {
            stopped = 'unreachable';
            stopError = new TargetUnavailableError(
              `The gateway at ${options.gatewayUrl} is not reachable (${result.error}): run cell A2 to deploy or restart it, then run this cell again.`,
            );
            drain.abort(stopError);
            stop.abort(stopError);
          }
          return;
        }
        retryable = RETRYABLE_NETWORK.has(result.error);
      } else {
        record.outcome = result.ok ? 'succeeded' : 'failed-status';
        if (result.usage) record.usage = { ...result.usage };
        retryable = !result.ok && isRetryableStatus(result.status);
        retryAfterMs = result.retryAfterMs;
      }
      if (
        !retryable ||
        drain.signal.aborted ||
        attempt > options.maxRetries ||
        retriesUsed >= budget
      )
        return;
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      // Full jitter spreads retries of requests that failed together.
      const delay = retryAfterMs ?? Math.round(backoff / 2 + (Math.random() * backoff) / 2);
      if (delay > maxRetryAfterMs) return;
      retriesUsed += 1;
      progress.tick(done, retriesUsed, failures);
      await pause(delay, drain.signal);
      if (drain.signal.aborted) return;
    }
  };

  const inFlight = new Set<number>();
  const worker = async (): Promise<void> => {
    while (!drain.signal.aborted && next < total) {
      const i = next;
      next += 1;
      const p = plan[i] as P;
      const record = records[i] as RequestRecord;
      inFlight.add(i);
      options.onStart?.(p.index);
      await runOne(p, record);
      inFlight.delete(i);
      if (abandoned) return;
      finish(record);
    }
  };

  let abandoned = false;
  const workers = Promise.all(Array.from({ length: concurrency }, () => worker()));
  // A sender that ignores its signal cannot hold the run: 250 ms after the grace period the
  // requests still in flight are abandoned, recorded as aborted.
  let abandonTimer: NodeJS.Timeout | undefined;
  const abandon = new Promise<void>((resolve) => {
    const arm = (): void => {
      abandonTimer = setTimeout(resolve, 250);
    };
    if (stop.signal.aborted) arm();
    else stop.signal.addEventListener('abort', arm, { once: true });
  });
  await Promise.race([workers, abandon]);
  clearTimeout(abandonTimer);
  clearTimeout(graceTimer);
  if (inFlight.size > 0) {
    abandoned = true;
    for (const i of inFlight) {
      const record = records[i] as RequestRecord;
      record.outcome = 'failed-network';
      record.error = 'aborted';
      record.attempts.push({ error: 'aborted', durationMs: 0 });
      finish(record);
    }
  }
  options.signal?.removeEventListener('abort', onCallerAbort);
  progress.end(done, retriesUsed, failures, stopped);
  const result: RunRequestsResult = {
    records,
    elapsedMs: Math.round(performance.now() - started),
    retriesUsed,
  };
  if (stopped) {
    result.stopped = stopped;
    result.error = stopError;
  }
  return result;
}
