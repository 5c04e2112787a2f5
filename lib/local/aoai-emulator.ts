/**
 * Azure OpenAI emulator: Chat Completions (api-version 2024-10-21 and later) and Responses
 * (2025-03-01-preview and later), JSON and SSE streaming, usage counted by a real tokenizer
 * (o200k_base) over the prompt and a deterministic completion, and seeded fault injection.
 * `createAoaiEmulator().handle()` maps a request to a response with no I/O; the HTTP server
 * in `startAoaiServer` only reads bodies and writes what `handle` returns.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens, decode, encode } from 'gpt-tokenizer';
import type { ModelDeployment } from '../target.js';
import { formatSse } from './sse.js';

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
}

/** The lowest api-versions the emulator serves per surface. */
export const MIN_API_VERSION = { chat: '2024-10-21', responses: '2025-03-01-preview' } as const;

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

  return {
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
        return _handle(request);
      } catch {
        // A bug must not take the emulator down: answer as Azure does for internal errors.
        return json(
          500,
          azureError(
            'InternalServerError',
            'The server had an error while processing your request. Sorry about that!',
          ),
          region,
          0,
        );
      }
    },
  };

  function _handle(request: AoaiRequest): AoaiResponse {
    const delayMs = Math.max(0, faults.addedLatencyMs ?? 0);
    const url = new URL(request.url, 'http://emulator.local');
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const route = matchAoaiPath(segments, request.method);
    const parsedBody = parseJson(request.body);
    remember(url.pathname, request.headers, parsedBody);
    if (!route)
      return json(404, { error: { code: '404', message: 'Resource not found' } }, region, delayMs);
    if (
      !headerValue(request.headers, 'api-key') &&
      !headerValue(request.headers, 'authorization')
    ) {
      return json(
        401,
        {
          error: {
            code: '401',
            message:
              'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
          },
        },
        region,
        delayMs,
      );
    }
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion)
      return json(404, { error: { code: '404', message: 'Resource not found' } }, region, delayMs);
    if (
      !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion) ||
      apiVersion < MIN_API_VERSION[route.surface]
    ) {
      return json(
        400,
        { error: { code: 'BadRequest', message: 'API version not supported' } },
        region,
        delayMs,
      );
    }
    if (
      parsedBody === PARSE_FAILED ||
      parsedBody === null ||
      typeof parsedBody !== 'object' ||
      Array.isArray(parsedBody)
    ) {
      return json(
        400,
        invalidRequest(
          'We could not parse the JSON body of your request. The API expects a JSON object as the body; check that the body is valid JSON and that Content-Type is application/json.',
          null,
        ),
        region,
        delayMs,
      );
    }
    const body = parsedBody as Record<string, unknown>;
    const deploymentName = route.surface === 'chat' ? route.deployment : body.model;
    if (
      route.surface === 'responses' &&
      (typeof deploymentName !== 'string' || deploymentName === '')
    ) {
      return json(
        400,
        invalidRequest(
          "Missing required parameter: 'model'.",
          'model',
          'missing_required_parameter',
        ),
        region,
        delayMs,
      );
    }
    const deployment = deployments.get(String(deploymentName).toLowerCase());
    if (!deployment) {
      return json(
        404,
        azureError(
          'DeploymentNotFound',
          'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        ),
        region,
        delayMs,
      );
    }
    const problem = route.surface === 'chat' ? validateChat(body) : validateResponses(body);
    if (problem) return json(400, problem, region, delayMs);

    // Fault dice come after validation: a malformed request is never "throttled".
    const roll = dice();
    const throttle = faults.throttleShare ?? 0;
    if (roll < throttle) {
      const op = route.surface === 'chat' ? 'ChatCompletions_Create' : 'Responses_Create';
      const r = json(
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
    if (roll < throttle + (faults.serverErrorShare ?? 0)) {
      return json(
        500,
        azureError(
          'InternalServerError',
          'The server had an error while processing your request. Sorry about that!',
        ),
        region,
        delayMs,
      );
    }
    const stream = body.stream === true;
    const cut = stream && dice() < (faults.disconnectShare ?? 0);
    const result =
      route.surface === 'chat'
        ? chat(body, deployment, stream)
        : responses(body, deployment, stream);
    if (result.kind === 'stream') {
      result.delayMs = delayMs;
      if (cut) result.disconnectAfter = Math.max(1, Math.floor(result.events.length / 2));
      Object.assign(result.headers, baseHeaders(region));
      return result;
    }
    return json(200, result.body, region, delayMs);
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

/** A running emulator server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves an emulator over HTTP on 127.0.0.1 (port 0 = ephemeral).
 * @example const server = await startAoaiServer(aoai, { port: 0 }); // server.url + '/openai'
 */
export async function startAoaiServer(
  emulator: AoaiEmulator,
  options: { port?: number; maxBodyBytes?: number } = {},
): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const server = createServer((req, res) => {
    void serve(emulator, req, res, maxBody).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  return listen(server, options.port ?? 0);
}

/** Listens on 127.0.0.1 and returns the URL and an idempotent close. */
export async function listen(server: Server, port: number): Promise<RunningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Where an emulator response is written: an HTTP response, or the gateway's in-process pipe. */
export interface AoaiResponseSink {
  head(status: number, headers: Record<string, string | number>): void;
  write(chunk: string): void;
  end(): void;
  /** Drops the connection (the mid-stream disconnect fault). */
  cut(): void;
  /** Whether the receiver went away. */
  closed(): boolean;
}

/**
 * Writes a response as the emulator's server does: after the injected latency, a JSON body in
 * one piece, or SSE events one at a time (yielding between them, as a model's tokens arrive),
 * cut off at `disconnectAfter`.
 * @returns `'cut'` when the stream was cut, else `'complete'` (or `'closed'` if the receiver left).
 */
export async function deliverAoaiResponse(
  response: AoaiResponse,
  sink: AoaiResponseSink,
): Promise<'complete' | 'cut' | 'closed'> {
  if (response.delayMs > 0) await new Promise((r) => setTimeout(r, response.delayMs));
  if (sink.closed()) return 'closed';
  if (response.kind === 'json') {
    sink.head(response.status, {
      ...response.headers,
      'content-length': Buffer.byteLength(response.body),
    });
    sink.write(response.body);
    sink.end();
    return 'complete';
  }
  sink.head(response.status, response.headers);
  for (let i = 0; i < response.events.length; i++) {
    if (response.disconnectAfter !== undefined && i >= response.disconnectAfter) {
      sink.cut();
      return 'cut';
    }
    if (sink.closed()) return 'closed';
    sink.write(response.events[i] as string);
    await new Promise((r) => setImmediate(r));
  }
  sink.end();
  return 'complete';
}

// --- Internal helpers ---

const PARSE_FAILED = Symbol('parse-failed');

async function serve(
  emulator: AoaiEmulator,
  req: IncomingMessage,
  res: ServerResponse,
  maxBody: number,
): Promise<void> {
  req.on('error', () => res.destroy());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(azureError('413', 'The request body is too large.')));
      req.destroy();
      return;
    }
    chunks.push(chunk);
  }
  const response = emulator.handle({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    body: Buffer.concat(chunks),
  });
  await deliverAoaiResponse(response, {
    head: (status, headers) => res.writeHead(status, headers),
    write: (chunk) => {
      res.write(chunk);
    },
    end: () => res.end(),
    cut: () => res.destroy(),
    closed: () => res.destroyed,
  });
}

type Route = { surface: 'chat'; deployment: string } | { surface: 'responses' };

function matchAoaiPath(segments: string[], method: string): Route | undefined {
  if (method.toUpperCase() !== 'POST' || segments[0] !== 'openai') return undefined;
  if (
    segments.length === 5 &&
    segments[1] === 'deployments' &&
    segments[3] === 'chat' &&
    segments[4] === 'completions'
  ) {
    try {
      return { surface: 'chat', deployment: decodeURIComponent(segments[2] as string) };
    } catch {
      return undefined;
    }
  }
  if (segments.length === 2 && segments[1] === 'responses') return { surface: 'responses' };
  return undefined;
}

function parseJson(body: Uint8Array): unknown {
  if (body.length === 0) return PARSE_FAILED;
  try {
    return JSON.parse(
      Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
    ) as unknown;
  } catch {
    return PARSE_FAILED;
  }
}

function headerValue(headers: AoaiRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function baseHeaders(region: string): Record<string, string> {
  return {
    'apim-request-id': randomUUID(),
    'x-ms-region': region,
    'x-ratelimit-remaining-requests': '999',
    'x-ratelimit-remaining-tokens': '99000',
  };
}

function json(
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

function azureError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function invalidRequest(
  message: string,
  param: string | null,
  code: string | null = null,
): unknown {
  return { error: { message, type: 'invalid_request_error', param, code } };
}

function validateChat(body: Record<string, unknown>): unknown {
  const messages = body.messages;
  if (messages === undefined)
    return invalidRequest("'messages' is a required property", 'messages');
  if (!Array.isArray(messages))
    return invalidRequest(
      `Invalid type for 'messages': expected an array, but got ${typeName(messages)} instead.`,
      'messages',
      'invalid_type',
    );
  if (messages.length === 0) return invalidRequest("[] is too short - 'messages'", 'messages');
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as unknown;
    if (
      m === null ||
      typeof m !== 'object' ||
      typeof (m as Record<string, unknown>).role !== 'string'
    ) {
      return invalidRequest(
        `Invalid value for 'messages[${i}]': each message needs a string 'role'.`,
        `messages[${i}]`,
        'invalid_value',
      );
    }
    const content = (m as Record<string, unknown>).content;
    if (
      content !== undefined &&
      content !== null &&
      typeof content !== 'string' &&
      !Array.isArray(content)
    ) {
      return invalidRequest(
        `Invalid type for 'messages[${i}].content': expected a string or an array of content parts.`,
        `messages[${i}].content`,
        'invalid_type',
      );
    }
  }
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const v = body[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || (v as number) < 1)) {
      return invalidRequest(
        `Invalid '${field}': expected an integer of 1 or more.`,
        field,
        'invalid_value',
      );
    }
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return invalidRequest(
      `Invalid type for 'stream': expected a boolean, but got ${typeName(body.stream)} instead.`,
      'stream',
      'invalid_type',
    );
  }
  return undefined;
}

