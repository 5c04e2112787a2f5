/**
 * One client exchange of the gateway emulator: the request record opened when a request
 * arrives, reading its target and body, APIM's own error answers, and closing the record.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apimErrorBody } from './apim-messages.js';
import type { GatewayFault, RequestRecord } from './gateway-record.js';

/** A request in flight: the HTTP pair, its record, and when it started (`performance.now()`). */
export interface GatewayExchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RequestRecord;
  started: number;
}

/**
 * Opens the record of a request that just arrived.
 * @param origin the gateway's base URL, which the logged `Url` starts with
 */
export function openExchange(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
): GatewayExchange {
  const started = performance.now();
  const record: RequestRecord = {
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
  return { req, res, record, started };
}

/**
 * Closes the record once (its end time) and hands it to `log`; later calls do nothing.
 * @example closeExchange(ex, (record) => appendLogRows(store, record, env));
 */
export function closeExchange(ex: GatewayExchange, log: (record: RequestRecord) => void): void {
  const record = ex.record;
  if (record.endMs !== 0) return;
  record.endMs = record.startMs + (performance.now() - ex.started);
  log(record);
}

/** A gateway fault; most are raised in the inbound section at service scope. */
export function fault(
  source: string,
  reason: string,
  message: string,
  scope = 'service',
  section = 'inbound',
): GatewayFault {
  return { source, reason, message, section, scope };
}

/** Records a fault on the exchange (with the time it happened), without answering. */
export function recordFault(ex: GatewayExchange, error: GatewayFault): void {
  ex.record.error = { ...error, elapsedMs: Math.round(performance.now() - ex.started) };
}

/** Answers with APIM's own error body and records the fault. */
export function sendApimError(
  ex: GatewayExchange,
  status: number,
  message: string,
  error: GatewayFault,
): void {
  const { res, record } = ex;
  const body = apimErrorBody(status, message);
  record.responseCode = status;
  record.responseSize = Buffer.byteLength(body);
  recordFault(ex, error);
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

/** Path and query of a request target; `undefined` for a target that is not a path. */
export function splitUrl(
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
export async function readBody(
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
