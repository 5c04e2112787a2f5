/**
 * Reads what the gateway logs about an LLM exchange from the model backend's answer as it passes
 * through: deployment, model, backend request id, token usage and response text, from SSE
 * events (Chat Completions chunks or Responses events) or from a JSON body.
 */
import type { KqlValue } from '../target.js';
import type { RouteMatch } from './api-catalog.js';
import type { LlmExchange } from './gateway-record.js';
import type { InboundResult } from './inbound-steps.js';
import { SseParser } from './sse.js';

/**
 * The LLM exchange of a request to an AI operation, before the answer arrived; `undefined` for
 * other operations.
 */
export function llmExchangeOf(route: RouteMatch, inbound: InboundResult): LlmExchange | undefined {
  const kind = route.operation?.kind;
  if (kind !== 'chat-completions' && kind !== 'responses') return undefined;
  const json = inbound.json;
  return {
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
  };
}

/**
 * Watches one backend answer on its way to the client and fills the exchange in: feed it the
 * head's content type, every body chunk and the end.
 * @example const tap = new LlmAnswerTap(llm); tap.head('text/event-stream'); tap.chunk(bytes); tap.end();
 */
export class LlmAnswerTap {
  readonly #llm: LlmExchange;
  #sse: SseParser | undefined;
  #sawTerminal = false;
  readonly #jsonChunks: (string | Buffer)[] = [];
  #jsonSize = 0;
  #value: unknown;

  constructor(llm: LlmExchange) {
    this.#llm = llm;
  }

  /** Whether the stream's last event (`[DONE]`, a terminal Responses event) went by. */
  get sawTerminal(): boolean {
    return this.#sawTerminal;
  }

  /** The answer's head arrived: an SSE content type makes the body a stream of events. */
  head(contentType: string): void {
    if (contentType.startsWith('text/event-stream')) this.#sse = new SseParser();
  }

  /** An in-process backend hands the JSON answer's value over: no need to parse its text. */
  value(v: unknown): void {
    this.#value = v;
  }

  /** One body chunk, as it was passed on. */
  chunk(chunk: Buffer | string, bytes: number): void {
    if (this.#sse) {
      for (const m of this.#sse.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk))
        if (readStreamEvent(this.#llm, m.event, m.data)) this.#sawTerminal = true;
    } else if (this.#jsonSize < 4 * 1024 * 1024) {
      // Keep bytes as bytes: a multi-byte character may be split across HTTP chunks.
      this.#jsonChunks.push(chunk);
      this.#jsonSize += bytes;
    }
  }

  /** The answer ended: read a JSON body. */
  end(): void {
    if (this.#sse) return;
    if (this.#value !== undefined) {
      readJsonValue(this.#llm, this.#value);
      return;
    }
    const chunks = this.#jsonChunks;
    const text = chunks.every((c) => typeof c === 'string')
      ? chunks.join('')
      : Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString(
          'utf8',
        );
    readJsonBody(this.#llm, text);
  }
}

// --- Internal helpers ---

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
