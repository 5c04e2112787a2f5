/**
 * Cell D1: Azure OpenAI traffic per model x BU through the gateway's AOAI API, in the six modes
 * of SPEC section 6, with the official `openai` package's `AzureOpenAI` client: the BU's key as
 * `api-key`, a caller's unsigned JWT (round robin) as `Authorization`, `maxRetries: 0` so the
 * kit's own retry loop sees every attempt, streams read to the end, usage recorded per request.
 */
import { AzureOpenAI, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { requestsFor, type KitConfig } from '../config/load-config.js';
import { KitError } from '../errors.js';
import type { TokenUsage } from '../ledger/ledger.js';
import type { CostingTarget, Deployment, ModelDeployment } from '../target.js';
import { gatewayRequestId } from './http.js';
import { countsPerBu, resolveBuTargets, type BuTarget } from './plan.js';
import {
  errorCode,
  parseRetryAfter,
  type AttemptContext,
  type AttemptResult,
  type PlannedRequest,
} from './runner.js';
import {
  recordSkipped,
  runTrafficSession,
  type TrafficOptions,
  type TrafficSummary,
} from './session.js';
import { createUnsignedJwt } from './unsigned-jwt.js';

/** An AI request mode: which surface, streamed or not, and the flags the client sends. */
export interface AiMode {
  mode: number;
  surface: 'chat' | 'responses';
  stream: boolean;
  /** Chat streams: send `stream_options.include_usage = true` (mode 1) or omit it (mode 2). */
  includeUsage?: boolean;
  /** Responses: `store` sent explicitly (mode 5 sends `false`); absent = the service default (true). */
  store?: boolean;
  label: string;
}

/** The six modes of SPEC section 6; the j-th request of a BU for a model uses mode j % 6. */
export const AI_MODES: readonly AiMode[] = Object.freeze([
  { mode: 0, surface: 'chat', stream: false, label: 'chat' },
  {
    mode: 1,
    surface: 'chat',
    stream: true,
    includeUsage: true,
    label: 'chat stream (client usage)',
  },
  {
    mode: 2,
    surface: 'chat',
    stream: true,
    includeUsage: false,
    label: 'chat stream (injected usage)',
  },
  { mode: 3, surface: 'responses', stream: false, label: 'responses (stored)' },
  { mode: 4, surface: 'responses', stream: true, label: 'responses stream' },
  { mode: 5, surface: 'responses', stream: false, store: false, label: 'responses (store: false)' },
] satisfies AiMode[]);

/** api-version per surface (SPEC section 6). */
export const AI_API_VERSIONS = { chat: '2024-10-21', responses: '2025-03-01-preview' } as const;

/** Completion budget of every AI request (`max_completion_tokens` / `max_output_tokens`). */
export const AI_MAX_OUTPUT_TOKENS = 64;

const PROMPTS = [
  'Summarize in one sentence why shared API gateways need cost showback.',
  'List three signals that show which team drives API traffic.',
  'Explain prompt tokens versus completion tokens to a finance analyst.',
  'Give a short tip for keeping Azure OpenAI costs predictable.',
  'What is a business unit subscription key used for in API Management?',
  'Describe streaming responses in two short sentences.',
  'Name two ways to attribute token usage to a calling application.',
];

/** Options of {@link sendAiTraffic}. */
export interface AiTrafficOptions extends TrafficOptions {
  /** Requests per BU for every model instead of max(1, floor(requestsPerBu x weight)) (only these BUs). */
  requestsPerBu?: Record<string, number>;
  /** Only these models (deployment or model names). @default every configured model */
  models?: string[];
}

interface AiRequest extends PlannedRequest {
  model: string;
  mode: number;
  caller: string;
  spec: AiMode;
  target: BuTarget;
  prompt: string;
}

function findDeployment(deployment: Deployment, name: string): ModelDeployment | undefined {
  return deployment.aoai?.deployments.find(
    (d) => d.deploymentName === name || d.modelName === name,
  );
}

/** Builds D1's plan: per model x BU, max(1, floor(requestsPerBu x weight)) requests, mode j % 6, callers in turn. */
export function planAiTraffic(
  config: KitConfig,
  target: CostingTarget,
  options: AiTrafficOptions = {},
): AiRequest[] {
  const deployment = target.requireDeployment();
  const buTargets = resolveBuTargets(config, deployment);
  const models = options.models ?? config.models.map((m) => m.name);
  const plan: AiRequest[] = [];
  let callerTurn = 0;
  for (const name of models) {
    const spec = config.models.find((m) => m.name === name);
    const deployed = findDeployment(deployment, name);
    if (!spec || !deployed) {
      const known = deployment.aoai?.deployments.map((d) => d.deploymentName).join(', ') || 'none';
      throw new KitError(
        `Model '${name}' is not deployed behind the AOAI gateway (deployed: ${known}): add it to models in cell A1 and rerun A2.`,
      );
    }
    const counts = options.requestsPerBu
      ? countsPerBu(buTargets, spec.requestsPerBu, options.requestsPerBu, 'requestsPerBu')
      : new Map(buTargets.map((t) => [t.bu.name, requestsFor(spec.requestsPerBu, t.bu.weight)]));
    for (const t of buTargets) {
      const n = counts.get(t.bu.name);
      if (n === undefined) continue;
      for (let j = 0; j < n; j += 1) {
        const mode = AI_MODES[j % AI_MODES.length] as AiMode;
        const caller = config.callers[callerTurn % config.callers.length];
        callerTurn += 1;
        if (!caller)
          throw new KitError('No simulated caller is configured: add one to callers in cell A1.');
        plan.push({
          index: plan.length,
          bu: t.bu.name,
          caller: caller.appId,
          model: deployed.deploymentName,
          mode: mode.mode,
          kind: 'ok',
          spec: mode,
          target: t,
          prompt: PROMPTS[plan.length % PROMPTS.length] as string,
        });
      }
    }
  }
  return plan;
}

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

function chatUsage(
  u: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null | undefined,
): TokenUsage | undefined {
  return u
    ? {
        promptTokens: u.prompt_tokens,
        completionTokens: u.completion_tokens,
        totalTokens: u.total_tokens,
      }
    : undefined;
}

function responsesUsage(
  u: { input_tokens: number; output_tokens: number; total_tokens: number } | null | undefined,
): TokenUsage | undefined {
  return u
    ? {
        promptTokens: u.input_tokens,
        completionTokens: u.output_tokens,
        totalTokens: u.total_tokens,
      }
    : undefined;
}

/** One attempt of one AI request with a client made for its BU, caller and surface. */
async function sendAiAttempt(
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
        return done(chatUsage(data.usage));
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
      let usage: TokenUsage | undefined;
      let finished = false;
      try {
        for await (const chunk of stream) {
          // Azure also sends annotation chunks with empty choices: usage is known by a non-null `usage`.
          if (chunk.usage) usage = chatUsage(chunk.usage);
          if (chunk.choices.some((c) => c.finish_reason !== null && c.finish_reason !== undefined))
            finished = true;
        }
      } catch (err) {
        return broken(err);
      }
      return finished ? done(usage) : broken(undefined, 'stream-incomplete');
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
      return done(responsesUsage(data.usage));
    }
    const { data: stream, response } = await client.responses
      .create(
        { model: p.model, input: p.prompt, max_output_tokens: AI_MAX_OUTPUT_TOKENS, stream: true },
        requestOptions,
      )
      .withResponse();
    head(response);
    let usage: TokenUsage | undefined;
    let finished = false;
    try {
      for await (const event of stream) {
        if (event.type === 'response.completed' || event.type === 'response.incomplete') {
          usage = responsesUsage(event.response.usage);
          finished = true;
        }
      }
    } catch (err) {
      return broken(err);
    }
    return finished ? done(usage) : broken(undefined, 'stream-incomplete');
  } catch (err) {
    return fromError(err);
  }
}

