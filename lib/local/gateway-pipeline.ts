/**
 * The gateway emulator's pipeline for one request, in APIM's order: route, body size, key,
 * rate limit, inbound policies, then a `return-response` answer or forwarding. Each step is a
 * plain function in its own module (`gateway-auth.ts`, `rate-limiter.ts`, `inbound-steps.ts`,
 * `gateway-forward.ts`, `gateway-log-rows.ts`); the HTTP server (`gateway-server.ts`) only
 * wires sockets to this.
 */
import type { RouteMatch } from './api-catalog.js';
import { APIM_MESSAGES } from './apim-messages.js';
import { authenticate, type GatewayState, type GatewaySubscription } from './gateway-auth.js';
import {
  fault,
  readBody,
  sendApimError,
  splitUrl,
  type GatewayExchange,
} from './gateway-exchange.js';
import type { Forwarder } from './gateway-forward.js';
import type { GatewayFault } from './gateway-record.js';
import { runInbound } from './inbound-steps.js';
import type { PolicySet } from './policy-engine.js';
import { applyHeaderSteps, type PolicyContext } from './policy-steps.js';
import type { RateLimiter } from './rate-limiter.js';
import { tokenHeaders } from './token-limit-step.js';
import type { TokenLimiter } from './token-limiter.js';

// The gateway's options name the log environment; its home is the log-row builder.
export type { LogEnvironment } from './gateway-log-rows.js';

/** What the pipeline runs against: the gateway's configuration and its moving parts. */
export interface GatewayPipeline {
  routeOf(method: string, pathname: string): RouteMatch | undefined;
  /** Subscriptions by key. */
  keys: ReadonlyMap<string, GatewaySubscription>;
  limiter: RateLimiter;
  /** `llm-token-limit` counters per key. */
  tokenLimiter?: TokenLimiter;
  /** Suspended subscriptions and named values, changed at run time. */
  state?: GatewayState;
  policies: PolicySet;
  /** Largest accepted request body. @unit bytes */
  maxBody: number;
  forwarder: Forwarder;
  /** Closes the exchange's record and writes its log rows (once). */
  finish(ex: GatewayExchange): void;
}

/**
 * Runs one request through the pipeline; resolves when it is answered and logged.
 * @example await runGatewayPipeline(pipeline, openExchange(req, res, origin));
 */
