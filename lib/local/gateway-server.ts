/**
 * The APIM gateway emulator's HTTP server: reads the request (bounded), routes it, runs the
 * pipeline functions, forwards to the model backend while passing the response through as it
 * arrives (SSE included, no buffering), and writes one gateway log row per request plus the
 * LLM rows and custom metrics.
 */
import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { BuSubscription } from '../target.js';
import type { KqlValue } from '../target.js';
import {
  deliverAoaiResponse,
  listen,
  type AoaiEmulator,
  type RunningServer,
} from './aoai-emulator.js';
import { matchRoute, type CatalogApi, type RouteMatch } from './api-catalog.js';
import {
  APIM_MESSAGES,
  apimErrorBody,
  authenticate,
  customMetricRows,
  gatewayLogRow,
  HOP_BY_HOP,
  llmLogRows,
  RateLimiter,
  runInbound,
  type InboundResult,
  type LlmExchange,
  type LogEnvironment,
  type RequestRecord,
} from './gateway-pipeline.js';
import type { LocalLogStore } from './log-store.js';
import { applyHeaderSteps, type PolicyContext, type PolicySet } from './policy-engine.js';
import { SseParser } from './sse.js';

export interface LocalGatewayOptions {
  catalog: readonly CatalogApi[];
  policies: PolicySet;
  subscriptions: readonly BuSubscription[];
  /** Model backend base URL (the AOAI emulator's `<url>/openai`). */
  backendUrl: string;
  store: LocalLogStore;
  env: LogEnvironment;
  /** Per-subscription requests per minute. */
  rateLimitPerMinute: number;
  /** Largest accepted request body. @default 4 MiB */
  maxBodyBytes?: number;
  /** Port to listen on; 0 = ephemeral. @default 0 */
  port?: number;
  /**
   * The model backend as an in-process emulator: requests go to its `handle()` instead of over
   * loopback HTTP (same responses, streaming and faults). @default HTTP to `backendUrl`
   */
  inProcessBackend?: AoaiEmulator;
}

/** A running gateway emulator. */
export interface LocalGateway extends RunningServer {
  /** Changes the per-subscription rate limit (requests per minute). */
  setRateLimit(perMinute: number): void;
}

