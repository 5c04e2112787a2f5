/**
 * The gateway emulator's decisions as plain functions: subscription keys, rate limit, the
 * inbound policy steps, APIM's error bodies, and the log rows one request produces. The HTTP
 * server (`gateway-server.ts`) only moves bytes between these.
 */
import { randomUUID } from 'node:crypto';
import type { BuSubscription } from '../target.js';
import type { KqlValue } from '../target.js';
import type { CatalogApi, CatalogOperation } from './api-catalog.js';
import type { LogRowInput } from './log-store.js';
import {
  applyHeader,
  type CompiledPolicy,
  type PolicyContext,
  type TraceTemplate,
} from './policy-engine.js';

/** APIM's own error body (`{ statusCode, message }`), as it answers before any backend. */
export function apimErrorBody(status: number, message: string): string {
  return JSON.stringify({ statusCode: status, message });
}

/** The messages APIM uses for its own rejections. */
export const APIM_MESSAGES = {
  missingKey:
    'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  invalidKey:
    'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  notFound: 'Resource not found',
  tooLarge: (max: number) =>
    `Request entity too large. The request body must be at most ${max} bytes.`,
  rateLimited: (seconds: number) => `Rate limit is exceeded. Try again in ${seconds} seconds.`,
  internal: 'Internal server error',
} as const;

/** The outcome of the subscription-key check. */
export type AuthResult =
  | { ok: true; subscription: BuSubscription | undefined }
  | { ok: false; reason: 'SubscriptionKeyNotFound' | 'SubscriptionKeyInvalid'; message: string };

/**
 * Checks the key in `api-key`, `Ocp-Apim-Subscription-Key` or the `subscription-key`/`api-key`
 * query parameters (headers first, as APIM) against the service-scope subscriptions; the key never
 * reaches the backend.
 */
export function authenticate(
  api: CatalogApi,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  query: URLSearchParams,
  subscriptions: ReadonlyMap<string, BuSubscription>,
): AuthResult {
  const key =
    first(headers['api-key']) ??
    first(headers['ocp-apim-subscription-key']) ??
    query.get('subscription-key') ??
    query.get('api-key') ??
    undefined;
  if (key === undefined || key === '') {
    return api.subscriptionRequired
      ? { ok: false, reason: 'SubscriptionKeyNotFound', message: APIM_MESSAGES.missingKey }
      : { ok: true, subscription: undefined };
  }
  const sub = subscriptions.get(key);
  if (!sub)
    return { ok: false, reason: 'SubscriptionKeyInvalid', message: APIM_MESSAGES.invalidKey };
  return { ok: true, subscription: sub };
}

/**
 * A per-key request limit over a sliding one-minute window (two fixed windows, weighted), as
 * `rate-limit-by-key` behaves: O(1) memory per key.
 */
export class RateLimiter {
  #perMinute: number;
  readonly #windows = new Map<string, { start: number; current: number; previous: number }>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  get perMinute(): number {
    return this.#perMinute;
  }

  set perMinute(value: number) {
    this.#perMinute = value;
  }

  /** Counts a call; returns `undefined` when allowed, else the seconds to wait. */
  take(key: string, nowMs: number): number | undefined {
    const span = 60_000;
    const start = Math.floor(nowMs / span) * span;
    let w = this.#windows.get(key);
    if (!w) {
      w = { start, current: 0, previous: 0 };
      this.#windows.set(key, w);
    }
    if (w.start !== start) {
      w.previous = start - w.start === span ? w.current : 0;
      w.current = 0;
      w.start = start;
    }
    const estimate = w.previous * (1 - (nowMs - start) / span) + w.current;
    if (estimate + 1 > this.#perMinute)
      return Math.max(1, Math.ceil((start + span - nowMs) / 1000));
    w.current++;
    return undefined;
  }
}

/** One record of `TraceRecords`. */
export interface TraceRecord {
  source: string;
  severity: string;
  message: string;
  metadata?: Record<string, string>;
  timestamp: string;
}

/** One `emit-metric` the inbound section emitted. */
export interface EmittedMetric {
  name: string;
  namespace: string;
  value: number;
  dimensions: Record<string, string>;
}

