/**
 * The policy files drive the emulator: change a name in a copy of policies/ and the emulator
 * follows; break a file and deploy says which file and what.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { buildApiCatalog } from '../../lib/local/api-catalog.js';
import { loadPolicies } from '../../lib/local/policy-engine.js';
import type { PolicyStep } from '../../lib/local/policy-steps.js';
import { PolicyError } from '../../lib/errors.js';
import type { BuSubscription } from '../../lib/target.js';
import {
  aoaiClient,
  startTestTarget,
  tableRows,
  unsignedJwt,
  waitForRequest,
  type TestTarget,
} from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

function copyPolicies(edit: (dir: string) => void): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'policies-'));
  cpSync(artifactPath('policies'), dir, { recursive: true });
  edit(dir);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text, `${file} contains ${from}`).toContain(from);
  writeFileSync(file, text.split(from).join(to));
}

async function start(policiesDir: string): Promise<TestTarget> {
  const t = await startTestTarget({ options: { policiesDir } });
  cleanup.push(() => t.dispose());
  return t;
}

describe('policies drive the emulator', () => {
  it('emits the metric name, dimension names and claim order written in the policy copy', async () => {
    const dir = copyPolicies((d) => {
      replaceIn(
        path.join(d, 'entraid-api.xml'),
        'name="caller-requests"',
        'name="caller-requests-renamed"',
      );
      replaceIn(
        path.join(d, 'entraid-api.xml'),
        '<dimension name="CallerId"',
        '<dimension name="Caller"',
      );
      // Read azp before appid.
      replaceIn(
        path.join(d, 'fragments', 'extract-caller-id.xml'),
        '(string)claims["appid"] ?? (string)claims["azp"]',
        '(string)claims["azp"] ?? (string)claims["appid"]',
      );
    });
    const t = await start(dir);
    const sub = t.deployment.subscriptions[0] as BuSubscription;
    const res = await fetch(`${t.deployment.apis.entra.url}/get`, {
      headers: {
        'Ocp-Apim-Subscription-Key': sub.primaryKey,
        Authorization: `Bearer ${unsignedJwt({ appid: 'the-appid', azp: 'the-azp' })}`,
      },
    });
    expect(res.status).toBe(200);
    const metrics = tableRows(t.target, 'customMetrics');
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      name: 'caller-requests-renamed',
      customDimensions: {
        Caller: 'the-azp',
        API: 'Costing: Entra ID applications',
        Operation: 'GET any path',
      },
    });
  });

  it('uses the header names, trace message, mock usage and api-version default of the copy', async () => {
    const dir = copyPolicies((d) => {
      replaceIn(
        path.join(d, 'aoai-gateway-api.xml'),
        'name="x-business-unit"',
        'name="x-cost-centre"',
      );
      replaceIn(
        path.join(d, 'aoai-gateway-api.xml'),
        'backend-id="aoai-backend"',
        'backend-id="my-backend"',
      );
      replaceIn(
        path.join(d, 'fragments', 'ensure-stream-include-usage.xml'),
        '<message>IncludeUsageInjected:',
        '<message>UsageForced:',
      );
      replaceIn(
        path.join(d, 'token-tracking-mock-operation.xml'),
        '"prompt_tokens":100,"completion_tokens":200,"total_tokens":300',
        '"prompt_tokens":7,"completion_tokens":8,"total_tokens":15',
      );
      replaceIn(
        path.join(d, 'aoai-chat-completions-operation.xml'),
        '<value>2024-10-21</value>',
        '<value>2024-12-01-preview</value>',
      );
    });
    const t = await start(dir);
    const sub = t.deployment.subscriptions[0] as BuSubscription;
    const client = aoaiClient(t.deployment, sub, { appId: 'app-1', apiVersion: '2024-10-21' });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    for await (const _chunk of stream) {
      // drain
    }
    const id = response.headers.get('x-ms-request-id') ?? '';
    const row = await waitForRequest(t.target, id);
    expect(JSON.stringify(row.TraceRecords)).toContain('UsageForced:');
    expect(JSON.stringify(row.TraceRecords)).not.toContain('IncludeUsageInjected');
    expect(row.BackendId).toBe('my-backend');
    const backendReq = t.target.aoai.received.find(
      (r) => r.headers['x-ms-client-request-id'] === id,
    );
    expect(backendReq?.headers['x-cost-centre']).toBe('app-1');
    expect(backendReq?.headers['x-business-unit']).toBeUndefined();

    const mock = await fetch(
      `${t.deployment.apis.tokenTracking.url}/deployments/m/chat/completions`,
      {
        method: 'POST',
        headers: { 'api-key': sub.primaryKey, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      },
    );
    expect(((await mock.json()) as { usage: unknown }).usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: 8,
      total_tokens: 15,
    });

    // Without an api-version from the caller, the operation policy's default is sent on.
    const raw = await fetch(
      `${t.deployment.apis.aoai.url}/deployments/gpt-4.1-nano/chat/completions`,
      {
        method: 'POST',
        headers: { 'api-key': sub.primaryKey, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      },
    );
    expect(raw.status).toBe(200);
    const rawId = raw.headers.get('x-ms-request-id') ?? '';
    await waitForRequest(t.target, rawId);
    const llm = tableRows(t.target, 'ApiManagementGatewayLlmLog').filter(
      (r) => r.CorrelationId === rawId,
    );
    expect(llm.map((r) => r.ApiVersion)).toEqual(['2024-12-01-preview', '2024-12-01-preview']);
  });

  it('fails deploy naming the file when a policy is broken or unsupported', () => {
    const catalog = buildApiCatalog('costing-');
    const broken = copyPolicies((d) =>
      replaceIn(path.join(d, 'costing-api.xml'), '</inbound>', '</inbund>'),
    );
    expect(() => loadPolicies(broken, catalog)).toThrow(PolicyError);
    expect(() => loadPolicies(broken, catalog)).toThrow(/costing-api\.xml: is not well-formed XML/);
    const unsupported = copyPolicies((d) =>
      replaceIn(
        path.join(d, 'entraid-api.xml'),
        '<base />',
        '<base />\n<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />',
      ),
    );
    expect(() => loadPolicies(unsupported, catalog)).toThrow(
      /entraid-api\.xml: uses <cache-lookup>, which the local emulator does not implement/,
    );
    const expression = copyPolicies((d) =>
      replaceIn(
        path.join(d, 'entraid-api.xml'),
        'value="@(context.Api.Name)"',
        'value="@(context.Api.Path.ToUpper())"',
      ),
    );
    expect(() => loadPolicies(expression, catalog)).toThrow(/cannot evaluate/);
  });

  it('parses the shipped policies into the expected steps', () => {
    const set = loadPolicies(artifactPath('policies'), buildApiCatalog('costing-'));
    const chat = set.forOperation('costing-aoai-gateway-api', 'chat-completions-create');
    expect(chat.forwards).toBe(true);
    expect(chat.inbound.map((s) => s.kind)).toEqual([
      'caller-id',
      'emit-metric',
      // The budget fragment (issue 18): the BU's entry of the named value, then llm-token-limit.
      'named-value-entry',
      'llm-token-limit',
      'set-header',
      'set-header',
      'ensure-include-usage',
      'set-backend',
      'managed-identity',
      'set-query-parameter',
    ]);
    expect(chat.inbound[0]).toMatchObject({
      variable: 'callerId',
      claims: ['appid', 'azp'],
      fallbackToSubscription: true,
      fallback: 'unknown',
    });
    const off = loadPolicies(artifactPath('policies'), buildApiCatalog('costing-'), {
      forceStreamIncludeUsage: false,
    });
    expect(
      off
        .forOperation('costing-aoai-gateway-api', 'chat-completions-create')
        .inbound.map((s) => s.kind),
    ).not.toContain('ensure-include-usage');
    const entra = set.forOperation('costing-entraid-api', 'get-all');
    expect(entra.inbound.find((s) => s.kind === 'emit-metric')).toMatchObject({
      name: 'caller-requests',
      namespace: 'apim-costing',
      value: 1,
    });
    expect(entra.forwards).toBe(false);
    // The AI APIs count their requests per caller too, with the Entra ID API's metric and dimensions.
    const dims = (st: PolicyStep | undefined): string[] =>
      st?.kind === 'emit-metric' ? st.dimensions.map((d) => d.name) : [];
    for (const [api, op] of [
      ['costing-aoai-gateway-api', 'responses-create'],
      ['costing-token-tracking-api', 'chat-completions-create'],
    ] as const) {
      const metric = set.forOperation(api, op).inbound.find((s) => s.kind === 'emit-metric');
      expect(metric, api).toMatchObject({ name: 'caller-requests', namespace: 'apim-costing' });
      expect(dims(metric), api).toEqual(['CallerId', 'API', 'Operation']);
    }
    // The costing API answers a POST whose body is not JSON with its own 400.
    const costing = set.forOperation('costing-subscription-api', 'post-all').inbound;
    expect(costing.map((s) => s.kind)).toEqual(['reject-invalid-json', 'return-response']);
    expect(costing[0]).toMatchObject({ method: 'POST', answer: { status: 400 } });
  });

  it('forceStreamIncludeUsage false leaves out the fragment and its includes, as the original', () => {
    // A copy of policies/ whose stream-usage fragment is broken: with forcing off it is never read.
    const d = mkdtempSync(path.join(os.tmpdir(), 'policies-off-'));
    try {
      cpSync(artifactPath('policies'), d, { recursive: true });
      writeFileSync(
        path.join(d, 'fragments', 'ensure-stream-include-usage.xml'),
        '<fragment><oops',
      );
      const off = loadPolicies(d, buildApiCatalog('costing-'), { forceStreamIncludeUsage: false });
      for (const [api, op] of [
        ['costing-aoai-gateway-api', 'chat-completions-create'],
        ['costing-token-tracking-api', 'chat-completions-create'],
      ] as const) {
        const kinds = off.forOperation(api, op).inbound.map((s) => s.kind);
        expect(kinds, api).not.toContain('ensure-include-usage');
        expect(kinds, api).toContain('emit-metric');
      }
      // With forcing on, the same broken fragment fails the deploy, naming the file.
      expect(() => loadPolicies(d, buildApiCatalog('costing-'))).toThrow(
        /ensure-stream-include-usage\.xml: is not well-formed XML/,
      );
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
