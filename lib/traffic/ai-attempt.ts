/**
 * One attempt of one D1 request with the official `openai` package's `AzureOpenAI` client:
 * streams are read to the end, usage is taken from the response (or the stream's last event), and
 * SDK errors are classified by class and status, never by message text.
 */
import { APIConnectionTimeoutError, APIError, APIUserAbortError, type AzureOpenAI } from 'openai';
import type { TokenUsage } from '../ledger/ledger-types.js';
import { gatewayRequestId, usageFromJson } from './http.js';
import { AI_MAX_OUTPUT_TOKENS, type AiRequest } from './ai-modes.js';
import { errorCode, parseRetryAfter, type AttemptContext, type AttemptResult } from './runner.js';

/** Maps a thrown SDK error to an attempt result by class and status, never by message text. */
function fromError(err: unknown): AttemptResult {
  if (err instanceof APIConnectionTimeoutError) return { error: 'timeout' };
  if (err instanceof APIUserAbortError) return { error: 'aborted' };
  if (err instanceof APIError && typeof err.status === 'number') {
    const result: AttemptResult = { status: err.status, ok: false };
    if (err.headers) {
      const id = gatewayRequestId(err.headers);
      if (id) result.requestId = id;
      const retryAfterMs = parseRetryAfter(err.headers);
      if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
    }
    return result;
  }
  return { error: errorCode(err) };
}

/** Usage of a Chat Completions (`prompt_tokens`...) or Responses (`input_tokens`...) object. */
function usageOf(usage: unknown): TokenUsage | undefined {
  return usageFromJson({ usage });
}

/** One attempt of one AI request with a client made for its BU, caller and surface. */
export async function sendAiAttempt(
  client: AzureOpenAI,
  p: AiRequest,
  ctx: AttemptContext,
): Promise<AttemptResult> {
  // The SDK's own timeout is a backstop; the runner's signal fires first and names the cause.
  const requestOptions = { signal: ctx.signal, maxRetries: 0, timeout: ctx.timeoutMs + 5000 };
  const spec = p.spec;
  let status = 0;
  let requestId: string | undefined;
  const head = (response: Response): void => {
    status = response.status;
    requestId = gatewayRequestId(response.headers);
  };
  const done = (usage: TokenUsage | undefined): AttemptResult => {
    const r: AttemptResult = { status, ok: status >= 200 && status < 300 };
    if (requestId) r.requestId = requestId;
    if (usage) r.usage = usage;
    return r;
  };
  // A stream that breaks after the head is a network failure that still has its status.
  const broken = (err: unknown, fallback = 'stream-interrupted'): AttemptResult => {
    // Whatever socket error ended it, a cut after the head is one kind: `stream-interrupted`.
    const code = err === undefined ? fallback : errorCode(err);
    const r: AttemptResult = {
      error: code === 'aborted' || code === 'timeout' ? code : fallback,
      status,
    };
    if (requestId) r.requestId = requestId;
    return r;
  };
  // Reads a stream to its end: the usage it carried, and whether it finished or was cut.
  const drain = async <T>(
    stream: AsyncIterable<T>,
    read: (item: T) => { usage: TokenUsage | undefined; finished: boolean },
  ): Promise<AttemptResult> => {
    let usage: TokenUsage | undefined;
    let finished = false;
    try {
      for await (const item of stream) {
        const r = read(item);
        if (r.usage) usage = r.usage;
        if (r.finished) finished = true;
      }
    } catch (err) {
      return broken(err);
    }
    return finished ? done(usage) : broken(undefined, 'stream-incomplete');
  };
  try {
    if (spec.surface === 'chat') {
      const messages = [
        { role: 'system' as const, content: 'You are a concise assistant.' },
        { role: 'user' as const, content: p.prompt },
      ];
      if (!spec.stream) {
        const { data, response } = await client.chat.completions
          .create(
            { model: p.model, messages, max_completion_tokens: AI_MAX_OUTPUT_TOKENS },
            requestOptions,
          )
          .withResponse();
        head(response);
        return done(usageOf(data.usage));
      }
      const { data: stream, response } = await client.chat.completions
        .create(
          {
            model: p.model,
            messages,
            max_completion_tokens: AI_MAX_OUTPUT_TOKENS,
            stream: true,
            ...(spec.includeUsage ? { stream_options: { include_usage: true } } : {}),
          },
          requestOptions,
        )
        .withResponse();
      head(response);
      return drain(stream, (chunk) => ({
        // Azure also sends annotation chunks with empty choices: usage is known by a non-null `usage`.
        usage: chunk.usage ? usageOf(chunk.usage) : undefined,
        finished: chunk.choices.some(
          (c) => c.finish_reason !== null && c.finish_reason !== undefined,
        ),
      }));
    }

    if (!spec.stream) {
      const { data, response } = await client.responses
        .create(
          {
            model: p.model,
            input: p.prompt,
            max_output_tokens: AI_MAX_OUTPUT_TOKENS,
            ...(spec.store !== undefined ? { store: spec.store } : {}),
          },
          requestOptions,
        )
        .withResponse();
      head(response);
      return done(usageOf(data.usage));
    }
    const { data: stream, response } = await client.responses
      .create(
        { model: p.model, input: p.prompt, max_output_tokens: AI_MAX_OUTPUT_TOKENS, stream: true },
        requestOptions,
      )
      .withResponse();
    head(response);
    return drain(stream, (event) =>
      event.type === 'response.completed' || event.type === 'response.incomplete'
        ? { usage: usageOf(event.response.usage), finished: true }
        : { usage: undefined, finished: false },
    );
  } catch (err) {
    return fromError(err);
  }
}
