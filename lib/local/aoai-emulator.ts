/**
 * Azure OpenAI emulator: Chat Completions (api-version 2024-10-21 and later) and Responses
 * (2025-03-01-preview and later), JSON and SSE streaming, usage counted by a real tokenizer
 * (o200k_base) over the prompt and a deterministic completion, and seeded fault injection.
 * `createAoaiEmulator().handle()` maps a request to a response with no I/O; the HTTP server
 * in `startAoaiServer` (`aoai-http.ts`) only reads bodies and writes what `handle` returns.
 *
 * This module holds the emulator's state (deployments, fault dice, request history) and the
 * order of the steps; checks, answers and the wire live beside it and are re-exported here.
 */
import type { ModelDeployment } from '../target.js';
import { chatCompletion } from './aoai-chat-completions.js';
import { responsesAnswer } from './aoai-responses-api.js';
import { checkAoaiRequest, parseJsonBody, PARSE_FAILED } from './aoai-validate.js';
import {
  azureError,
  baseHeaders,
  internalError,
  jsonResponse,
  type AoaiRequest,
  type AoaiResponse,
} from './aoai-wire.js';
import { mulberry32 } from './seeded-random.js';

export { completionFor } from './aoai-completion.js';
export {
  deliverAoaiResponse,
  startAoaiServer,
  type AoaiResponseSink,
  type AoaiServerOptions,
} from './aoai-http.js';
export { MIN_API_VERSION } from './aoai-validate.js';
export type { AoaiRequest, AoaiResponse } from './aoai-wire.js';
export { listen, type RunningServer } from './http-listen.js';

/** Fault injection of the emulator; shares are 0..1 of requests. */
export interface FaultInjection {
  /** Share of requests answered 429 with `Retry-After`. @default 0 */
  throttleShare?: number;
  /** Share of requests answered 500. @default 0 */
  serverErrorShare?: number;
  /** Added latency before each response. @unit milliseconds @default 0 */
  addedLatencyMs?: number;
  /** Share of streaming responses cut off halfway (socket destroyed). @default 0 */
  disconnectShare?: number;
  /** Seed of the fault dice, so a run is repeatable. @default 1 */
  seed?: number;
}

/** One request the emulator received (bounded history, for tests and diagnostics). */
export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface AoaiEmulatorOptions {
  deployments: readonly ModelDeployment[];
  faults?: FaultInjection;
  /** Region name sent in `x-ms-region`. @default 'East US 2' */
  region?: string;
  /** How many received requests to keep in {@link AoaiEmulator.received}. @default 200 */
  historySize?: number;
}

export interface AoaiEmulator {
  /** Maps a request to a response; never throws for any input. */
  handle(request: AoaiRequest): AoaiResponse;
  /** Replaces the fault injection (resets the dice to the seed). */
  setFaults(faults: FaultInjection): void;
  readonly faults: Readonly<FaultInjection>;
  /** The most recent requests, oldest first. */
  readonly received: readonly ReceivedRequest[];
  /**
   * Tokens served per UTC day and deployment (what the backend bills), including calls that did
   * not come through the gateway. Keys are `YYYY-MM-DD|<deployment>`.
   */
  readonly served: ReadonlyMap<string, ServedTokens>;
  /** Adds counters kept from an earlier session (the local target persists them). */
  restoreServed(entries: Iterable<readonly [string, ServedTokens]>): void;
}

/** Tokens one deployment served on one day. */
export interface ServedTokens {
  promptTokens: number;
  completionTokens: number;
  requests: number;
}

/**
 * Creates the emulator state (deployments, fault dice, request history).
 * @example const aoai = createAoaiEmulator({ deployments: [{ deploymentName: 'gpt-4o-mini', modelName: 'gpt-4o-mini', modelVersion: '2024-07-18', capacityKTpm: 10 }] });
 */