/**
 * Cell D1: sends the six-mode AOAI traffic and records it in the ledger (source `ai`). Skipped,
 * saying why, when AI traffic is off or no model is deployed (then D2 sends mock traffic).
 * @param target - a deployed target (cell A2).
 * @param config - the kit configuration.
 * @param options - overrides, concurrency, cancellation.
 * @returns planned vs delivered per BU; tokens per BU x model x mode are in the ledger.
 * @example const d1 = await sendAiTraffic(target, config);
 */
export async function sendAiTraffic(
  target: CostingTarget,
  config: KitConfig,
  options: AiTrafficOptions = {},
): Promise<TrafficSummary> {
  const deployment = target.requireDeployment();
  const api = deployment.apis.aoai;
  if (!config.traffic.runAiRequests) {
    return recordSkipped(
      config,
      deployment,
      'ai',
      'D1',
      api.apiId,
      'traffic.runAiRequests is false; set it to true in cell A1 to send AI traffic.',
      options,
    );
  }
  if (!deployment.aoai || deployment.aoai.deployments.length === 0) {
    return recordSkipped(
      config,
      deployment,
      'ai',
      'D1',
      api.apiId,
      'no model is deployed behind the AOAI gateway (features.enableFoundry is off): cell D2 sends mock AI traffic instead.',
      options,
    );
  }
  const plan = planAiTraffic(config, target, options);
  const clients = new Map<string, AzureOpenAI>();
  const clientFor = (p: AiRequest): AzureOpenAI => {
    const key = `${p.bu}|${p.caller}|${p.spec.surface}`;
    let client = clients.get(key);
    if (!client) {
      client = new AzureOpenAI({
        baseURL: api.url,
        apiKey: p.target.subscription.primaryKey,
        apiVersion: AI_API_VERSIONS[p.spec.surface],
        maxRetries: 0,
        defaultHeaders: {
          Authorization: `Bearer ${createUnsignedJwt(p.caller, config.azure.tenantId ? { tenantId: config.azure.tenantId } : {})}`,
        },
      });
      clients.set(key, client);
    }
    return client;
  };
  return runTrafficSession({
    config,
    deployment,
    source: 'ai',
    cell: 'D1',
    label: 'D1 AOAI traffic',
    apiId: api.apiId,
    url: api.url,
    plan,
    send: (p, ctx) => sendAiAttempt(clientFor(p), p, ctx),
    options,
  });
}