/**
 * Starts the gateway emulator on 127.0.0.1.
 * @example const gw = await startLocalGateway({ ...options, port: 0 }); console.log(gw.url);
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const limiter = new RateLimiter(options.rateLimitPerMinute);
  const keys = new Map(options.subscriptions.map((s) => [s.primaryKey, s] as const));
  const maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const backend = new URL(options.backendUrl);
  const backendPath = backend.pathname.replace(/\/$/, '');
  let origin = '';

  const server = createServer((req, res) => {
    const started = performance.now();
    const record = newRecord(req, origin);
    handle(req, res, record, started).catch((err: unknown) => {
      // Whatever went wrong, answer (or cut) and still log the request.
      if (!res.headersSent) {
        sendApimError(
          res,
          record,
          500,
          APIM_MESSAGES.internal,
          {
            source: 'gateway',
            reason: 'InternalError',
            message: String(err),
            section: 'inbound',
            scope: 'service',
          },
          started,
        );
      } else {
        res.destroy();
      }
      finish(record, started);
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 30_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  // Traffic repeats a handful of paths: remember their matches (bounded) instead of re-parsing.
  const routeCache = new Map<string, RouteMatch | undefined>();
  function routeOf(method: string, pathname: string): RouteMatch | undefined {
    const key = `${method} ${pathname}`;
    if (routeCache.has(key)) return routeCache.get(key);
    const match = matchRoute(options.catalog, method, pathname);
    if (routeCache.size >= 1024) routeCache.clear();
    routeCache.set(key, match);
    return match;
  }

  const running = await listen(server, options.port ?? 0);
  origin = running.url;

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    record: RequestRecord,
    started: number,
  ): Promise<void> {
    req.on('error', () => undefined);
    const url = splitUrl(req.url);
    const route = url ? routeOf(record.method, url.pathname) : undefined;
    if (route) {
      record.api = route.api;
      record.operation = route.operation;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (Number.isFinite(declared) && declared > maxBody) {
      tooLarge(req, res, record, started);
      return;
    }
    const body = await readBody(req, maxBody);
    if (body === 'too-large') {
      tooLarge(req, res, record, started);
      return;
    }
    if (body === 'failed') {
      // The client sent a body HTTP cannot parse (or hung up while sending it).
      sendApimError(
        res,
        record,
        400,
        'Bad request',
        {
          source: 'gateway',
          reason: 'ClientConnectionFailure',
          message: 'The request body could not be read.',
          section: 'inbound',
          scope: 'service',
        },
        started,
      );
      return finish(record, started);
    }
    record.requestSize = body.length;
    if (!route || !url) {
      sendApimError(
        res,
        record,
        404,
        APIM_MESSAGES.notFound,
        {
          source: 'configuration',
          reason: 'ApiNotFound',
          message: 'No API matches the request path.',
          section: 'inbound',
          scope: 'service',
        },
        started,
      );
      return finish(record, started);
    }
    if (!route.operation) {
      sendApimError(
        res,
        record,
        404,
        APIM_MESSAGES.notFound,
        {
          source: 'configuration',
          reason: 'OperationNotFound',
          message: 'Unable to match incoming request to an operation.',
          section: 'inbound',
          scope: 'api',
        },
        started,
      );
      return finish(record, started);
    }
    const auth = authenticate(route.api, req.headers, url.searchParams, keys);
    if (!auth.ok) {
      sendApimError(
        res,
        record,
        401,
        auth.message,
        {
          source: 'authentication',
          reason: auth.reason,
          message: auth.message,
          section: 'inbound',
          scope: 'service',
        },
        started,
      );
      return finish(record, started);
    }
    record.subscriptionId = auth.subscription?.id ?? '';
    const wait = limiter.take(record.subscriptionId || record.clientIp, Date.now());
    if (wait !== undefined) {
      res.setHeader('retry-after', String(wait));
      const message = APIM_MESSAGES.rateLimited(wait);
      sendApimError(
        res,
        record,
        429,
        message,
        {
          source: 'rate-limit-by-key',
          reason: 'RateLimitExceeded',
          message,
          section: 'inbound',
          scope: 'service',
        },
        started,
      );
      return finish(record, started);
    }
    const policy = options.policies.forOperation(route.api.id, route.operation.id);
    const ctx: PolicyContext = {
      requestId: record.requestId,
      apiId: route.api.id,
      apiName: route.api.name,
      operationId: route.operation.id,
      operationName: route.operation.name,
      subscriptionId: auth.subscription?.id,
      variables: new Map(),
    };
    const inbound = runInbound(
      policy,
      { headers: req.headers, query: url.searchParams, body },
      ctx,
      new Date(record.startMs),
    );
    record.traces = inbound.traces;
    record.metrics = inbound.metrics;
    record.backendId = inbound.backendId;
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
      return finish(record, started);
    }
    await forward(req, res, record, route, inbound, outboundHeaders, started, ctx);
  }

  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    record: RequestRecord,
    route: RouteMatch,
    inbound: InboundResult,
    outboundHeaders: Record<string, string>,
    started: number,
    ctx: PolicyContext,
  ): Promise<void> {
    const query = inbound.query.toString();
    const backendPathAndQuery = `${backendPath}${route.operationPath}${query ? `?${query}` : ''}`;
    const target = `${backend.origin}${backendPathAndQuery}`;
    // runInbound's header map is this request's own copy (lower-case names): finish it in place.
    const headers: Record<string, string> = inbound.headers;
    headers.host = backend.host;
    headers['content-length'] = String(inbound.body.length);
    if (inbound.managedIdentityResource)
      headers.authorization = `Bearer emulated-managed-identity-token-for-${inbound.managedIdentityResource}`;
    const sentAt = performance.now();
    record.backend = { url: target, method: record.method, responseCode: undefined, timeMs: 0 };
    const kind = route.operation?.kind;
    const isAi = kind === 'chat-completions' || kind === 'responses';
    const json = inbound.json;
    const llm: LlmExchange | undefined = isAi
      ? {
          deploymentName:
            kind === 'chat-completions'
              ? (route.params.deploymentId ?? '')
              : typeof json?.model === 'string'
                ? json.model
                : '',
          modelName: '',
          apiVersion: inbound.query.get('api-version') ?? '',
          isStream: json?.stream === true,
          backendRequestId: '',
          usage: undefined,
          requestMessages: requestMessagesOf(json),
          responseText: '',
        }
      : undefined;

    return new Promise<void>((resolve) => {
      let done = false;
      let sawTerminal = false;
      let sse: SseParser | undefined;
      const jsonChunks: (string | Buffer)[] = [];
      let inProcessValue: unknown;
      let jsonSize = 0;
      let stopBackend: () => void = () => undefined;

      const end = (): void => {
        if (done) return;
        done = true;
        if (record.backend) record.backend.timeMs = performance.now() - sentAt;
        if (llm) record.llm = llm;
        finish(record, started);
        resolve();
      };
      // What both transports report: the head, each body chunk, the end, or a cut.
      const onHead = (
        status: number,
        backendHeaders: Record<string, string | string[] | number>,
      ): void => {
        if (record.backend) record.backend.responseCode = status;
        record.responseCode = status;
        const passHeaders: Record<string, string | string[] | number> = {};
        for (const [k, v] of Object.entries(backendHeaders))
          if (!HOP_BY_HOP.has(k)) passHeaders[k] = v;
        Object.assign(passHeaders, outboundHeaders);
        res.writeHead(status, passHeaders);
        const contentType = String(backendHeaders['content-type'] ?? '');
        if (llm && contentType.startsWith('text/event-stream')) sse = new SseParser();
      };
      const onChunk = (chunk: Buffer | string): void => {
        const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        record.responseSize += bytes;
        res.write(chunk);
        if (!llm) return;
        if (sse) {
          for (const m of sse.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk))
            if (readStreamEvent(llm, m.event, m.data)) sawTerminal = true;
        } else if (jsonSize < 4 * 1024 * 1024) {
          // Keep bytes as bytes: a multi-byte character may be split across HTTP chunks.
          jsonChunks.push(chunk);
          jsonSize += bytes;
        }
      };
      const onEnd = (): void => {
        if (llm && !sse && inProcessValue !== undefined) {
          // In process, the answer's value is at hand: read it instead of parsing its text again.
          readJsonValue(llm, inProcessValue);
        } else if (llm && !sse) {
          const text = jsonChunks.every((c) => typeof c === 'string')
            ? jsonChunks.join('')
            : Buffer.concat(
                jsonChunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)),
              ).toString('utf8');
          readJsonBody(llm, text);
        }
        res.end();
        end();
      };
      const onCut = (message: string): void => {
        if (done) return;
        if (!res.headersSent) {
          const errHeaders: Record<string, string> = {};
          applyHeaderSteps(
            errHeaders,
            options.policies.forOperation(ctx.apiId, ctx.operationId).onError,
            ctx,
          );
          for (const [k, v] of Object.entries(errHeaders)) res.setHeader(k, v);
          sendApimError(
            res,
            record,
            500,
            APIM_MESSAGES.internal,
            {
              source: 'forward-request',
              reason: 'BackendConnectionFailure',
              message,
              section: 'backend',
              scope: 'api',
            },
            started,
          );
        } else {
          // The backend cut the stream: pass the cut on, as APIM does without buffering.
          record.error = {
            source: 'forward-request',
            reason: 'BackendConnectionFailure',
            message,
            section: 'backend',
            scope: 'api',
            elapsedMs: Math.round(performance.now() - started),
          };
          res.destroy();
        }
        end();
      };
      res.on('close', () => {
        if (res.writableFinished || done) return;
        // SDKs hang up as soon as they read the stream's last event ([DONE], response.completed):
        // that is a complete exchange, not a client failure.
        if (!sawTerminal) {
          record.error = {
            source: 'gateway',
            reason: 'ClientConnectionFailure',
            message: 'The client closed the connection before the response was complete.',
            section: 'backend',
            scope: 'api',
            elapsedMs: Math.round(performance.now() - started),
          };
        }
        stopBackend();
        end();
      });

      if (options.inProcessBackend) {
        // The local model backend lives in this process: call it without a loopback HTTP hop.
        const emulator = options.inProcessBackend;
        const response = emulator.handle({
          method: record.method,
          url: backendPathAndQuery,
          headers,
          body: inbound.body,
        });
        if (response.kind === 'json') inProcessValue = response.value;
        void deliverAoaiResponse(response, {
          head: (status, h) => onHead(status, h),
          write: (chunk) => onChunk(chunk),
          end: onEnd,
          cut: () => onCut('The backend closed the connection before the response was complete.'),
          closed: () => done || res.destroyed,
        }).catch((err: unknown) => onCut(String(err)));
        return;
      }

      const upstream = httpRequest(
        target,
        { method: record.method, headers, agent },
        (backendRes) => {
          const h: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(backendRes.headers)) if (v !== undefined) h[k] = v;
          onHead(backendRes.statusCode ?? 502, h);
          backendRes.on('data', onChunk);
          backendRes.on('end', onEnd);
          backendRes.on('error', () => undefined);
          backendRes.on('aborted', () =>
            onCut('The backend closed the connection before the response was complete.'),
          );
        },
      );
      stopBackend = () => upstream.destroy();
      upstream.on('error', (err) => onCut(err.message));
      upstream.end(inbound.body);
    });
  }

  function finish(record: RequestRecord, started: number): void {
    if (record.endMs !== 0) return;
    record.endMs = record.startMs + (performance.now() - started);
    const store = options.store;
    store.appendRows('ApiManagementGatewayLogs', [gatewayLogRow(record, options.env)]);
    const llmRows = llmLogRows(record, options.env);
    if (llmRows.length > 0) store.appendRows('ApiManagementGatewayLlmLog', llmRows);
    const metricRows = customMetricRows(record, options.env);
    if (metricRows.length > 0) store.appendRows('customMetrics', metricRows);
  }

  function sendApimError(
    res: ServerResponse,
    record: RequestRecord,
    status: number,
    message: string,
    error: { source: string; reason: string; message: string; section: string; scope: string },
    started: number,
  ): void {
    const body = apimErrorBody(status, message);
    record.responseCode = status;
    record.responseSize = Buffer.byteLength(body);
    record.error = { ...error, elapsedMs: Math.round(performance.now() - started) };
    if (res.destroyed) return;
    if (!res.headersSent) {
      res.setHeader('x-ms-request-id', record.requestId);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
    }
    res.end(body);
  }

  function tooLarge(
    req: IncomingMessage,
    res: ServerResponse,
    record: RequestRecord,
    started: number,
  ): void {
    res.setHeader('connection', 'close');
    sendApimError(
      res,
      record,
      413,
      APIM_MESSAGES.tooLarge(maxBody),
      {
        source: 'gateway',
        reason: 'RequestEntityTooLarge',
        message: 'The request body exceeds the size limit.',
        section: 'inbound',
        scope: 'service',
      },
      started,
    );
    // Discard whatever the client still sends; give up on it after a few seconds.
    req.resume();
    const timer = setTimeout(() => req.destroy(), 5_000);
    timer.unref();
    finish(record, started);
  }

  return {
    url: running.url,
    setRateLimit(perMinute) {
      limiter.perMinute = perMinute;
    },
    async close() {
      await running.close();
      agent.destroy();
    },
  };
}

// --- Internal helpers ---

function newRecord(req: IncomingMessage, origin: string): RequestRecord {
  return {
    requestId: randomUUID(),
    startMs: Date.now(),
    endMs: 0,
    method: (req.method ?? 'GET').toUpperCase(),
    url: `${origin}${req.url ?? '/'}`,
    clientIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    api: undefined,
    operation: undefined,
    subscriptionId: '',
    responseCode: 0,
    backend: undefined,
    backendId: '',
    requestSize: 0,
    responseSize: 0,
    traces: [],
    error: undefined,
    llm: undefined,
    metrics: [],
  };
}

/** Path and query of a request target; `undefined` for a target that is not a path. */
function splitUrl(
  raw: string | undefined,
): { pathname: string; searchParams: URLSearchParams } | undefined {
  const target = raw ?? '/';
  if (!target.startsWith('/')) return undefined;
  const q = target.indexOf('?');
  // Paths are matched as sent (percent-decoding happens per segment in matchRoute).
  return q < 0
    ? { pathname: target, searchParams: new URLSearchParams() }
    : { pathname: target.slice(0, q), searchParams: new URLSearchParams(target.slice(q + 1)) };
}