export function createAoaiEmulator(options: AoaiEmulatorOptions): AoaiEmulator {
  const deployments = new Map(
    options.deployments.map((d) => [d.deploymentName.toLowerCase(), d] as const),
  );
  const region = options.region ?? 'East US 2';
  const historySize = options.historySize ?? 200;
  const received: ReceivedRequest[] = [];
  let faults: FaultInjection = { ...options.faults };
  let dice = mulberry32(faults.seed ?? 1);
  const served = new Map<string, ServedTokens>();

  return {
    served,
    restoreServed(entries) {
      for (const [key, v] of entries) {
        const cur = served.get(key) ?? { promptTokens: 0, completionTokens: 0, requests: 0 };
        served.set(key, {
          promptTokens: cur.promptTokens + v.promptTokens,
          completionTokens: cur.completionTokens + v.completionTokens,
          requests: cur.requests + v.requests,
        });
      }
    },
    get faults() {
      return faults;
    },
    get received() {
      return received;
    },
    setFaults(next) {
      faults = { ...next };
      dice = mulberry32(faults.seed ?? 1);
    },
    handle(request) {
      try {
        return answer(request);
      } catch {
        // A bug must not take the emulator down: answer as Azure does for internal errors.
        return jsonResponse(500, internalError(), region, 0);
      }
    },
  };

  function answer(request: AoaiRequest): AoaiResponse {
    const delayMs = Math.max(0, faults.addedLatencyMs ?? 0);
    const url = new URL(request.url, 'http://emulator.local');
    const parsedBody = parseJsonBody(request.body);
    remember(url.pathname, request.headers, parsedBody);
    const checked = checkAoaiRequest(
      { method: request.method, url, headers: request.headers, parsedBody },
      deployments,
    );
    if (!checked.ok) return jsonResponse(checked.status, checked.body, region, delayMs);
    const { route, apiVersion, body, deployment } = checked.request;

    // Fault dice come after validation: a malformed request is never "throttled".
    const roll = dice();
    const throttle = faults.throttleShare ?? 0;
    if (roll < throttle) {
      const op = route.surface === 'chat' ? 'ChatCompletions_Create' : 'Responses_Create';
      const r = jsonResponse(
        429,
        azureError(
          '429',
          `Requests to the ${op} Operation under Azure OpenAI API version ${apiVersion} have exceeded token rate limit of your current AIServices S0 pricing tier. Please retry after 1 second.`,
        ),
        region,
        delayMs,
      );
      r.headers['retry-after'] = '1';
      return r;
    }
    if (roll < throttle + (faults.serverErrorShare ?? 0))
      return jsonResponse(500, internalError(), region, delayMs);
    const stream = body.stream === true;
    const cut = stream && dice() < (faults.disconnectShare ?? 0);
    const result =
      route.surface === 'chat'
        ? chatCompletion(body, deployment, stream)
        : responsesAnswer(body, deployment, stream);
    if (result.served) count(deployment.deploymentName, result.served);
    if (result.kind === 'json') return jsonResponse(200, result.body, region, delayMs);
    result.delayMs = delayMs;
    if (cut) result.disconnectAfter = Math.max(1, Math.floor(result.events.length / 2));
    Object.assign(result.headers, baseHeaders(region));
    return result;
  }

  function count(name: string, t: { promptTokens: number; completionTokens: number }): void {
    const key = `${new Date().toISOString().slice(0, 10)}|${name}`;
    const cur = served.get(key) ?? { promptTokens: 0, completionTokens: 0, requests: 0 };
    cur.promptTokens += t.promptTokens;
    cur.completionTokens += t.completionTokens;
    cur.requests += 1;
    served.set(key, cur);
  }

  function remember(pathname: string, headers: AoaiRequest['headers'], body: unknown): void {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers))
      if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    received.push({
      path: pathname,
      headers: flat,
      body: body === PARSE_FAILED ? undefined : body,
    });
    if (received.length > historySize) received.splice(0, received.length - historySize);
  }
}
