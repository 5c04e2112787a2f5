/**
 * The gateway's decisions as plain functions (no HTTP): caller id, keys (gateway-auth), rate
 * limit (rate-limiter), the inbound policy steps of the shipped policies (inbound-steps), and
 * the log rows of one request record (gateway-log-rows).
 */
import { describe, expect, it } from 'vitest';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { buildApiCatalog, matchRoute } from '../../lib/local/api-catalog.js';
import { authenticate } from '../../lib/local/gateway-auth.js';
import {
  customMetricRows,
  gatewayLogRow,
  llmLogRows,
  type LogEnvironment,
} from '../../lib/local/gateway-log-rows.js';
import type { RequestRecord } from '../../lib/local/gateway-record.js';
import { callerIdOf, runInbound } from '../../lib/local/inbound-steps.js';
import { RateLimiter } from '../../lib/local/rate-limiter.js';
import { loadPolicies } from '../../lib/local/policy-engine.js';
import type { PolicyContext } from '../../lib/local/policy-steps.js';
import { unsignedJwt } from './helpers.js';

const catalog = buildApiCatalog('costing-');
const policies = loadPolicies(artifactPath('policies'), catalog);
const env: LogEnvironment = {
  region: 'East US 2',
  workspaceId: 'ws',
  azureSubscriptionId: 'sub',
  apimResourceId: 'RID',
  apimName: 'apim',
  appInsights: { appId: 'app', name: 'appi', iKey: 'ikey' },
};

function ctx(operationId: string, subscriptionId: string | undefined): PolicyContext {
  return {
    requestId: 'req-1',
    apiId: 'costing-aoai-gateway-api',
    apiName: 'Costing: AOAI gateway',
    operationId,
    operationName: 'Chat completions',
    subscriptionId,
    variables: new Map(),
  };
}