/** What the inbound section decided for one request. */
export interface InboundResult {
  /** Headers to send to the backend (lower-case names). */
  headers: Record<string, string>;
  query: URLSearchParams;
  /** The request body, rewritten when a policy changed it. */
  body: Buffer;
  /** The parsed JSON body (after rewrites), or `undefined` when it is not JSON. */
  json: Record<string, unknown> | undefined;
  traces: TraceRecord[];
  metrics: EmittedMetric[];
  returnResponse:
    { status: number; reason: string; headers: Record<string, string>; body: string } | undefined;
  backendId: string;
  /** The resource a managed-identity token was requested for (replaces `Authorization`). */
  managedIdentityResource: string | undefined;
}

/** The request facts the inbound steps read. */
export interface InboundRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: URLSearchParams;
  body: Buffer;
}

/**
 * Runs the compiled inbound steps of an operation.
 * @example const result = runInbound(policy.inbound, { headers, query, body }, ctx, new Date());
 */
export function runInbound(
  policy: CompiledPolicy,
  request: InboundRequest,
  ctx: PolicyContext,
  now: Date,
): InboundResult {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (
      v === undefined ||
      HOP_BY_HOP.has(k) ||
      k === 'host' ||
      k === 'content-length' ||
      k === 'api-key' ||
      k === 'ocp-apim-subscription-key'
    )
      continue;
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  const query = new URLSearchParams(request.query);
  query.delete('subscription-key');
  query.delete('api-key');
  let body = request.body;
  let json: Record<string, unknown> | undefined;
  let parsed = false;
  const parse = (): Record<string, unknown> | undefined => {
    if (!parsed) {
      parsed = true;
      json = parseObject(body);
    }
    return json;
  };
  const out: InboundResult = {
    headers,
    query,
    body,
    json: undefined,
    traces: [],
    metrics: [],
    returnResponse: undefined,
    backendId: '',
    managedIdentityResource: undefined,
  };
  for (const step of policy.inbound) {
    switch (step.kind) {
      case 'caller-id':
        ctx.variables.set(
          step.variable,
          callerIdOf(first(request.headers.authorization), step.claims) ??
            (step.fallbackToSubscription ? ctx.subscriptionId : undefined) ??
            step.fallback,
        );
        break;
      case 'set-variable':
        ctx.variables.set(step.name, step.value(ctx));
        break;
      case 'set-header':
        applyHeader(headers, step, ctx);
        break;
      case 'set-query-parameter': {
        const map: Record<string, string> = {};
        const existing = query.get(step.name);
        if (existing !== null) map[step.name] = existing;
        applyHeader(map, step, ctx);
        if (map[step.name] === undefined) query.delete(step.name);
        else query.set(step.name, map[step.name] as string);
        break;
      }
      case 'emit-metric': {
        const dimensions: Record<string, string> = {};
        for (const d of step.dimensions) dimensions[d.name] = d.value(ctx);
        out.metrics.push({
          name: step.name,
          namespace: step.namespace,
          value: step.value,
          dimensions,
        });
        break;
      }
      case 'trace':
        out.traces.push(traceRecord(step.record, now));
        break;
      case 'ensure-include-usage': {
        const b = parse();
        if (b && Array.isArray(b.messages) && b.stream === true) {
          const options = b.stream_options;
          const include =
            options !== null && typeof options === 'object'
              ? (options as Record<string, unknown>).include_usage
              : undefined;
          if (include !== true) {
            b.stream_options = {
              ...(options !== null && typeof options === 'object'
                ? (options as Record<string, unknown>)
                : {}),
              include_usage: true,
            };
            body = Buffer.from(JSON.stringify(b));
            if (step.trace) out.traces.push(traceRecord(step.trace, now));
          }
        }
        break;
      }
      case 'return-response': {
        const h: Record<string, string> = {};
        for (const hs of step.headers) applyHeader(h, hs, ctx);
        out.returnResponse = {
          status: step.status,
          reason: step.reason,
          headers: h,
          body: step.body,
        };
        out.body = body;
        out.json = parse();
        return out;
      }
      case 'set-backend':
        out.backendId = step.backendId;
        break;
      case 'managed-identity':
        out.managedIdentityResource = step.resource;
        break;
    }
  }
  out.body = body;
  out.json = parse();
  return out;
}

