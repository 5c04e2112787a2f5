/**
 * The gateway passes a stream through as it arrives: the backend holds its usage chunk back
 * until the client has received the first event, which only works if the gateway does not
 * buffer. The gateway still reads the usage from the final chunk.
 */
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { buildApiCatalog } from '../../lib/local/api-catalog.js';
import { startLocalGateway, type LocalGateway } from '../../lib/local/gateway-server.js';
import { createLogStore, type LocalLogStore } from '../../lib/local/log-store.js';
import { loadPolicies } from '../../lib/local/policy-engine.js';

const KEY = 'f'.repeat(32);
const first = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'slow-model-2025-01-01',
  choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }],
  usage: null,
};
const last = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'slow-model-2025-01-01',
  choices: [],
  usage: { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 },
};

const jsonAnswer = {
  id: 'chatcmpl-2',
  object: 'chat.completion',
  created: 1,
  model: 'slow-model-2025-01-01',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Prix: 5 € la pièce' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 },
};

describe('gateway streaming pass-through', () => {
  let backend: ReturnType<typeof createServer>;
  let gateway: LocalGateway;
  let store: LocalLogStore;
  let release: () => void = () => undefined;
  let pendingBackend: ServerResponse | undefined;

  beforeAll(async () => {
    backend = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (
          (JSON.parse(Buffer.concat(chunks).toString()) as { stream?: boolean }).stream !== true
        ) {
          // A JSON answer written in two pieces split inside a multi-byte character.
          const bytes = Buffer.from(JSON.stringify(jsonAnswer));
          const cut = bytes.indexOf(Buffer.from('€')) + 1;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(bytes.subarray(0, cut));
          setTimeout(() => res.end(bytes.subarray(cut)), 20);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(first)}\n\n`);
        pendingBackend = res;
        release = () => {
          res.write(`data: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`);
          res.end();
        };
      });
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    const port = (backend.address() as AddressInfo).port;
    const catalog = buildApiCatalog('costing-');
    store = createLogStore();
    gateway = await startLocalGateway({
      catalog,
      policies: loadPolicies(artifactPath('policies'), catalog),
      subscriptions: [{ id: 'bu-hr', displayName: 'HR', primaryKey: KEY }],
      backendUrl: `http://127.0.0.1:${port}/openai`,
      store,
      env: {
        region: 'East US 2',
        workspaceId: 'w',
        azureSubscriptionId: 's',
        apimResourceId: 'r',
        apimName: 'apim',
        appInsights: { appId: 'a', name: 'n', iKey: 'k' },
      },
      rateLimitPerMinute: 1000,
    });
  });
  afterAll(async () => {
    pendingBackend?.destroy();
    await gateway.close();
    await new Promise((r) => backend.close(r));
  });

  it('delivers the first event before the backend finishes, then logs the final usage', async () => {
    const received: string[] = [];
    const requestId = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              'the first event did not arrive while the backend held the rest: the gateway buffers',
            ),
          ),
        5_000,
      );
      const req = httpRequest(
        `${gateway.url}/costing-aoai-gateway/deployments/slow/chat/completions?api-version=2024-10-21`,
        { method: 'POST', headers: { 'api-key': KEY, 'content-type': 'application/json' } },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (text: string) => {
            received.push(text);
            if (received.length === 1) {
              clearTimeout(timer);
              release();
            }
          });
          res.on('end', () => resolve(String(res.headers['x-ms-request-id'])));
        },
      );
      req.on('error', reject);
      req.end(
        JSON.stringify({
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
    });
    expect(received[0]).toContain('"Hel"');
    expect(received.join('')).toContain('[DONE]');
    await new Promise((r) => setTimeout(r, 50));
    const llm =
      store
        .getTable('ApiManagementGatewayLlmLog')
        ?.rows.filter((r) => r.CorrelationId === requestId) ?? [];
    expect(llm.find((r) => r.ModelName !== '')).toMatchObject({
      ModelName: 'slow-model-2025-01-01',
      DeploymentName: 'slow',
      PromptTokens: 11,
      CompletionTokens: 22,
      TotalTokens: 33,
      IsStreamCompletion: true,
    });
  });

  it('reads usage and text from a JSON answer whose chunks split a character', async () => {
    const res = await fetch(
      `${gateway.url}/costing-aoai-gateway/deployments/slow/chat/completions?api-version=2024-10-21`,
      {
        method: 'POST',
        headers: { 'api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'prix?' }] }),
      },
    );
    expect(await res.json()).toEqual(jsonAnswer);
    const id = res.headers.get('x-ms-request-id');
    await new Promise((r) => setTimeout(r, 50));
    const llm =
      store.getTable('ApiManagementGatewayLlmLog')?.rows.filter((r) => r.CorrelationId === id) ??
      [];
    expect(llm.find((r) => r.ModelName !== '')).toMatchObject({
      TotalTokens: 10,
      IsStreamCompletion: false,
      ResponseMessages: [{ role: 'assistant', content: 'Prix: 5 € la pièce' }],
    });
  });
});
