/**
 * The six AI modes (lib/traffic/ai-modes.ts) through the gateway with the official `openai` Azure
 * client, and the log rows they leave: one gateway row each, LLM rows with one token-bearing
 * row whose tokens equal what the client received, and the IncludeUsageInjected trace on
 * exactly the mode-2 requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRow } from '../../lib/kql/log-tables.js';
import { loadTableColumns } from '../../lib/local/log-store.js';
import type { BuSubscription, Deployment } from '../../lib/target.js';
import {
  aoaiClient,
  rowsFor,
  startTestTarget,
  tableRows,
  unsignedJwt,
  waitForRequest,
  type TestTarget,
} from './helpers.js';

const CHAT_VERSION = '2024-10-21';
const RESPONSES_VERSION = '2025-03-01-preview';
const MODES = [
  { mode: 0, surface: 'chat', stream: false, includeUsage: false, store: undefined },
  { mode: 1, surface: 'chat', stream: true, includeUsage: true, store: undefined },
  { mode: 2, surface: 'chat', stream: true, includeUsage: false, store: undefined },
  { mode: 3, surface: 'responses', stream: false, includeUsage: false, store: undefined },
  { mode: 4, surface: 'responses', stream: true, includeUsage: false, store: undefined },
  { mode: 5, surface: 'responses', stream: false, includeUsage: false, store: false },
] as const;
type Mode = (typeof MODES)[number];

interface Sent {
  mode: Mode;
  model: string;
  requestId: string;
  usage: { prompt: number; completion: number; total: number } | undefined;
  text: string;
}

async function send(
  deployment: Deployment,
  sub: BuSubscription,
  appId: string,
  model: string,
  mode: Mode,
  j: number,
): Promise<Sent> {
  const prompt = `Request ${j} in mode ${mode.mode}: summarise the showback for ${sub.id}.`;
  if (mode.surface === 'chat') {
    const client = aoaiClient(deployment, sub, { appId, apiVersion: CHAT_VERSION });
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: prompt },
    ];
    if (!mode.stream) {
      const { data, response } = await client.chat.completions
        .create({ model, messages, max_completion_tokens: 64 })
        .withResponse();
      const u = data.usage;
      return {
        mode,
        model,
        requestId: response.headers.get('x-ms-request-id') ?? '',
        usage: u && {
          prompt: u.prompt_tokens,
          completion: u.completion_tokens,
          total: u.total_tokens,
        },
        text: data.choices[0]?.message.content ?? '',
      };
    }
    const { data: stream, response } = await client.chat.completions
      .create({
        model,
        messages,
        max_completion_tokens: 64,
        stream: true,
        ...(mode.includeUsage ? { stream_options: { include_usage: true } } : {}),
      })
      .withResponse();
    let usage: Sent['usage'];
    let text = '';
    for await (const chunk of stream) {
      if (chunk.usage)
        usage = {
          prompt: chunk.usage.prompt_tokens,
          completion: chunk.usage.completion_tokens,
          total: chunk.usage.total_tokens,
        };
      text += chunk.choices[0]?.delta.content ?? '';
    }
    return { mode, model, requestId: response.headers.get('x-ms-request-id') ?? '', usage, text };
  }
  const client = aoaiClient(deployment, sub, { appId, apiVersion: RESPONSES_VERSION });
  if (!mode.stream) {
    const { data, response } = await client.responses
      .create({
        model,
        input: prompt,
        max_output_tokens: 64,
        ...(mode.store === false ? { store: false } : {}),
      })
      .withResponse();
    const u = data.usage;
    return {
      mode,
      model,
      requestId: response.headers.get('x-ms-request-id') ?? '',
      usage: u && { prompt: u.input_tokens, completion: u.output_tokens, total: u.total_tokens },
      text: data.output_text,
    };
  }
  const { data: stream, response } = await client.responses
    .create({ model, input: prompt, max_output_tokens: 64, stream: true })
    .withResponse();
  let usage: Sent['usage'];
  let text = '';
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') text += event.delta;
    if (event.type === 'response.completed' && event.response.usage) {
      const u = event.response.usage;
      usage = { prompt: u.input_tokens, completion: u.output_tokens, total: u.total_tokens };
    }
  }
  return { mode, model, requestId: response.headers.get('x-ms-request-id') ?? '', usage, text };
}

function expectFullRow(
  row: LogRow,
  table: 'ApiManagementGatewayLogs' | 'ApiManagementGatewayLlmLog',
): void {
  for (const c of loadTableColumns(table)) {
    expect(row, `${table}.${c.name}`).toHaveProperty(c.name);
    const v = row[c.name];
    if (c.type === 'string') expect(typeof v, `${table}.${c.name} is a string`).toBe('string');
  }
}

describe.each(['in-process', 'http'] as const)(
  'six AI modes through the local gateway (forcing on, backend %s)',
  (backendTransport) => {
    let t: TestTarget;
    const sent: Sent[] = [];
    const appId = '22222222-2222-4222-8222-222222222222';

    beforeAll(async () => {
      t = await startTestTarget({ options: { backendTransport } });
      const sub = t.deployment.subscriptions[1] as BuSubscription;
      let j = 0;
      for (const m of t.config.models) {
        for (const mode of MODES)
          sent.push(await send(t.deployment, sub, appId, m.name, mode, j++));
      }
      for (const s of sent) await waitForRequest(t.target, s.requestId);
    });
    afterAll(async () => t.dispose());

    it('returns the gateway request id and the usage to the client', () => {
      expect(sent).toHaveLength(18);
      for (const s of sent) {
        expect(s.requestId, `mode ${s.mode.mode}`).toMatch(/^[0-9a-f-]{36}$/);
        expect(s.usage, `usage of mode ${s.mode.mode} ${s.model}`).toBeDefined();
        expect(s.text.length).toBeGreaterThan(0);
      }
    });

    it('writes exactly one gateway row per request, shaped like the schema', () => {
      const gatewayRows = tableRows(t.target, 'ApiManagementGatewayLogs');
      expect(gatewayRows).toHaveLength(sent.length);
      for (const s of sent) {
        const rows = rowsFor(t.target, 'ApiManagementGatewayLogs', s.requestId);
        expect(rows).toHaveLength(1);
        const row = rows[0] as LogRow;
        expectFullRow(row, 'ApiManagementGatewayLogs');
        expect(row).toMatchObject({
          ApiId: 'costing-aoai-gateway-api',
          OperationId: s.mode.surface === 'chat' ? 'chat-completions-create' : 'responses-create',
          ApimSubscriptionId: 'bu-finance',
          Method: 'POST',
          ResponseCode: 200,
          BackendResponseCode: 200,
          IsRequestSuccess: true,
          BackendId: 'aoai-backend',
          Region: 'East US 2',
          LastErrorReason: '',
        });
        expect(String(row.TimeGenerated)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(typeof row.TotalTime).toBe('number');
        expect(row._BilledSize as number).toBeGreaterThan(200);
        expect(row.TotalTime as number).toBeGreaterThanOrEqual(row.BackendTime as number);
      }
    });

    it('writes IncludeUsageInjected exactly on mode-2 requests', () => {
      for (const s of sent) {
        const row = rowsFor(t.target, 'ApiManagementGatewayLogs', s.requestId)[0] as LogRow;
        const traced = JSON.stringify(row.TraceRecords).includes('IncludeUsageInjected');
        expect(traced, `mode ${s.mode.mode}`).toBe(s.mode.mode === 2);
        if (s.mode.mode === 2) {
          expect(row.TraceRecords).toEqual([
            expect.objectContaining({
              source: 'ensure-stream-include-usage',
              severity: 'information',
            }),
          ]);
        } else {
          expect(row.TraceRecords).toBeNull();
        }
      }
    });

    it('writes LLM rows with exactly one token-bearing row equal to the client usage', () => {
      for (const s of sent) {
        const rows = rowsFor(t.target, 'ApiManagementGatewayLlmLog', s.requestId);
        expect(rows.length, `LLM rows of mode ${s.mode.mode}`).toBeGreaterThanOrEqual(2);
        rows.forEach((r) => expectFullRow(r, 'ApiManagementGatewayLlmLog'));
        expect(rows.map((r) => r.SequenceNumber).sort()).toEqual([0, 1]);
        const withModel = rows.filter((r) => r.ModelName !== '');
        expect(withModel).toHaveLength(1);
        const version = t.config.models.find((m) => m.name === s.model)?.version;
        expect(withModel[0]).toMatchObject({
          ModelName: `${s.model}-${version}`,
          DeploymentName: s.model,
          PromptTokens: s.usage?.prompt,
          CompletionTokens: s.usage?.completion,
          TotalTokens: s.usage?.total,
          OperationName: s.mode.surface === 'chat' ? 'chat-completions-create' : 'responses-create',
          ApiVersion: s.mode.surface === 'chat' ? CHAT_VERSION : RESPONSES_VERSION,
        });
        for (const r of rows) {
          expect(r.IsStreamCompletion).toBe(s.mode.stream);
          if (r !== withModel[0])
            expect([r.PromptTokens, r.CompletionTokens, r.TotalTokens, r.DeploymentName]).toEqual([
              null,
              null,
              null,
              '',
            ]);
        }
      }
    });

    it('forwards the caller id and the request id to the backend', () => {
      const received = t.target.aoai.received;
      for (const s of sent) {
        const req = received.find((r) => r.headers['x-ms-client-request-id'] === s.requestId);
        expect(req, `backend request of ${s.requestId}`).toBeDefined();
        expect(req?.headers['x-business-unit']).toBe(appId);
        expect(req?.headers['api-key']).toBeUndefined();
        expect(req?.headers.authorization).toMatch(/^Bearer emulated-managed-identity/);
        const body = req?.body as Record<string, unknown>;
        if (s.mode.mode === 2) expect(body.stream_options).toEqual({ include_usage: true });
        if (s.mode.mode === 4) expect(body.stream_options).toBeUndefined();
      }
    });

    it('passes a mid-stream cut on to the client and logs it', async () => {
      const sub = t.deployment.subscriptions[3] as BuSubscription;
      t.target.setFaults({ disconnectShare: 1 });
      let requestId = '';
      let chunks = 0;
      try {
        const err = await (async () => {
          const { data, response } = await aoaiClient(t.deployment, sub, {
            apiVersion: CHAT_VERSION,
          })
            .chat.completions.create({
              model: 'gpt-5-mini',
              messages: [{ role: 'user', content: 'cut me' }],
              stream: true,
            })
            .withResponse();
          requestId = response.headers.get('x-ms-request-id') ?? '';
          for await (const _chunk of data) chunks++;
        })().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(Error);
      } finally {
        t.target.setFaults({});
      }
      expect(chunks).toBeGreaterThan(0);
      const row = await waitForRequest(t.target, requestId);
      expect(row).toMatchObject({
        ResponseCode: 200,
        BackendResponseCode: 200,
        LastErrorReason: 'BackendConnectionFailure',
        LastErrorSection: 'backend',
      });
    });

    it('emits caller-requests rows per caller with the policy dimensions', async () => {
      const sub = t.deployment.subscriptions[0] as BuSubscription;
      const callers = t.config.callers.slice(0, 3);
      const counts = [3, 1, 2];
      for (let i = 0; i < callers.length; i++) {
        for (let n = 0; n < (counts[i] as number); n++) {
          const res = await fetch(`${t.deployment.apis.entra.url}/get`, {
            headers: {
              'Ocp-Apim-Subscription-Key': sub.primaryKey,
              Authorization: `Bearer ${unsignedJwt({ appid: callers[i]?.appId })}`,
            },
          });
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        }
      }
      // azp is the fallback claim when appid is absent; the API's own key works as a BU's does.
      const azpRes = await fetch(`${t.deployment.apis.entra.url}/get`, {
        headers: {
          'Ocp-Apim-Subscription-Key': t.deployment.apis.entra.subscription?.primaryKey ?? '',
          Authorization: `Bearer ${unsignedJwt({ azp: 'azp-only-app' })}`,
        },
      });
      expect(azpRes.status).toBe(200);
      const all = tableRows(t.target, 'customMetrics');
      // The AI requests of the tests above were counted by the AOAI gateway's policy.
      const apiOf = (row: (typeof all)[number]): string =>
        (row.customDimensions as Record<string, string>).API ?? '';
      expect(all.some((row) => apiOf(row) === 'Costing: AOAI gateway')).toBe(true);
      const metrics = all.filter((row) => apiOf(row) === 'Costing: Entra ID applications');
      expect(metrics).toHaveLength(7);
      for (const row of metrics) {
        for (const c of loadTableColumns('customMetrics')) expect(row).toHaveProperty(c.name);
        expect(row).toMatchObject({
          name: 'caller-requests',
          value: 1,
          valueSum: 1,
          valueCount: 1,
        });
        expect(row.customDimensions).toMatchObject({
          API: 'Costing: Entra ID applications',
          Operation: 'GET any path',
        });
      }
      const byCaller = new Map<string, number>();
      for (const row of metrics) {
        const caller = (row.customDimensions as Record<string, string>).CallerId as string;
        byCaller.set(caller, (byCaller.get(caller) ?? 0) + 1);
      }
      expect(Object.fromEntries(byCaller)).toEqual({
        [callers[0]?.appId as string]: 3,
        [callers[1]?.appId as string]: 1,
        [callers[2]?.appId as string]: 2,
        'azp-only-app': 1,
      });
    });
  },
);

describe('mode 2 with forceStreamIncludeUsage off', () => {
  it('forwards the request unchanged: no trace, no usage, LLM row without tokens', async () => {
    const t = await startTestTarget({ config: { features: { forceStreamIncludeUsage: false } } });
    try {
      const sub = t.deployment.subscriptions[0] as BuSubscription;
      const s = await send(
        t.deployment,
        sub,
        '11111111-1111-4111-8111-111111111111',
        'gpt-4o-mini',
        MODES[2],
        0,
      );
      expect(s.usage).toBeUndefined();
      const row = await waitForRequest(t.target, s.requestId);
      expect(row.TraceRecords).toBeNull();
      const llm = rowsFor(t.target, 'ApiManagementGatewayLlmLog', s.requestId);
      const withModel = llm.filter((r) => r.ModelName !== '');
      expect(withModel).toHaveLength(1);
      expect(withModel[0]).toMatchObject({
        ModelName: 'gpt-4o-mini-2024-07-18',
        TotalTokens: null,
        IsStreamCompletion: true,
      });
    } finally {
      await t.dispose();
    }
  });
});
