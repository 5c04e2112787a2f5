/**
 * The Azure OpenAI emulator's request-to-response function, called directly (no HTTP), and
 * the SSE parser the gateway reads streams with.
 */
import { countTokens } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import {
  completionFor,
  createAoaiEmulator,
  type AoaiRequest,
  type AoaiResponse,
} from '../../lib/local/aoai-emulator.js';
import { formatSse, SseParser } from '../../lib/local/sse.js';

const deployments = [
  {
    deploymentName: 'gpt-4o-mini',
    modelName: 'gpt-4o-mini',
    modelVersion: '2024-07-18',
    capacityKTpm: 10,
  },
];

function req(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'api-key': 'k' },
): AoaiRequest {
  return {
    method: 'POST',
    url,
    headers,
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}
const CHAT = '/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21';
const RESP = '/openai/responses?api-version=2025-03-01-preview';

function events(r: AoaiResponse): { event: string | undefined; data: string }[] {
  if (r.kind !== 'stream') throw new Error('not a stream');
  const p = new SseParser();
  return r.events.flatMap((e) => p.push(Buffer.from(e)));
}

describe('Azure OpenAI emulator', () => {
  it('counts prompt tokens with the tokenizer and returns a deterministic completion', () => {
    const aoai = createAoaiEmulator({ deployments });
    const messages = [{ role: 'user', content: 'How much did HR spend on tokens?' }];
    const a = aoai.handle(req(CHAT, { messages }));
    const b = aoai.handle(req(CHAT, { messages }));
    expect(a.status).toBe(200);
    const body = JSON.parse(a.kind === 'json' ? a.body : '{}');
    // 3 per message + role + content, plus 3 priming the reply.
    expect(body.usage.prompt_tokens).toBe(
      3 + countTokens('user') + countTokens('How much did HR spend on tokens?') + 3,
    );
    expect(body.usage.completion_tokens).toBe(countTokens(body.choices[0].message.content));
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(body.model).toBe('gpt-4o-mini-2024-07-18');
    expect(JSON.parse(b.kind === 'json' ? b.body : '{}').choices[0].message.content).toBe(
      body.choices[0].message.content,
    );
    const cut = completionFor('x', 'gpt-4o-mini', 3);
    expect(cut).toMatchObject({ tokens: 3, truncated: true });
  });

  it('streams chat as Azure does, with the usage chunk only when include_usage is set', () => {
    const aoai = createAoaiEmulator({ deployments });
    const messages = [{ role: 'user', content: 'hi' }];
    const without = events(aoai.handle(req(CHAT, { messages, stream: true })));
    expect(without.at(-1)?.data).toBe('[DONE]');
    const first = JSON.parse(without[0]?.data ?? '{}');
    expect(first).toMatchObject({ id: '', choices: [], model: '', object: '' });
    expect(first.prompt_filter_results).toHaveLength(1);
    const chunks = without.slice(1, -1).map((e) => JSON.parse(e.data));
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');

    const withUsage = events(
      aoai.handle(req(CHAT, { messages, stream: true, stream_options: { include_usage: true } })),
    );
    const parsed = withUsage.slice(1, -1).map((e) => JSON.parse(e.data));
    const usageChunks = parsed.filter((c) => c.usage !== null);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0].choices).toEqual([]);
    expect(parsed.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    const text = parsed.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(usageChunks[0].usage.completion_tokens).toBe(countTokens(text));
  });

  it('serves Responses, stored or not, streaming with usage in response.completed', () => {
    const aoai = createAoaiEmulator({ deployments });
    const plain = aoai.handle(
      req(RESP, { model: 'gpt-4o-mini', input: 'hello', store: false, max_output_tokens: 16 }),
    );
    const body = JSON.parse(plain.kind === 'json' ? plain.body : '{}');
    expect(body).toMatchObject({
      object: 'response',
      model: 'gpt-4o-mini-2024-07-18',
      store: false,
      max_output_tokens: 16,
    });
    expect(body.usage.output_tokens).toBeLessThanOrEqual(16);
    const evs = events(
      aoai.handle(req(RESP, { model: 'gpt-4o-mini', input: 'hello', stream: true })),
    );
    expect(evs.map((e) => e.event).slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(evs.at(-1)?.event).toBe('response.completed');
    const seq = evs.map((e) => JSON.parse(e.data).sequence_number as number);
    expect(seq).toEqual(seq.map((_, i) => i));
    expect(JSON.parse(evs.at(-1)?.data ?? '{}').response.usage.total_tokens).toBeGreaterThan(0);
    expect(evs.some((e) => e.data === '[DONE]')).toBe(false);
  });

  it('answers bad requests as Azure words them', () => {
    const aoai = createAoaiEmulator({ deployments });
    const status = (r: AoaiRequest) => {
      const res = aoai.handle(r);
      return [res.status, res.kind === 'json' ? JSON.parse(res.body).error.code : undefined];
    };
    expect(
      status(
        req('/openai/deployments/nope/chat/completions?api-version=2024-10-21', {
          messages: [{ role: 'user', content: 'x' }],
        }),
      ),
    ).toEqual([404, 'DeploymentNotFound']);
    expect(status(req(RESP, { model: 'nope', input: 'x' }))).toEqual([404, 'DeploymentNotFound']);
    expect(
      status(req('/openai/deployments/gpt-4o-mini/chat/completions', { messages: [] })),
    ).toEqual([404, '404']);
    expect(
      status(
        req('/openai/deployments/gpt-4o-mini/chat/completions?api-version=2023-05-15', {
          messages: [],
        }),
      ),
    ).toEqual([400, 'BadRequest']);
    expect(status(req(CHAT, '{oops'))).toEqual([400, null]);
    expect(status(req(CHAT, { messages: [] }))).toEqual([400, null]);
    expect(status(req(RESP, { model: 'gpt-4o-mini' }))).toEqual([
      400,
      'missing_required_parameter',
    ]);
    expect(status(req(RESP, { model: 'gpt-4o-mini', input: 'x', max_output_tokens: 2 }))).toEqual([
      400,
      'integer_below_min_value',
    ]);
    expect(status(req(CHAT, { messages: [{ role: 'user', content: 'x' }] }, {}))).toEqual([
      401,
      '401',
    ]);
    expect(status(req('/openai/other', {}))).toEqual([404, '404']);
  });

  it('injects faults from a seed, repeatably', () => {
    const run = () => {
      const aoai = createAoaiEmulator({
        deployments,
        faults: { throttleShare: 0.3, serverErrorShare: 0.2, seed: 42 },
      });
      return Array.from(
        { length: 200 },
        () => aoai.handle(req(CHAT, { messages: [{ role: 'user', content: 'x' }] })).status,
      );
    };
    const a = run();
    expect(run()).toEqual(a);
    const share = (s: number) => a.filter((x) => x === s).length / a.length;
    expect(share(429)).toBeGreaterThan(0.2);
    expect(share(429)).toBeLessThan(0.4);
    expect(share(500)).toBeGreaterThan(0.1);
    expect(share(500)).toBeLessThan(0.3);
    const aoai = createAoaiEmulator({ deployments, faults: { throttleShare: 1 } });
    const r = aoai.handle(req(CHAT, { messages: [{ role: 'user', content: 'x' }] }));
    expect(r.headers['retry-after']).toBe('1');
    aoai.setFaults({ disconnectShare: 1 });
    const s = aoai.handle(req(CHAT, { messages: [{ role: 'user', content: 'x' }], stream: true }));
    expect(s.kind === 'stream' && s.disconnectAfter).toBeGreaterThan(0);
  });
});

describe('SSE parser', () => {
  it('reassembles messages split mid-line, mid-CRLF and mid-character', () => {
    const text =
      formatSse('{"a":"héllo €"}', 'response.created').replace(/\n/g, '\r\n') + formatSse('[DONE]');
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const p = new SseParser();
      const out = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
      expect(out, `cut at ${cut}`).toEqual([
        { event: 'response.created', data: '{"a":"héllo €"}' },
        { event: undefined, data: '[DONE]' },
      ]);
    }
  });
});
