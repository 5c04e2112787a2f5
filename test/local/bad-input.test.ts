/**
 * Each bad input gets the status and body Azure would give, and each still writes its one
 * gateway log row (and no LLM rows). Also the gateway rate limit and the backend faults.
 */
import { request as httpRequest } from 'node:http';
import { NotFoundError, RateLimitError, InternalServerError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogRow } from '../../lib/kql/log-tables.js';
import type { BuSubscription } from '../../lib/target.js';
import {
  aoaiClient,
  rowsFor,
  startTestTarget,
  tableRows,
  unsignedJwt,
  waitForRequest,
  type TestTarget,
} from './helpers.js';

const MAX_BODY = 4096;

async function call(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: string; requestId: string; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const body = await res.text();
  return {
    status: res.status,
    body,
    requestId: res.headers.get('x-ms-request-id') ?? '',
    headers: res.headers,
  };
}

describe('bad input at the local gateway', () => {
  let t: TestTarget;
  let sub: BuSubscription;
  let chatUrl: string;

  beforeAll(async () => {
    t = await startTestTarget({ options: { maxBodyBytes: MAX_BODY } });
    sub = t.deployment.subscriptions[0] as BuSubscription;
    chatUrl = `${t.deployment.apis.aoai.url}/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`;
  });
  afterAll(async () => t.dispose());

  function gatewayRow(requestId: string): LogRow {
    const rows = rowsFor(t.target, 'ApiManagementGatewayLogs', requestId);
    expect(rows, `gateway rows of ${requestId}`).toHaveLength(1);
    expect(rowsFor(t.target, 'ApiManagementGatewayLlmLog', requestId)).toHaveLength(0);
    return rows[0] as LogRow;
  }

  it('answers a missing key with APIM 401 and logs it', async () => {
    const r = await call(`${t.deployment.apis.costing.url}/get`);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({
      statusCode: 401,
      message:
        'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
    });
    expect(gatewayRow(r.requestId)).toMatchObject({
      ResponseCode: 401,
      ApiId: 'costing-subscription-api',
      ApimSubscriptionId: '',
      IsRequestSuccess: false,
      LastErrorReason: 'SubscriptionKeyNotFound',
      BackendResponseCode: null,
    });
  });

  it('answers a body that is not JSON on the costing API with its policy 400, logged under the BU', async () => {
    const post = (body: string): ReturnType<typeof call> =>
      call(`${t.deployment.apis.costing.url}/get`, {
        method: 'POST',
        headers: {
          'Ocp-Apim-Subscription-Key': sub.primaryKey,
          'content-type': 'application/json',
        },
        body,
      });
    const bad = await post('{"messages": [{"role": "user", "content": "unterminated');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: 'InvalidJson' } });
    expect(gatewayRow(bad.requestId)).toMatchObject({
      ResponseCode: 400,
      ApiId: 'costing-subscription-api',
      ApimSubscriptionId: sub.id,
    });
    // JSON, a blank body and a GET pass: only a body that is not JSON is refused.
    expect((await post('{"ok": true}')).status).toBe(200);
    expect((await post('  ')).status).toBe(200);
    const get = await call(`${t.deployment.apis.costing.url}/get`, {
      headers: { 'Ocp-Apim-Subscription-Key': sub.primaryKey },
    });
    expect(get.status).toBe(200);
  });

  it('refuses an API-scoped key elsewhere: the Entra ID key opens the Entra ID API only', async () => {
    const own = t.deployment.apis.entra.subscription;
    expect(own?.id).toBe('api-costing-entraid-api');
    const headers = { 'Ocp-Apim-Subscription-Key': own?.primaryKey ?? '' };
    const entra = await call(`${t.deployment.apis.entra.url}/get`, { headers });
    expect(entra.status).toBe(200);
    expect(gatewayRow(entra.requestId)).toMatchObject({ ApimSubscriptionId: own?.id });
    const costing = await call(`${t.deployment.apis.costing.url}/get`, { headers });
    expect(costing.status).toBe(401);
    expect(gatewayRow(costing.requestId)).toMatchObject({
      ApimSubscriptionId: '',
      LastErrorReason: 'SubscriptionKeyInvalid',
    });
  });

  it('answers a wrong key with APIM 401 and logs it', async () => {
    const r = await call(`${t.deployment.apis.costing.url}/get`, {
      headers: { 'Ocp-Apim-Subscription-Key': '0'.repeat(32) },
    });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({
      statusCode: 401,
      message:
        'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
    });
    expect(gatewayRow(r.requestId)).toMatchObject({
      ResponseCode: 401,
      LastErrorReason: 'SubscriptionKeyInvalid',
    });
  });

  it('accepts the key in api-key and Ocp-Apim-Subscription-Key', async () => {
    for (const header of ['api-key', 'Ocp-Apim-Subscription-Key']) {
      const r = await call(`${t.deployment.apis.costing.url}/get`, {
        headers: { [header]: sub.primaryKey },
      });
      expect(r.status, header).toBe(200);
      expect(gatewayRow(r.requestId)).toMatchObject({
        ResponseCode: 200,
        ApimSubscriptionId: sub.id,
        OperationId: 'get-all',
        IsRequestSuccess: true,
      });
    }
  });

  it('accepts the key in the query string, keeps it from the backend and masks it in the log', async () => {
    const r = await call(`${chatUrl}&api-key=${sub.primaryKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'key in query' }] }),
    });
    expect(r.status).toBe(200);
    const row = rowsFor(t.target, 'ApiManagementGatewayLogs', r.requestId)[0];
    expect(row?.Url).toMatch(/api-key=\*\*\*$/);
    expect(JSON.stringify(row)).not.toContain(sub.primaryKey);
    expect(String(row?.BackendUrl)).not.toContain('api-key');
    const backendReq = t.target.aoai.received.find(
      (x) => x.headers['x-ms-client-request-id'] === r.requestId,
    );
    expect(backendReq?.headers['api-key']).toBeUndefined();
  });

  it('answers an unknown API and an unknown operation with 404 and logs both', async () => {
    const api = await call(`${t.deployment.gatewayUrl}/no-such-api/get`, {
      headers: { 'api-key': sub.primaryKey },
    });
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toEqual({ statusCode: 404, message: 'Resource not found' });
    expect(gatewayRow(api.requestId)).toMatchObject({
      ResponseCode: 404,
      ApiId: '',
      OperationId: '',
      LastErrorReason: 'ApiNotFound',
    });
    const op = await call(`${t.deployment.apis.costing.url}/get`, {
      method: 'DELETE',
      headers: { 'api-key': sub.primaryKey },
    });
    expect(op.status).toBe(404);
    expect(gatewayRow(op.requestId)).toMatchObject({
      ResponseCode: 404,
      ApiId: 'costing-subscription-api',
      OperationId: '',
      LastErrorReason: 'OperationNotFound',
    });
  });

  it('passes a malformed JSON body to the backend, which answers 400', async () => {
    const r = await call(chatUrl, {
      method: 'POST',
      headers: { 'api-key': sub.primaryKey, 'content-type': 'application/json' },
      body: '{"messages": [',
    });
    expect(r.status).toBe(400);
    const body = JSON.parse(r.body) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/could not parse the JSON body/);
    expect(gatewayRow(r.requestId)).toMatchObject({
      ResponseCode: 400,
      BackendResponseCode: 400,
      IsRequestSuccess: false,
    });
  });

  it('answers a body without messages with the Azure validation error', async () => {
    const r = await call(chatUrl, {
      method: 'POST',
      headers: { 'api-key': sub.primaryKey, 'content-type': 'application/json' },
      body: '{"model":"gpt-4o-mini"}',
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({
      error: {
        message: "'messages' is a required property",
        type: 'invalid_request_error',
        param: 'messages',
        code: null,
      },
    });
    gatewayRow(r.requestId);
  });

  it('answers an oversized body with 413, declared or chunked, and logs it', async () => {
    const big = 'x'.repeat(MAX_BODY + 1);
    const declared = await call(chatUrl, {
      method: 'POST',
      headers: { 'api-key': sub.primaryKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: big }] }),
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ statusCode: 413 });
    expect(gatewayRow(declared.requestId)).toMatchObject({
      ResponseCode: 413,
      LastErrorReason: 'RequestEntityTooLarge',
    });

    // Chunked: no content-length, the limit is found while reading.
    const chunked = await new Promise<{ status: number; requestId: string }>((resolve, reject) => {
      const req = httpRequest(
        chatUrl,
        { method: 'POST', headers: { 'api-key': sub.primaryKey, 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              requestId: String(res.headers['x-ms-request-id'] ?? ''),
            }),
          );
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write('y'.repeat(1024));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(gatewayRow(chunked.requestId)).toMatchObject({ ResponseCode: 413 });
  });

  it('answers an unknown deployment with the Azure 404 through the SDK', async () => {
    const client = aoaiClient(t.deployment, sub, { apiVersion: '2024-10-21' });
    const err = await client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    const e = err as NotFoundError;
    expect(e.code).toBe('DeploymentNotFound');
    const requestId = e.headers?.get('x-ms-request-id') ?? '';
    expect(gatewayRow(requestId)).toMatchObject({ ResponseCode: 404, BackendResponseCode: 404 });
    const responsesClient = aoaiClient(t.deployment, sub, { apiVersion: '2025-03-01-preview' });
    const err2 = await responsesClient.responses
      .create({ model: 'no-such-model', input: 'hi' })
      .catch((x: unknown) => x);
    expect(err2).toBeInstanceOf(NotFoundError);
  });

  it('treats an invalid JWT as no caller: 200, caller = subscription id', async () => {
    const tokens = [
      'not-a-jwt',
      'a.b',
      'aaa.%%%notbase64%%%.ccc',
      `x.${Buffer.from('not json').toString('base64url')}.y`,
      'Bearer',
    ];
    for (const token of tokens) {
      const r = await call(`${t.deployment.apis.entra.url}/get`, {
        headers: { 'Ocp-Apim-Subscription-Key': sub.primaryKey, Authorization: `Bearer ${token}` },
      });
      expect(r.status, token).toBe(200);
      gatewayRow(r.requestId);
    }
    const metrics = tableRows(t.target, 'customMetrics').slice(-tokens.length);
    expect(metrics.map((m) => (m.customDimensions as Record<string, string>).CallerId)).toEqual(
      tokens.map(() => sub.id),
    );
    // Without a key the Entra ID API (subscription required, as the original sample's) answers
    // 401 before its policy runs: no caller metric.
    const before = tableRows(t.target, 'customMetrics').length;
    const anon = await call(`${t.deployment.apis.entra.url}/get`, {
      headers: { Authorization: 'Bearer a.b.c' },
    });
    expect(anon.status).toBe(401);
    expect(tableRows(t.target, 'customMetrics')).toHaveLength(before);
  });

  it('rate-limits per subscription with 429 and Retry-After', async () => {
    const other = t.deployment.subscriptions[2] as BuSubscription;
    t.target.setRateLimit(2);
    try {
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 3; i++) {
        last = await call(`${t.deployment.apis.costing.url}/get`, {
          headers: { 'api-key': other.primaryKey },
        });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(last?.body ?? '')).toMatchObject({
        statusCode: 429,
        message: expect.stringMatching(/^Rate limit is exceeded\. Try again in \d+ seconds\.$/),
      });
      expect(gatewayRow(last?.requestId ?? '')).toMatchObject({
        ResponseCode: 429,
        ApimSubscriptionId: other.id,
        LastErrorReason: 'RateLimitExceeded',
      });
      // The SDK sees a RateLimitError (maxRetries: 0), and the AI API counts against the same key.
      const err = await aoaiClient(t.deployment, other, { apiVersion: '2024-10-21' })
        .chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitError);
    } finally {
      t.target.setRateLimit(100_000);
    }
  });

  it('passes backend 429 and 500 through without LLM rows', async () => {
    const client = aoaiClient(t.deployment, sub, { apiVersion: '2024-10-21' });
    const ask = () =>
      client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
    try {
      t.target.setFaults({ throttleShare: 1 });
      const throttled = (await ask()) as RateLimitError;
      expect(throttled).toBeInstanceOf(RateLimitError);
      expect(throttled.headers?.get('retry-after')).toBe('1');
      expect(gatewayRow(throttled.headers?.get('x-ms-request-id') ?? '')).toMatchObject({
        ResponseCode: 429,
        BackendResponseCode: 429,
      });
      t.target.setFaults({ serverErrorShare: 1 });
      const failed = (await ask()) as InternalServerError;
      expect(failed).toBeInstanceOf(InternalServerError);
      expect(gatewayRow(failed.headers?.get('x-ms-request-id') ?? '')).toMatchObject({
        ResponseCode: 500,
        BackendResponseCode: 500,
      });
    } finally {
      t.target.setFaults({});
    }
  });

  it('passes a mid-stream disconnect on and logs the failure', async () => {
    const client = aoaiClient(t.deployment, sub, { apiVersion: '2024-10-21' });
    t.target.setFaults({ disconnectShare: 1 });
    let requestId = '';
    try {
      const err = await (async () => {
        const { data, response } = await client.chat.completions
          .create({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'hi' }],
            stream: true,
          })
          .withResponse();
        requestId = response.headers.get('x-ms-request-id') ?? '';
        for await (const _chunk of data) {
          // read until the cut
        }
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
    } finally {
      t.target.setFaults({});
    }
    const row = await waitForRequest(t.target, requestId);
    expect(row).toMatchObject({
      ResponseCode: 200,
      BackendResponseCode: 200,
      LastErrorReason: 'BackendConnectionFailure',
    });
    // The LLM rows exist (the backend answered 2xx) but carry no tokens: none were received.
    const llm = rowsFor(t.target, 'ApiManagementGatewayLlmLog', requestId);
    expect(llm.filter((r) => r.ModelName !== '')).toHaveLength(1);
    expect(llm.every((r) => r.TotalTokens === null)).toBe(true);
  });

  it('adds the injected latency to BackendTime', async () => {
    t.target.setFaults({ addedLatencyMs: 150 });
    try {
      const { response } = await aoaiClient(t.deployment, sub, { apiVersion: '2024-10-21' })
        .chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
        })
        .withResponse();
      const row = await waitForRequest(t.target, response.headers.get('x-ms-request-id') ?? '');
      expect(row.BackendTime as number).toBeGreaterThanOrEqual(140);
      expect(row.TotalTime as number).toBeGreaterThanOrEqual(row.BackendTime as number);
    } finally {
      t.target.setFaults({});
    }
  });

  it('returns the mock usage from the token-tracking API without LLM rows', async () => {
    const r = await call(
      `${t.deployment.apis.tokenTracking.url}/deployments/gpt-4o-mini/chat/completions`,
      {
        method: 'POST',
        headers: {
          'api-key': sub.primaryKey,
          'content-type': 'application/json',
          Authorization: `Bearer ${unsignedJwt({ appid: 'x' })}`,
        },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      },
    );
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as { usage: unknown }).usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 200,
      total_tokens: 300,
    });
    expect(gatewayRow(r.requestId)).toMatchObject({
      ResponseCode: 200,
      ApiId: 'costing-token-tracking-api',
      OperationId: 'chat-completions-create',
      BackendResponseCode: null,
    });
  });
});