/** Reads the body; `too-large` past `max` (the rest is left unread), `failed` on a broken body. */
async function readBody(
  req: IncomingMessage,
  max: number,
): Promise<Buffer | 'too-large' | 'failed'> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) return 'too-large';
      chunks.push(chunk);
    }
  } catch {
    return 'failed';
  }
  return Buffer.concat(chunks);
}

function requestMessagesOf(json: Record<string, unknown> | undefined): KqlValue {
  if (!json) return null;
  if (Array.isArray(json.messages)) return json.messages as KqlValue;
  if (typeof json.input === 'string') return [{ role: 'user', content: json.input }];
  if (Array.isArray(json.input)) return json.input as KqlValue;
  return null;
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Reads model, id, usage and text from one SSE event of a chat or responses stream.
 * @returns whether the event ends the stream (`[DONE]` or a terminal Responses event).
 */
function readStreamEvent(llm: LlmExchange, event: string | undefined, data: string): boolean {
  if (data === '[DONE]') return true;
  let v: Record<string, unknown>;
  try {
    const parsed = JSON.parse(data) as unknown;
    if (parsed === null || typeof parsed !== 'object') return false;
    v = parsed as Record<string, unknown>;
  } catch {
    return false;
  }
  const type = typeof v.type === 'string' ? v.type : event;
  if (type && type.startsWith('response.')) {
    const response = v.response as Record<string, unknown> | undefined;
    if (response) readResponseObject(llm, response);
    if (type === 'response.output_text.delta' && typeof v.delta === 'string')
      appendText(llm, v.delta);
    return TERMINAL_EVENTS.has(type);
  }
  if (typeof v.model === 'string' && v.model !== '') llm.modelName = v.model;
  if (typeof v.id === 'string' && v.id !== '' && llm.backendRequestId === '')
    llm.backendRequestId = v.id;
  readUsage(llm, v.usage);
  const choices = v.choices;
  if (Array.isArray(choices)) {
    for (const c of choices) {
      const delta = (c as Record<string, unknown> | null)?.delta as
        Record<string, unknown> | undefined;
      if (delta && typeof delta.content === 'string') appendText(llm, delta.content);
    }
  }
  return false;
}

function readJsonBody(llm: LlmExchange, body: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body) as unknown;
  } catch {
    return;
  }
  readJsonValue(llm, parsed);
}