function validateResponses(body: Record<string, unknown>): unknown {
  const input = body.input;
  if (input === undefined || input === null)
    return invalidRequest(
      "Missing required parameter: 'input'.",
      'input',
      'missing_required_parameter',
    );
  if (typeof input !== 'string' && !Array.isArray(input))
    return invalidRequest(
      `Invalid type for 'input': expected a string or an array, but got ${typeName(input)} instead.`,
      'input',
      'invalid_type',
    );
  const max = body.max_output_tokens;
  if (max !== undefined && max !== null && (!Number.isInteger(max) || (max as number) < 16)) {
    return invalidRequest(
      `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${JSON.stringify(max)} instead.`,
      'max_output_tokens',
      'integer_below_min_value',
    );
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    return invalidRequest(
      `Invalid type for 'stream': expected a boolean, but got ${typeName(body.stream)} instead.`,
      'stream',
      'invalid_type',
    );
  }
  return undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Text of a message content: a string, or the text of its parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) =>
      p && typeof p === 'object' && typeof (p as Record<string, unknown>).text === 'string'
        ? ((p as Record<string, unknown>).text as string)
        : '',
    )
    .join('');
}

/** Prompt tokens of chat messages: content and role tokens plus the chat format's 3 per message and 3 for the reply. */
function countMessages(messages: readonly { role: string; content: unknown }[]): {
  tokens: number;
  text: string;
} {
  let tokens = 3;
  let text = '';
  for (const m of messages) {
    const t = contentText(m.content);
    tokens += 3 + countTokens(m.role) + countTokens(t);
    text += t + '\n';
  }
  return { tokens, text };
}

