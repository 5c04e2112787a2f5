/**
 * The Chat Completions answer of the emulator, JSON or SSE, shaped as Azure sends it: content
 * filter results, a first chunk with only the prompt filter results, and the usage chunk only
 * when `stream_options.include_usage` is set.
 */
import { randomBytes } from 'node:crypto';
import type { ModelDeployment } from '../target.js';
import type { BuiltAnswer } from './aoai-wire.js';
import { sseResponse } from './aoai-wire.js';
import { modelTurn, splitText, type PromptMessage } from './aoai-completion.js';
import { formatSse } from './sse.js';

/**
 * Builds the answer to a validated Chat Completions body.
 * @example const answer = chatCompletion({ messages: [{ role: 'user', content: 'hi' }] }, deployment, false);
 */
export function chatCompletion(
  body: Record<string, unknown>,
  d: ModelDeployment,
  stream: boolean,
): BuiltAnswer {
  const max = (body.max_completion_tokens ?? body.max_tokens ?? undefined) as number | undefined;
  const { promptTokens, completion, model } = modelTurn(body.messages as PromptMessage[], d, max);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completion.tokens,
    total_tokens: promptTokens + completion.tokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  const id = `chatcmpl-${randomBytes(12).toString('base64url')}`;
  const created = Math.floor(Date.now() / 1000);
  const finish = completion.truncated ? 'length' : 'stop';
  const promptFilter = [{ prompt_index: 0, content_filter_results: FILTER_OK }];
  const served = { promptTokens, completionTokens: completion.tokens };
  if (!stream) {
    return {
      served,
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
  const chunk = (choice: Record<string, unknown>): string =>
    formatSse(
      JSON.stringify({
        ...base,
        choices: [{ index: 0, ...choice }],
        ...(includeUsage ? { usage: null } : {}),
      }),
    );
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
    chunk({
      delta: { role: 'assistant', content: '', refusal: null },
      finish_reason: null,
      logprobs: null,
    }),
  ];
  for (const piece of splitText(completion.text)) {
    events.push(
      chunk({
        delta: { content: piece },
        finish_reason: null,
        logprobs: null,
        content_filter_results: FILTER_OK,
      }),
    );
  }
  events.push(chunk({ delta: {}, finish_reason: finish, logprobs: null }));
  if (includeUsage) events.push(formatSse(JSON.stringify({ ...base, choices: [], usage })));
  events.push(formatSse('[DONE]'));
  return { ...sseResponse(events), served };
}

// --- Internal helpers ---

const FILTER_OK = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};
