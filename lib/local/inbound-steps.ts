/**
 * The inbound section of the gateway emulator: runs an operation's compiled policy steps over
 * one request (caller id, variables, headers, query, metrics, traces, the include_usage rewrite,
 * return-response, backend and managed identity) and hands back what the forwarder needs.
 */
import {
  applyHeader,
  type CompiledPolicy,
  type PolicyContext,
  type ReturnResponseStep,
  type TraceTemplate,
} from './policy-steps.js';
import type { EmittedMetric, TraceRecord } from './gateway-record.js';
import { QUERY_KEY_PARAMETERS } from './gateway-auth.js';
import { firstValue, HOP_BY_HOP } from './http-headers.js';
import { admitTokens, type TokenLimitOutcome } from './token-limit-step.js';
import type { TokenLimiter } from './token-limiter.js';

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
  /** What `llm-token-limit` decided: admitted (with its lease) or refused. */
  tokenLimit?: TokenLimitOutcome;
}

/** The request facts the inbound steps read. */
export interface InboundRequest {
  /** HTTP method, upper case. */
  method: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: URLSearchParams;
  body: Buffer;
  /** The counters `llm-token-limit` runs against. @default none: the policy admits every request */
  tokenLimiter?: TokenLimiter;
}

/**
 * Runs the compiled inbound steps of an operation.
 * @example const result = runInbound(policy, { method: 'POST', headers, query, body }, ctx, new Date());
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
  for (const name of QUERY_KEY_PARAMETERS) query.delete(name);
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
          callerIdOf(firstValue(request.headers.authorization), step.claims) ??
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
      case 'reject-invalid-json':
        if (request.method !== step.method || !isInvalidJson(body)) break;
        return answer(out, step.answer, ctx, body, parse);
      case 'return-response':
        return answer(out, step, ctx, body, parse);
      case 'named-value-entry': {
        const entries = (ctx.namedValues?.get(step.namedValue) ?? '').split(';');
        const fields = (e: string) => e.split(',');
        const own = entries.find(
          (e) => fields(e).length === 4 && fields(e)[0] === ctx.subscriptionId,
        );
        const any = entries.find((e) => fields(e).length === 4 && fields(e)[0] === '*');
        ctx.variables.set(step.variable, own ?? any ?? '');
        break;
      }
      case 'llm-token-limit': {
        if (!request.tokenLimiter) break;
        const outcome = admitTokens(step, ctx, parse(), request.tokenLimiter, now.getTime());
        out.tokenLimit = outcome;
        if (outcome.kind === 'refused') {
          out.body = body;
          out.json = parse();
          return out;
        }
        break;
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

// --- Internal helpers ---

/** Ends the inbound section with a `return-response` answer. */
function answer(
  out: InboundResult,
  step: ReturnResponseStep,
  ctx: PolicyContext,
  body: Buffer,
  parse: () => Record<string, unknown> | undefined,
): InboundResult {
  const headers: Record<string, string> = {};
  for (const hs of step.headers) applyHeader(headers, hs, ctx);
  out.returnResponse = { status: step.status, reason: step.reason, headers, body: step.body };
  out.body = body;
  out.json = parse();
  return out;
}

/** Whether a body has text that is not JSON (an empty or blank body is not a JSON error). */
function isInvalidJson(body: Buffer): boolean {
  const text = body.toString('utf8');
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
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