describe('gateway pipeline', () => {
  it('reads the caller id from appid, then azp, without validating the token', () => {
    expect(callerIdOf(`Bearer ${unsignedJwt({ appid: 'a', azp: 'b' })}`, ['appid', 'azp'])).toBe(
      'a',
    );
    expect(callerIdOf(`bearer ${unsignedJwt({ azp: 'b' })}`, ['appid', 'azp'])).toBe('b');
    expect(callerIdOf(unsignedJwt({ appid: 'raw' }), ['appid'])).toBe('raw');
    for (const bad of [
      undefined,
      '',
      'Bearer',
      'Bearer a.b',
      'Bearer a.!!!.c',
      `Bearer a.${Buffer.from('[1]').toString('base64url')}.c`,
      `Bearer a.${Buffer.from('nope').toString('base64url')}.c`,
    ]) {
      expect(callerIdOf(bad, ['appid', 'azp']), String(bad)).toBeUndefined();
    }
  });

  it('matches keys in headers before the query string, and knows open APIs', () => {
    const subs = new Map([['k1', { id: 'bu-hr', displayName: 'HR', primaryKey: 'k1' }]]);
    const [costing, entra] = catalog;
    if (!costing || !entra) throw new Error('catalog');
    expect(authenticate(costing, { 'api-key': 'k1' }, new URLSearchParams(), subs)).toMatchObject({
      ok: true,
      subscription: { id: 'bu-hr' },
    });
    expect(
      authenticate(costing, {}, new URLSearchParams('subscription-key=k1'), subs),
    ).toMatchObject({ ok: true });
    expect(
      authenticate(
        costing,
        { 'ocp-apim-subscription-key': 'x' },
        new URLSearchParams('subscription-key=k1'),
        subs,
      ),
    ).toMatchObject({ ok: false, reason: 'SubscriptionKeyInvalid' });
    expect(authenticate(costing, {}, new URLSearchParams(), subs)).toMatchObject({
      ok: false,
      reason: 'SubscriptionKeyNotFound',
    });
    // An API that does not require a key (none of the kit's: the Entra ID API takes its own).
    const open = { ...entra, subscriptionRequired: false };
    expect(authenticate(open, {}, new URLSearchParams(), subs)).toEqual({
      ok: true,
      subscription: undefined,
    });
    expect(authenticate(entra, {}, new URLSearchParams(), subs)).toMatchObject({
      ok: false,
      reason: 'SubscriptionKeyNotFound',
    });
  });

  it('takes an API-scoped key on its own API only, as APIM scopes /apis/<id>', () => {
    const [costing, entra] = catalog;
    if (!costing || !entra) throw new Error('catalog');
    const own = { id: 'api-costing-entraid-api', displayName: 'E', primaryKey: 'k2' };
    const subs = new Map([
      ['k1', { id: 'bu-hr', displayName: 'HR', primaryKey: 'k1' }],
      ['k2', { ...own, apiId: entra.id }],
    ]);
    expect(authenticate(entra, { 'api-key': 'k2' }, new URLSearchParams(), subs)).toMatchObject({
      ok: true,
      subscription: { id: 'api-costing-entraid-api' },
    });
    expect(authenticate(costing, { 'api-key': 'k2' }, new URLSearchParams(), subs)).toMatchObject({
      ok: false,
      reason: 'SubscriptionKeyInvalid',
    });
    // A BU key opens every API.
    expect(authenticate(entra, { 'api-key': 'k1' }, new URLSearchParams(), subs)).toMatchObject({
      ok: true,
      subscription: { id: 'bu-hr' },
    });
  });

  it('limits calls per key over a sliding minute', () => {
    const limiter = new RateLimiter(3);
    const t0 = 60_000 * 100;
    expect([0, 1, 2, 3].map((i) => limiter.take('a', t0 + i))).toEqual([
      undefined,
      undefined,
      undefined,
      60,
    ]);
    expect(limiter.take('b', t0)).toBeUndefined();
    // Half a minute into the next window, half of the last window still counts: 1.5 + 0 < 3.
    expect(limiter.take('a', t0 + 90_000)).toBeUndefined();
    expect(limiter.take('a', t0 + 90_001)).toBe(30);
    limiter.perMinute = 10;
    expect(limiter.take('a', t0 + 90_002)).toBeUndefined();
  });

  it('routes by API path and operation template', () => {
    expect(
      matchRoute(catalog, 'POST', '/costing-aoai-gateway/deployments/gpt-4o-mini/chat/completions'),
    ).toMatchObject({
      operation: { id: 'chat-completions-create' },
      params: { deploymentId: 'gpt-4o-mini' },
      operationPath: '/deployments/gpt-4o-mini/chat/completions',
    });
    expect(matchRoute(catalog, 'POST', '/COSTING-AOAI-GATEWAY//responses')).toMatchObject({
      operation: { id: 'responses-create' },
    });
    expect(
      matchRoute(catalog, 'GET', '/costing-aoai-gateway/responses')?.operation,
    ).toBeUndefined();
    expect(matchRoute(catalog, 'GET', '/costing-subscription/any/path')).toMatchObject({
      operation: { id: 'get-all' },
    });
    expect(matchRoute(catalog, 'GET', '/nope')).toBeUndefined();
  });

  it('runs the shipped inbound policies: caller header, request id, include_usage, api-version', () => {
    const policy = policies.forOperation('costing-aoai-gateway-api', 'chat-completions-create');
    const body = Buffer.from(
      JSON.stringify({
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
        stream_options: { other: 1 },
      }),
    );
    const c = ctx('chat-completions-create', 'bu-hr');
    const out = runInbound(
      policy,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${unsignedJwt({ appid: 'app-9' })}`,
          'api-key': 'secret',
          host: 'h',
        },
        query: new URLSearchParams(),
        body,
      },
      c,
      new Date('2026-11-27T10:00:00Z'),
    );
    expect(out.headers).toMatchObject({
      'x-business-unit': 'app-9',
      'x-ms-client-request-id': 'req-1',
    });
    expect(out.headers['api-key']).toBeUndefined();
    expect(JSON.parse(out.body.toString())).toMatchObject({
      stream_options: { other: 1, include_usage: true },
    });
    expect(out.traces).toEqual([
      {
        source: 'ensure-stream-include-usage',
        severity: 'information',
        message: expect.stringMatching(/^IncludeUsageInjected:/),
        metadata: { policy: 'ensure-stream-include-usage' },
        timestamp: '2026-11-27T10:00:00.000Z',
      },
    ]);
    expect(out.query.get('api-version')).toBe('2024-10-21');
    expect(out.backendId).toBe('aoai-backend');
    expect(out.managedIdentityResource).toBe('https://cognitiveservices.azure.com');

    // A client-sent request id and api-version are kept (exists-action skip); a flag already true is left alone.
    const kept = runInbound(
      policy,
      {
        method: 'POST',
        headers: { 'x-ms-client-request-id': 'mine' },
        query: new URLSearchParams('api-version=2025-01-01-preview'),
        body: Buffer.from(
          JSON.stringify({ messages: [], stream: true, stream_options: { include_usage: true } }),
        ),
      },
      ctx('chat-completions-create', 'bu-hr'),
      new Date(),
    );
    expect(kept.headers['x-ms-client-request-id']).toBe('mine');
    expect(kept.headers['x-business-unit']).toBe('bu-hr');
    expect(kept.query.get('api-version')).toBe('2025-01-01-preview');
    expect(kept.traces).toEqual([]);

    const responses = runInbound(
      policies.forOperation('costing-aoai-gateway-api', 'responses-create'),
      {
        method: 'POST',
        headers: {},
        query: new URLSearchParams(),
        body: Buffer.from('{"model":"m","input":"x","stream":true}'),
      },
      ctx('responses-create', undefined),
      new Date(),
    );
    expect(responses.traces).toEqual([]);
    expect(responses.body.toString()).toBe('{"model":"m","input":"x","stream":true}');
    expect(responses.headers['x-business-unit']).toBe('unknown');
    expect(responses.query.get('api-version')).toBe('2025-03-01-preview');
  });

  it('writes LLM rows only for 2xx backend answers, and metrics from emit-metric', () => {
    const base: RequestRecord = {
      requestId: 'r',
      startMs: Date.parse('2026-11-27T10:00:00Z'),
      endMs: Date.parse('2026-11-27T10:00:00.250Z'),
      method: 'POST',
      url: 'http://x/y',
      clientIp: '127.0.0.1',
      api: catalog[3],
      operation: catalog[3]?.operations[0],
      subscriptionId: 'bu-hr',
      responseCode: 200,
      backend: { url: 'http://b', method: 'POST', responseCode: 200, timeMs: 200 },
      backendId: 'aoai-backend',
      requestSize: 10,
      responseSize: 20,
      traces: [],
      error: undefined,
      llm: {
        deploymentName: 'd',
        modelName: 'm-2024-01-01',
        apiVersion: 'v',
        isStream: false,
        backendRequestId: 'id',
        usage: { prompt: 1, completion: 2, total: 3 },
        requestMessages: [],
        responseText: 't',
      },
      metrics: [
        {
          name: 'caller-requests',
          namespace: 'apim-costing',
          value: 1,
          dimensions: { CallerId: 'c' },
        },
      ],
    };
    expect(gatewayLogRow(base, env)).toMatchObject({
      TotalTime: 250,
      BackendTime: 200,
      ClientTime: 50,
      IsRequestSuccess: true,
      TimeGenerated: '2026-11-27T10:00:00.000Z',
    });
    expect(
      llmLogRows(base, env).map((r) => [r.SequenceNumber, r.ModelName, r.TotalTokens]),
    ).toEqual([
      [0, undefined, undefined],
      [1, 'm-2024-01-01', 3],
    ]);
    expect(
      llmLogRows(
        { ...base, backend: { url: 'b', method: 'POST', responseCode: 500, timeMs: 1 } },
        env,
      ),
    ).toEqual([]);
    expect(
      llmLogRows(
        { ...base, backend: { url: 'b', method: 'POST', responseCode: 429, timeMs: 1 } },
        env,
      ),
    ).toEqual([]);
    expect(customMetricRows(base, env)).toEqual([
      expect.objectContaining({
        name: 'caller-requests',
        value: 1,
        valueSum: 1,
        valueCount: 1,
        customDimensions: { CallerId: 'c' },
        timestamp: '2026-11-27T10:00:00.000Z',
      }),
    ]);
  });
});
