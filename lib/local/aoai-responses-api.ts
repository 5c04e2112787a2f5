/**
 * The Responses API answer of the emulator, JSON or SSE: the response object in its states
 * (in progress, completed, incomplete at `max_output_tokens`) and the typed, numbered events
 * of a stream, with usage only in the final response.
 */
import { randomBytes } from 'node:crypto';
import type { ModelDeployment } from '../target.js';
import { sseResponse, type BuiltAnswer } from './aoai-wire.js';
import { modelTurn, splitText, type PromptMessage } from './aoai-completion.js';
import { formatSse } from './sse.js';

/**
 * Builds the answer to a validated Responses body.
 * @example const answer = responsesAnswer({ model: 'gpt-4o-mini', input: 'hi' }, deployment, true);
 */
export function responsesAnswer(
  body: Record<string, unknown>,
  d: ModelDeployment,
  stream: boolean,
): BuiltAnswer {
  const max = (body.max_output_tokens ?? undefined) as number | undefined;
  const { promptTokens, completion, model } = modelTurn(promptOf(body), d, max);
  const usage = {
    input_tokens: promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: completion.tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: promptTokens + completion.tokens,
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
    model,
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
  const served = { promptTokens, completionTokens: completion.tokens };
  if (!stream) return { kind: 'json', body: response(finalStatus, [item], true), served };
  let seq = 0;
  const ev = (type: string, payload: Record<string, unknown>): string =>
    formatSse(JSON.stringify({ type, sequence_number: seq++, ...payload }), type);
  const at = { item_id: msgId, output_index: 0, content_index: 0 };
  const events = [
    ev('response.created', { response: response('in_progress', [], false) }),
    ev('response.in_progress', { response: response('in_progress', [], false) }),
    ev('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    }),
    ev('response.content_part.added', {
      ...at,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
  ];
  for (const piece of splitText(completion.text))
    events.push(ev('response.output_text.delta', { ...at, delta: piece, logprobs: [] }));
  events.push(
    ev('response.output_text.done', { ...at, text: completion.text, logprobs: [] }),
    ev('response.content_part.done', { ...at, part }),
    ev('response.output_item.done', { output_index: 0, item }),
    ev(finalStatus === 'completed' ? 'response.completed' : 'response.incomplete', {
      response: response(finalStatus, [item], true),
    }),
  );
  return { ...sseResponse(events), served };
}

// --- Internal helpers ---

/** The prompt of a Responses body: `instructions` as the system message, then `input`. */
function promptOf(body: Record<string, unknown>): PromptMessage[] {
  const messages: PromptMessage[] = [];
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
  return messages;
}