export async function runGatewayPipeline(gw: GatewayPipeline, ex: GatewayExchange): Promise<void> {
  const { req, res, record } = ex;
  req.on('error', () => undefined);
  const url = splitUrl(req.url);
  const route = url ? gw.routeOf(record.method, url.pathname) : undefined;
  if (route) {
    record.api = route.api;
    record.operation = route.operation;
  }
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > gw.maxBody) return tooLarge(gw, ex);
  const body = await readBody(req, gw.maxBody);
  if (body === 'too-large') return tooLarge(gw, ex);
  if (body === 'failed') {
    // The client sent a body HTTP cannot parse (or hung up while sending it).
    return reject(
      gw,
      ex,
      400,
      'Bad request',
      fault('gateway', 'ClientConnectionFailure', 'The request body could not be read.'),
    );
  }
  record.requestSize = body.length;
  if (!route || !url)
    return reject(
      gw,
      ex,
      404,
      APIM_MESSAGES.notFound,
      fault('configuration', 'ApiNotFound', 'No API matches the request path.'),
    );
  if (!route.operation)
    return reject(
      gw,
      ex,
      404,
      APIM_MESSAGES.notFound,
      fault(
        'configuration',
        'OperationNotFound',
        'Unable to match incoming request to an operation.',
        'api',
      ),
    );
  const auth = authenticate(route.api, req.headers, url.searchParams, gw.keys, gw.state?.suspended);
  if (!auth.ok)
    return reject(gw, ex, 401, auth.message, fault('authentication', auth.reason, auth.message));
  record.subscriptionId = auth.subscription?.id ?? '';
  const wait = gw.limiter.take(record.subscriptionId || record.clientIp, Date.now());
  if (wait !== undefined) {
    res.setHeader('retry-after', String(wait));
    const message = APIM_MESSAGES.rateLimited(wait);
    return reject(gw, ex, 429, message, fault('rate-limit-by-key', 'RateLimitExceeded', message));
  }
  const policy = gw.policies.forOperation(route.api.id, route.operation.id);
  const ctx: PolicyContext = {
    requestId: record.requestId,
    apiId: route.api.id,
    apiName: route.api.name,
    operationId: route.operation.id,
    operationName: route.operation.name,
    subscriptionId: auth.subscription?.id,
    variables: new Map(),
    namedValues: gw.state?.namedValues,
  };
  const inbound = runInbound(
    policy,
    {
      method: record.method.toUpperCase(),
      headers: req.headers,
      query: url.searchParams,
      body,
      tokenLimiter: gw.tokenLimiter,
    },
    ctx,
    new Date(record.startMs),
  );
  record.traces = inbound.traces;
  record.metrics = inbound.metrics;
  record.backendId = inbound.backendId;
  const tokens = inbound.tokenLimit;
  if (tokens?.kind === 'refused') {
    res.setHeader(tokens.step.retryAfterHeader.toLowerCase(), String(tokens.retryAfterSeconds));
    const rate = tokens.status === 429;
    const message = rate
      ? APIM_MESSAGES.tokenRateLimited(tokens.retryAfterSeconds)
      : APIM_MESSAGES.tokenQuotaExceeded(tokens.retryAfterSeconds);
    return reject(
      gw,
      ex,
      tokens.status,
      message,
      fault('llm-token-limit', rate ? 'TokenLimitExceeded' : 'TokenQuotaExceeded', message),
    );
  }
  const outboundHeaders: Record<string, string> = {};
  applyHeaderSteps(outboundHeaders, policy.outbound, ctx);
  if (inbound.returnResponse || !policy.forwards) {
    const rr = inbound.returnResponse ?? { status: 200, reason: 'OK', headers: {}, body: '' };
    const payload = Buffer.from(rr.body);
    res.writeHead(rr.status, rr.reason, {
      ...rr.headers,
      ...outboundHeaders,
      'content-length': payload.length,
    });
    res.end(payload);
    record.responseCode = rr.status;
    record.responseSize = payload.length;
    return gw.finish(ex);
  }
  let settled = false;
  const answerHeaders =
    tokens?.kind === 'admitted'
      ? (usage: { total: number } | undefined): Record<string, string> => {
          // Usage known at the head (a JSON answer): count it now; a stream counts it at its end.
          if (usage) settled = true;
          return tokenHeaders(tokens, usage?.total, Date.now());
        }
      : undefined;
  await gw.forwarder.forward(ex, { route, inbound, policy, outboundHeaders, ctx, answerHeaders });
  if (tokens?.kind === 'admitted' && !settled) {
    tokens.limiter.settle(tokens.lease, record.llm?.usage?.total, Date.now());
  }
}

/** Answers a request the pipeline threw on (or cuts it if the answer had begun), and logs it. */
export function failExchange(gw: GatewayPipeline, ex: GatewayExchange, err: unknown): void {
  if (!ex.res.headersSent)
    sendApimError(ex, 500, APIM_MESSAGES.internal, fault('gateway', 'InternalError', String(err)));
  else ex.res.destroy();
  gw.finish(ex);
}

// --- Internal helpers ---

function reject(
  gw: GatewayPipeline,
  ex: GatewayExchange,
  status: number,
  message: string,
  error: GatewayFault,
): void {
  sendApimError(ex, status, message, error);
  gw.finish(ex);
}

function tooLarge(gw: GatewayPipeline, ex: GatewayExchange): void {
  ex.res.setHeader('connection', 'close');
  sendApimError(
    ex,
    413,
    APIM_MESSAGES.tooLarge(gw.maxBody),
    fault('gateway', 'RequestEntityTooLarge', 'The request body exceeds the size limit.'),
  );
  // Discard whatever the client still sends; give up on it after a few seconds.
  ex.req.resume();
  const timer = setTimeout(() => ex.req.destroy(), 5_000);
  timer.unref();
  gw.finish(ex);
}
