/**
 * What the Azure OpenAI emulator receives and answers, and the answer shapes Azure uses: the
 * response headers, JSON bodies, SSE bodies and the two error body styles (Azure's
 * `{ error: { code, message } }` and OpenAI's `invalid_request_error`).
 */
import { randomUUID } from 'node:crypto';

/** A request as the emulator sees it. */
export interface AoaiRequest {
  method: string;
  /** Path and query, e.g. `/openai/deployments/x/chat/completions?api-version=2024-10-21`. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}

/** What the emulator answers: a JSON body, or SSE events written one by one. */
export type AoaiResponse =
  | {
      kind: 'json';
      status: number;
      headers: Record<string, string>;
      body: string;
      /** The value `body` serialises (an in-process caller can read it without re-parsing). */
      value: unknown;
      delayMs: number;
    }
  | {
      kind: 'stream';
      status: number;
      headers: Record<string, string>;
      events: string[];
      disconnectAfter: number | undefined;
      delayMs: number;
    };

/** A streamed answer. */
export type AoaiStreamResponse = AoaiResponse & { kind: 'stream' };

/** What a surface builder returns: a JSON value (headers are added later) or a stream. */
export type BuiltAnswer = ({ kind: 'json'; body: unknown } | AoaiStreamResponse) & {
  /** The tokens the backend served (and bills), whether or not the answer reports them. */
  served?: { promptTokens: number; completionTokens: number };
};

/** An error body in Azure's style. */
export interface AzureErrorBody {
  error: { code: string; message: string };
}

/** The headers Azure OpenAI sends on every answer. */
export function baseHeaders(region: string): Record<string, string> {
  return {
    'apim-request-id': randomUUID(),
    'x-ms-region': region,
    'x-ratelimit-remaining-requests': '999',
    'x-ratelimit-remaining-tokens': '99000',
  };
}

/** A JSON answer with Azure's headers. */
export function jsonResponse(
  status: number,
  body: unknown,
  region: string,
  delayMs: number,
): AoaiResponse & { kind: 'json' } {
  return {
    kind: 'json',
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...baseHeaders(region) },
    body: JSON.stringify(body),
    value: body,
    delayMs,
  };
}

/** A 200 SSE answer of these events (region headers, latency and cut-off are set later). */
export function sseResponse(events: string[]): AoaiStreamResponse {
  return {
    kind: 'stream',
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    events,
    disconnectAfter: undefined,
    delayMs: 0,
  };
}

/** Azure's `{ error: { code, message } }` body. */
export function azureError(code: string, message: string): AzureErrorBody {
  return { error: { code, message } };
}

/** The body Azure sends for an internal error (also what a bug in the emulator answers). */
export function internalError(): AzureErrorBody {
  return azureError(
    'InternalServerError',
    'The server had an error while processing your request. Sorry about that!',
  );
}

/** OpenAI's `invalid_request_error` body, as Azure sends it for a bad request body. */
export function invalidRequest(
  message: string,
  param: string | null,
  code: string | null = null,
): unknown {
  return { error: { message, type: 'invalid_request_error', param, code } };
}
