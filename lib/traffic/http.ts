/**
 * One plain HTTP attempt (C1, C2, C3, D2) with Node's `fetch`: the body is always read to the
 * end, so the connection is reused and a cut body is seen as a network failure.
 */
import type { TokenUsage } from '../ledger/ledger-types.js';
import { errorCode, parseRetryAfter, type AttemptContext, type AttemptResult } from './runner.js';

/**
 * Response headers that may carry the gateway's request id (its `CorrelationId`), in the order
 * they are tried.
 */
export const GATEWAY_REQUEST_ID_HEADERS: readonly string[] = [
  'x-ms-request-id',
  'apim-request-id',
  'x-request-id',
  'request-id',
];

/** The gateway request id of a response, when one of {@link GATEWAY_REQUEST_ID_HEADERS} is set. */
export function gatewayRequestId(headers: {
  get(name: string): string | null;
}): string | undefined {
  for (const name of GATEWAY_REQUEST_ID_HEADERS) {
    const v = headers.get(name);
    if (v !== null && v !== '') return v;
  }
  return undefined;
}

/** A request to send. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Reads `usage` from a JSON body shaped like Chat Completions (`prompt_tokens`...) or Responses
 * (`input_tokens`...); `undefined` when absent.
 */
export function usageFromJson(body: unknown): TokenUsage | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const usage = (body as { usage?: unknown }).usage;
  if (usage === null || typeof usage !== 'object') return undefined;
  const u = usage as Record<string, unknown>;
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  const prompt = num(u.prompt_tokens) ?? num(u.input_tokens);
  const completion = num(u.completion_tokens) ?? num(u.output_tokens);
  if (prompt === undefined || completion === undefined) return undefined;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: num(u.total_tokens) ?? prompt + completion,
  };
}

/**
 * Sends one attempt and reads the whole body.
 * @param readUsage - parse the JSON body for `usage` (mock AI).
 */
export async function sendHttpAttempt(
  request: HttpRequest,
  context: AttemptContext,
  readUsage = false,
): Promise<AttemptResult> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      signal: context.signal,
      redirect: 'manual',
    });
  } catch (err) {
    return { error: errorCode(err) };
  }
  const requestId = gatewayRequestId(response.headers);
  let text: string;
  try {
    text = await response.text();
  } catch (err) {
    // A body cut after the head is one kind, whatever socket error ended it.
    const code = errorCode(err);
    return {
      error: code === 'aborted' || code === 'timeout' ? code : 'stream-interrupted',
      status: response.status,
      ...(requestId ? { requestId } : {}),
    };
  }
  const result: AttemptResult = {
    status: response.status,
    ok: response.status >= 200 && response.status < 300,
  };
  if (requestId) result.requestId = requestId;
  const retryAfterMs = parseRetryAfter(response.headers);
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
  if (readUsage && result.ok) {
    try {
      const usage = usageFromJson(JSON.parse(text));
      if (usage) result.usage = usage;
    } catch {
      // A success without a JSON body simply has no usage to record.
    }
  }
  return result;
}
