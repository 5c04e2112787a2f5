import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig, requestsFor } from '../../lib/config/load-config.js';
import type { KitConfig, KitConfigInput } from '../../lib/config/types.js';
import { readLedger } from '../../lib/ledger/ledger.js';
import { TargetUnavailableError } from '../../lib/errors.js';
import { planAiTraffic } from '../../lib/traffic/ai.js';
import { AI_MODES } from '../../lib/traffic/ai-modes.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { aiUsageTable } from '../../lib/output/views/traffic.js';
import { readJwtClaims } from '../../lib/traffic/unsigned-jwt.js';
import {
  json,
  startTinyGateway,
  tinyTarget,
  type SeenRequest,
  type TinyGateway,
} from './tiny-gateway.js';

let dataDir: string;
let gw: TinyGateway | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ai-traffic-'));
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

function config(input: KitConfigInput = {}): KitConfig {
  return loadConfig({ ...input, local: { dataDir } }, {});
}

/** Usage the tiny backend reports: derived from the request so each request differs. */
function usageOf(req: SeenRequest): { prompt: number; completion: number } {
  return { prompt: 10 + (req.body.length % 17), completion: 5 + (req.n % 7) };
}

function sse(
  res: ServerResponse,
  events: Array<{ event?: string; data: unknown }>,
  done: boolean,
  cutAfter?: number,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-ms-request-id': 'gw-stream' });
  events.forEach((e, i) => {
    if (cutAfter !== undefined && i >= cutAfter) return;
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  });
  if (cutAfter !== undefined) {
    setTimeout(() => res.socket?.destroy(), 10);
    return;
  }
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

/** A small stand-in for gateway + AOAI backend: chat and responses, streamed or not. */
function aoaiHandler(options: { cutStreams?: Set<number>; throttle?: Set<number> } = {}) {
  return (req: SeenRequest, res: ServerResponse): void => {
    const body = JSON.parse(req.body) as Record<string, unknown>;
    if (options.throttle?.has(req.n)) {
      return json(
        res,
        429,
        { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' },
        { 'retry-after': '0' },
      );
    }
    const u = usageOf(req);
    const usage = {
      prompt_tokens: u.prompt,
      completion_tokens: u.completion,
      total_tokens: u.prompt + u.completion,
    };
    const cut = options.cutStreams?.has(req.n) ? 1 : undefined;
    if (req.path.includes('/chat/completions')) {
      const base = {
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1,
        model: String(body.model),
      };
      if (body.stream !== true) {
        return json(
          res,
          200,
          {
            ...base,
            object: 'chat.completion',
            choices: [
              { index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' },
            ],
            usage,
          },
          { 'x-ms-request-id': `gw-${req.n}` },
        );
      }
      const includeUsage =
        (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      const events = [
        { data: { ...base, id: '', choices: [], prompt_filter_results: [] } },
        {
          data: {
            ...base,
            choices: [
              { index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null },
            ],
          },
        },
        { data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } },
        ...(includeUsage ? [{ data: { ...base, choices: [], usage } }] : []),
      ];
      return sse(res, events, true, cut);
    }
    const response = {
      id: 'resp_1',
      object: 'response',
      created_at: 1,
      status: 'completed',
      model: String(body.model),
      output: [],
      usage: {
        input_tokens: u.prompt,
        output_tokens: u.completion,
        total_tokens: u.prompt + u.completion,
      },
    };
    if (body.stream !== true) return json(res, 200, response, { 'x-ms-request-id': `gw-${req.n}` });
    const events = [
      {
        event: 'response.created',
        data: {
          type: 'response.created',
          sequence_number: 0,
          response: { ...response, status: 'in_progress', usage: null },
        },
      },
      {
        event: 'response.output_text.delta',
        data: {
          type: 'response.output_text.delta',
          sequence_number: 1,
          item_id: 'm',
          output_index: 0,
          content_index: 0,
          delta: 'hi',
        },
      },
      {
        event: 'response.completed',
        data: { type: 'response.completed', sequence_number: 2, response },
      },
    ];
    return sse(res, events, false, cut);
  };
}

describe('D1 AOAI traffic', () => {
  it('plans per model x BU with mode j % 6 and one caller per BU, as the original pairs them', () => {
    const cfg = config();
    const plan = planAiTraffic(tinyTarget(cfg, 'http://127.0.0.1:9', { withModels: true }));
    const expected = cfg.models.reduce(
      (s, m) =>
        s + cfg.businessUnits.reduce((t, b) => t + requestsFor(m.requestsPerBu, b.weight), 0),
      0,
    );
    expect(plan).toHaveLength(expected);
    const engineering = plan.filter((p) => p.bu === 'bu-engineering' && p.model === 'gpt-5-mini');
    expect(engineering.map((p) => p.mode)).toEqual(Array.from({ length: 18 }, (_, j) => j % 6));
    expect(new Set(plan.map((p) => p.caller)).size).toBe(cfg.callers.length);
    // The i-th BU goes out as the i-th caller, for every model and request.
    cfg.businessUnits.forEach((b, i) => {
      const callers = new Set(plan.filter((p) => p.bu === b.name).map((p) => p.caller));
      expect([...callers], b.name).toEqual([cfg.callers[i]?.appId]);
    });
    // With fewer callers than BUs the callers are reused in turn.
    const two = config({ callers: cfg.callers.slice(0, 2) });
    const reused = planAiTraffic(tinyTarget(two, 'http://127.0.0.1:9', { withModels: true }));
    expect(reused.find((p) => p.bu === 'bu-marketing')?.caller).toBe(cfg.callers[0]?.appId);
    expect(reused.find((p) => p.bu === 'bu-engineering')?.caller).toBe(cfg.callers[1]?.appId);
    expect(AI_MODES.map((m) => [m.surface, m.stream])).toEqual([
      ['chat', false],
      ['chat', true],
      ['chat', true],
      ['responses', false],
      ['responses', true],
      ['responses', false],
    ]);
  });

  it('sends all six modes with the SDK and records client-side usage per request', async () => {
    gw = await startTinyGateway(aoaiHandler());
    const cfg = config();
    const summary = await sendTraffic(tinyTarget(cfg, gw.url, { withModels: true }), 'ai', {
      requestsPerBu: { 'bu-hr': 6 },
      models: ['gpt-4o-mini'],
    });
    expect(summary.succeeded).toBe(6);
    const seen = gw.seen;
    expect(seen.map((r) => r.path.split('?')[0])).toEqual(
      expect.arrayContaining([
        '/costing-aoai-gateway/deployments/gpt-4o-mini/chat/completions',
        '/costing-aoai-gateway/responses',
      ]),
    );
    for (const r of seen) {
      expect(r.headers['api-key']).toBe('key-bu-hr-0123456789');
      expect(readJwtClaims(String(r.headers.authorization))?.kit_unsigned).toBe(true);
      const body = JSON.parse(r.body) as Record<string, unknown>;
      const version = new URL(r.path, 'http://x').searchParams.get('api-version');
      expect(version).toBe(r.path.includes('/responses') ? '2025-03-01-preview' : '2024-10-21');
      if (r.path.includes('/responses')) expect(body.max_output_tokens).toBe(64);
      else expect(body.max_completion_tokens).toBe(64);
    }
    const byMode = (m: number) =>
      seen.filter(
        (r) =>
          (JSON.parse(r.body) as {
            stream?: boolean;
            store?: boolean;
            stream_options?: unknown;
            messages?: unknown;
          }) && modeOf(r) === m,
      );
    expect(
      byMode(1).every(
        (r) =>
          (JSON.parse(r.body) as { stream_options?: { include_usage?: boolean } }).stream_options
            ?.include_usage === true,
      ),
    ).toBe(true);
    expect(
      byMode(2).every(
        (r) => (JSON.parse(r.body) as { stream_options?: unknown }).stream_options === undefined,
      ),
    ).toBe(true);
    expect(
      byMode(5).every((r) => (JSON.parse(r.body) as { store?: boolean }).store === false),
    ).toBe(true);
    expect(byMode(3).every((r) => !('store' in (JSON.parse(r.body) as object)))).toBe(true);

    const ledger = await readLedger(cfg);
    const rows = aiUsageTable(ledger);
    expect(rows.map((r) => r.mode)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const row of rows) {
      const req = seen.find((r) => modeOf(r) === row.mode) as SeenRequest;
      const u = usageOf(req);
      // Mode 2 omitted include_usage and this backend does not inject it: no usage reached the client.
      if (row.mode === 2) expect(row.totalTokens).toBe(0);
      else
        expect([row.promptTokens, row.completionTokens, row.totalTokens]).toEqual([
          u.prompt,
          u.completion,
          u.prompt + u.completion,
        ]);
    }
    const records = ledger.sources.ai?.requests ?? [];
    expect(
      records
        .filter((r) => r.mode === 0 || r.mode === 3 || r.mode === 5)
        .every((r) => r.requestId?.startsWith('gw-')),
    ).toBe(true);
  });

  it('retries a 429 itself (the SDK does not) and records a cut stream as stream-cut', async () => {
    gw = await startTinyGateway(
      aoaiHandler({ throttle: new Set([1]), cutStreams: new Set([3, 4, 5, 6]) }),
    );
    const cfg = config();
    const summary = await sendTraffic(tinyTarget(cfg, gw.url, { withModels: true }), 'ai', {
      requestsPerBu: { 'bu-hr': 2 },
      models: ['gpt-4o-mini'],
      concurrency: 1,
      maxRetries: 1,
      baseDelayMs: 1,
    });
    // Request 0 (mode 0): 429 then 200. Request 1 (mode 1, streamed): cut twice -> network failure.
    const ledger = await readLedger(cfg);
    const [r0, r1] = ledger.sources.ai?.requests ?? [];
    expect(r0?.attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(r0?.outcome).toBe('succeeded');
    expect(r1?.outcome).toBe('stream-cut');
    expect(r1?.status).toBe(200);
    expect(r1?.attempts.map((a) => a.error)).toEqual(['stream-interrupted', 'stream-interrupted']);
    expect(summary.totals.attemptsByStatus).toEqual({ '429': 1, '200': 3 });
    expect(gw.seen).toHaveLength(4);
  });
});

describe('D1 with no gateway listening', () => {
  it('fails fast with one TargetUnavailableError naming the AOAI URL', async () => {
    const g = await startTinyGateway((_req, res) => json(res, 200, {}));
    const url = g.url;
    await g.close();
    const cfg = config();
    const err = await sendTraffic(tinyTarget(cfg, url, { withModels: true }), 'ai', {}).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TargetUnavailableError);
    expect((err as Error).message).toBe(
      `The gateway at ${url}/costing-aoai-gateway is not reachable (ECONNREFUSED): run cell A2 to deploy or restart it, then run this cell again.`,
    );
    const entry = (await readLedger(cfg)).sources.ai;
    expect(entry?.status).toBe('failed');
    expect(entry?.totals.retries).toBe(0);
  });
});

function modeOf(r: SeenRequest): number {
  const body = JSON.parse(r.body) as {
    stream?: boolean;
    store?: boolean;
    stream_options?: unknown;
  };
  if (r.path.includes('/chat/completions'))
    return body.stream !== true ? 0 : body.stream_options ? 1 : 2;
  return body.stream === true ? 4 : body.store === false ? 5 : 3;
}