/** Reads model, id, usage and text from a Chat Completions or Responses JSON answer. */
function readJsonValue(llm: LlmExchange, parsed: unknown): void {
  if (parsed === null || typeof parsed !== 'object') return;
  const v = parsed as Record<string, unknown>;
  if (v.object === 'response') {
    readResponseObject(llm, v);
    const output = v.output;
    if (Array.isArray(output)) {
      for (const item of output) {
        const content = (item as Record<string, unknown> | null)?.content;
        if (Array.isArray(content))
          for (const p of content)
            if (typeof (p as Record<string, unknown>)?.text === 'string')
              appendText(llm, (p as Record<string, string>).text as string);
      }
    }
    return;
  }
  if (typeof v.model === 'string') llm.modelName = v.model;
  if (typeof v.id === 'string') llm.backendRequestId = v.id;
  readUsage(llm, v.usage);
  const choices = v.choices;
  if (Array.isArray(choices)) {
    const content = (
      (choices[0] as Record<string, unknown> | undefined)?.message as
        Record<string, unknown> | undefined
    )?.content;
    if (typeof content === 'string') appendText(llm, content);
  }
}

function readResponseObject(llm: LlmExchange, response: Record<string, unknown>): void {
  if (typeof response.model === 'string' && response.model !== '') llm.modelName = response.model;
  if (typeof response.id === 'string' && llm.backendRequestId === '')
    llm.backendRequestId = response.id;
  readUsage(llm, response.usage);
}

function readUsage(llm: LlmExchange, usage: unknown): void {
  if (usage === null || typeof usage !== 'object') return;
  const u = usage as Record<string, unknown>;
  const prompt = num(u.prompt_tokens) ?? num(u.input_tokens);
  const completion = num(u.completion_tokens) ?? num(u.output_tokens);
  if (prompt === undefined || completion === undefined) return;
  llm.usage = { prompt, completion, total: num(u.total_tokens) ?? prompt + completion };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function appendText(llm: LlmExchange, text: string): void {
  // APIM logs at most 32 KB of a message per row; the emulator keeps one row's worth.
  if (llm.responseText.length < 32 * 1024) llm.responseText += text;
}