const WORDS = [
  'gateway',
  'tokens',
  'showback',
  'allocation',
  'business',
  'unit',
  'request',
  'latency',
  'budget',
  'model',
  'deployment',
  'usage',
  'streaming',
  'policy',
  'metric',
  'caller',
  'workbook',
  'estimate',
  'capacity',
  'trace',
];

/** A deterministic completion for a prompt, cut to `maxTokens`. */
export function completionFor(
  prompt: string,
  modelName: string,
  maxTokens: number | undefined,
): { text: string; tokens: number; truncated: boolean } {
  let h = 2166136261;
  for (let i = 0; i < prompt.length; i++) h = Math.imul(h ^ prompt.charCodeAt(i), 16777619);
  const next = mulberry32(h >>> 0);
  const wordCount = 8 + Math.floor(next() * 24);
  const words: string[] = [];
  for (let i = 0; i < wordCount; i++)
    words.push(WORDS[Math.floor(next() * WORDS.length)] as string);
  const full = `Emulated ${modelName} reply: ${words.join(' ')}.`;
  const ids = encode(full);
  if (maxTokens !== undefined && ids.length > maxTokens) {
    return { text: decode(ids.slice(0, maxTokens)), tokens: maxTokens, truncated: true };
  }
  return { text: full, tokens: ids.length, truncated: false };
}