/**
 * The caller id from a bearer JWT's claims (first claim present, in order), without validating
 * the token; `undefined` when the header holds no decodable three-part token.
 */
export function callerIdOf(
  authorization: string | undefined,
  claims: readonly string[],
): string | undefined {
  if (!authorization) return undefined;
  const token = /^bearer /i.test(authorization)
    ? authorization.slice(7).trim()
    : authorization.trim();
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const payload = parts[1] as string;
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(payload)) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (decoded === null || typeof decoded !== 'object') return undefined;
    for (const claim of claims) {
      const v = (decoded as Record<string, unknown>)[claim];
      if (typeof v === 'string' && v !== '') return v;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Where the log rows of this gateway say they come from. */
export interface LogEnvironment {
  region: string;
  /** Log Analytics workspace id (the `TenantId` column). */
  workspaceId: string;
  azureSubscriptionId: string;
  apimResourceId: string;
  appInsights: { appId: string; name: string; iKey: string };
  apimName: string;
}

/** The LLM exchange of a request that reached the model backend. */
export interface LlmExchange {
  deploymentName: string;
  modelName: string;
  apiVersion: string;
  isStream: boolean;
  backendRequestId: string;
  usage: { prompt: number; completion: number; total: number } | undefined;
  requestMessages: KqlValue;
  responseText: string;
}

/** Everything the gateway learned about one request. */
export interface RequestRecord {
  requestId: string;
  startMs: number;
  endMs: number;
  method: string;
  url: string;
  clientIp: string;
  api: CatalogApi | undefined;
  operation: CatalogOperation | undefined;
  subscriptionId: string;
  responseCode: number;
  backend:
    { url: string; method: string; responseCode: number | undefined; timeMs: number } | undefined;
  backendId: string;
  requestSize: number;
  responseSize: number;
  traces: TraceRecord[];
  error:
    | {
        source: string;
        reason: string;
        message: string;
        section: string;
        scope: string;
        elapsedMs: number;
      }
    | undefined;
  llm: LlmExchange | undefined;
  metrics: EmittedMetric[];
}

/** The `ApiManagementGatewayLogs` row of a request. */
export function gatewayLogRow(r: RequestRecord, env: LogEnvironment): LogRowInput {
  const time = new Date(r.startMs).toISOString();
  const total = Math.max(0, Math.round(r.endMs - r.startMs));
  const backendTime = r.backend ? Math.max(0, Math.round(r.backend.timeMs)) : 0;
  const b = r.backend;
  const e = r.error;
  // One object literal with every field (undefined = empty): rows share one shape, which keeps
  // building and storing them cheap on the request path.
  return {
    TenantId: env.workspaceId,
    TimeGenerated: time,
    Timestamp: time,
    OperationName: 'Microsoft.ApiManagement/GatewayLogs',
    Category: 'GatewayLogs',
    CorrelationId: r.requestId,
    Region: env.region,
    IsRequestSuccess: r.responseCode >= 200 && r.responseCode < 400,
    TotalTime: total,
    CallerIpAddress: r.clientIp,
    Method: r.method,
    // Keys sent in the query string are not logged.
    Url: r.url.includes('key=')
      ? r.url.replace(/([?&](?:subscription-key|api-key)=)[^&#]*/gi, '$1***')
      : r.url,
    ClientProtocol: 'HTTP/1.1',
    ResponseCode: r.responseCode,
    ResponseSize: r.responseSize,
    RequestSize: r.requestSize,
    Cache: 'none',
    CacheTime: 0,
    BackendTime: backendTime,
    ClientTime: Math.max(0, total - backendTime),
    ApiId: r.api?.id ?? '',
    OperationId: r.operation?.id ?? '',
    ApimSubscriptionId: r.subscriptionId,
    ApiRevision: r.api ? '1' : '',
    BackendId: r.backendId,
    BackendMethod: b?.method,
    BackendUrl: b?.url,
    BackendProtocol: b ? 'HTTP/1.1' : undefined,
    BackendResponseCode: b?.responseCode,
    IsTraceRequested: false,
    IsTraceAllowed: false,
    IsTraceExpired: false,
    IsMasterTrace: false,
    TraceRecords: r.traces.length > 0 ? (r.traces as unknown as KqlValue) : null,
    LastErrorElapsed: e?.elapsedMs,
    LastErrorSource: e?.source,
    LastErrorReason: e?.reason,
    LastErrorMessage: e?.message,
    LastErrorSection: e?.section,
    LastErrorScope: e?.scope,
    Errors: e
      ? [
          {
            Source: e.source,
            Reason: e.reason,
            Message: e.message,
            Section: e.section,
            Scope: e.scope,
            Elapsed: e.elapsedMs,
          },
        ]
      : undefined,
    SourceSystem: 'Azure',
    Type: 'ApiManagementGatewayLogs',
    _ResourceId: env.apimResourceId,
    _SubscriptionId: env.azureSubscriptionId,
    _IsBillable: 'true',
  };
}

/**
 * The `ApiManagementGatewayLlmLog` rows of a request: a request row (sequence 0, prompt
 * messages) and a response row (sequence 1) that alone carries the model, deployment and
 * tokens. Empty for requests that did not get a 2xx from the model backend.
 */
export function llmLogRows(r: RequestRecord, env: LogEnvironment): LogRowInput[] {
  const llm = r.llm;
  const code = r.backend?.responseCode;
  if (!llm || code === undefined || code < 200 || code >= 300) return [];
  const time = new Date(r.startMs).toISOString();
  const common: Record<string, KqlValue> = {
    TenantId: env.workspaceId,
    TimeGenerated: time,
    CorrelationId: r.requestId,
    RequestId: llm.backendRequestId,
    ApiVersion: llm.apiVersion,
    OperationName: r.operation?.id ?? '',
    IsStreamCompletion: llm.isStream,
    Region: env.region,
    SourceSystem: 'Azure',
    Type: 'ApiManagementGatewayLlmLog',
    _ResourceId: env.apimResourceId,
    _SubscriptionId: env.azureSubscriptionId,
    _IsBillable: 'true',
  };
  const request: Record<string, KqlValue> = {
    ...common,
    SequenceNumber: 0,
    RequestMessages: llm.requestMessages,
  };
  const response: Record<string, KqlValue> = {
    ...common,
    SequenceNumber: 1,
    DeploymentName: llm.deploymentName,
    ModelName: llm.modelName,
    PromptTokens: llm.usage?.prompt ?? null,
    CompletionTokens: llm.usage?.completion ?? null,
    TotalTokens: llm.usage?.total ?? null,
    ResponseMessages: [{ role: 'assistant', content: llm.responseText }],
  };
  return [request, response];
}

/** The App Insights `customMetrics` rows of the request's `emit-metric` policies. */
export function customMetricRows(r: RequestRecord, env: LogEnvironment): LogRowInput[] {
  const time = new Date(r.startMs).toISOString();
  return r.metrics.map((m) => ({
    timestamp: time,
    name: m.name,
    value: m.value,
    valueCount: 1,
    valueSum: m.value,
    valueMin: m.value,
    valueMax: m.value,
    valueStdDev: 0,
    customDimensions: m.dimensions,
    itemType: 'customMetric',
    itemId: randomUUID(),
    operation_Id: r.requestId.replace(/-/g, ''),
    operation_Name: r.operation ? `${r.api?.name ?? ''};${r.operation.name}` : '',
    cloud_RoleName: env.apimName,
    cloud_RoleInstance: 'local',
    sdkVersion: 'apim:local',
    appId: env.appInsights.appId,
    appName: env.appInsights.name,
    iKey: env.appInsights.iKey,
    client_Type: 'PC',
    client_IP: '0.0.0.0',
  }));
}

/** Hop-by-hop headers a proxy must not forward. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// --- Internal helpers ---

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function traceRecord(t: TraceTemplate, now: Date): TraceRecord {
  const rec: TraceRecord = {
    source: t.source,
    severity: t.severity,
    message: t.message,
    timestamp: now.toISOString(),
  };
  if (Object.keys(t.metadata).length > 0) rec.metadata = { ...t.metadata };
  return rec;
}