function datedModel(d: ModelDeployment): string {
  return `${d.modelName}-${d.modelVersion}`;
}

const FILTER_OK = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};

function chat(
  body: Record<string, unknown>,
  d: ModelDeployment,
  stream: boolean,
): { kind: 'json'; body: unknown } | (AoaiResponse & { kind: 'stream' }) {
  const messages = body.messages as { role: string; content: unknown }[];
  const prompt = countMessages(messages);
  const max = (body.max_completion_tokens ?? body.max_tokens ?? undefined) as number | undefined;
  const completion = completionFor(prompt.text, d.modelName, max ?? undefined);
  const usage = {
    prompt_tokens: prompt.tokens,
    completion_tokens: completion.tokens,
    total_tokens: prompt.tokens + completion.tokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  const id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
  const created = Math.floor(Date.now() / 1000);
  const model = datedModel(d);
  const finish = completion.truncated ? 'length' : 'stop';
  const promptFilter = [{ prompt_index: 0, content_filter_results: FILTER_OK }];
  if (!stream) {
    return {
      kind: 'json',
      body: {
        id,
        object: 'chat.completion',
        created,
        model,
        system_fingerprint: 'fp_emulated',
        prompt_filter_results: promptFilter,
        choices: [
          {
            index: 0,
            finish_reason: finish,
            logprobs: null,
            message: { role: 'assistant', content: completion.text, refusal: null },
            content_filter_results: FILTER_OK,
          },
        ],
        usage,
      },
    };
  }
  const options = body.stream_options as Record<string, unknown> | null | undefined;
  const includeUsage =
    options !== null && typeof options === 'object' && options.include_usage === true;
  const base = {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_emulated',
  };
  const withUsage = (chunk: Record<string, unknown>): string =>
    formatSse(JSON.stringify(includeUsage ? { ...chunk, usage: null } : chunk));
  // Azure's first chunk carries only the prompt filter results, with empty id, model and choices.
  const events = [
    formatSse(
      JSON.stringify({
        choices: [],
        created: 0,
        id: '',
        model: '',
        object: '',
        prompt_filter_results: promptFilter,
      }),
    ),
  ];
  events.push(
    withUsage({
      ...base,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          finish_reason: null,
          logprobs: null,
        },
      ],
    }),
  );
  for (const piece of splitText(completion.text)) {
    events.push(
      withUsage({
        ...base,
        choices: [
          {
            index: 0,
            delta: { content: piece },
            finish_reason: null,
            logprobs: null,
            content_filter_results: FILTER_OK,
          },
        ],
      }),
    );
  }
  events.push(
    withUsage({
      ...base,
      choices: [{ index: 0, delta: {}, finish_reason: finish, logprobs: null }],
    }),
  );
  if (includeUsage) events.push(formatSse(JSON.stringify({ ...base, choices: [], usage })));
  events.push(formatSse('[DONE]'));
  return {
    kind: 'stream',
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    events,
    disconnectAfter: undefined,
    delayMs: 0,
  };
}

function responses(
  body: Record<string, unknown>,
  d: ModelDeployment,
  stream: boolean,
): { kind: 'json'; body: unknown } | (AoaiResponse & { kind: 'stream' }) {
  const messages: { role: string; content: unknown }[] = [];
  if (typeof body.instructions === 'string')
    messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') messages.push({ role: 'user', content: body.input });
  else {
    for (const item of body.input as unknown[]) {
      if (item && typeof item === 'object') {
        const it = item as Record<string, unknown>;
        messages.push({
          role: typeof it.role === 'string' ? it.role : 'user',
          content: it.content ?? it.output ?? '',
        });
      } else if (typeof item === 'string') messages.push({ role: 'user', content: item });
    }
  }
  const prompt = countMessages(messages);
  const max = (body.max_output_tokens ?? undefined) as number | undefined;
  const completion = completionFor(prompt.text, d.modelName, max);
  const usage = {
    input_tokens: prompt.tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: completion.tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: prompt.tokens + completion.tokens,
  };
  const id = `resp_${randomBytes(24).toString('hex')}`;
  const msgId = `msg_${randomBytes(24).toString('hex')}`;
  const createdAt = Math.floor(Date.now() / 1000);
  const part = { type: 'output_text', text: completion.text, annotations: [] as unknown[] };
  const item = {
    id: msgId,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [part],
  };
  const response = (
    status: string,
    output: unknown[],
    withUsage: boolean,
  ): Record<string, unknown> => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: max ?? null,
    model: datedModel(d),
    output,
    parallel_tool_calls: true,
    previous_response_id:
      typeof body.previous_response_id === 'string' ? body.previous_response_id : null,
    reasoning: { effort: null, summary: null },
    store: body.store !== false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: withUsage ? usage : null,
    user: null,
    metadata: {},
  });
  const finalStatus = completion.truncated ? 'incomplete' : 'completed';
  if (!stream) return { kind: 'json', body: response(finalStatus, [item], true) };
  let seq = 0;
  const ev = (type: string, payload: Record<string, unknown>): string =>
    formatSse(JSON.stringify({ type, sequence_number: seq++, ...payload }), type);
  const events = [
    ev('response.created', { response: response('in_progress', [], false) }),
    ev('response.in_progress', { response: response('in_progress', [], false) }),
    ev('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    }),
    ev('response.content_part.added', {
      item_id: msgId,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
  ];
  for (const piece of splitText(completion.text)) {
    events.push(
      ev('response.output_text.delta', {
        item_id: msgId,
        output_index: 0,
        content_index: 0,
        delta: piece,
        logprobs: [],
      }),
    );
  }
  events.push(
    ev('response.output_text.done', {
      item_id: msgId,
      output_index: 0,
      content_index: 0,
      text: completion.text,
      logprobs: [],
    }),
  );
  events.push(
    ev('response.content_part.done', { item_id: msgId, output_index: 0, content_index: 0, part }),
  );
  events.push(ev('response.output_item.done', { output_index: 0, item }));
  events.push(
    ev(finalStatus === 'completed' ? 'response.completed' : 'response.incomplete', {
      response: response(finalStatus, [item], true),
    }),
  );
  return {
    kind: 'stream',
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    events,
    disconnectAfter: undefined,
    delayMs: 0,
  };
}

/** Splits text into word-sized deltas (each keeps its leading space). */
function splitText(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

/** Small seeded PRNG (mulberry32): repeatable fault dice. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
