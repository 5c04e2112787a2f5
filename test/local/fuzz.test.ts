/**
 * A few hundred random malformed requests (seeded, so a failure repeats): every one gets an
 * HTTP answer within its timeout, the gateway logs each one once, none fails inside the
 * gateway, and a well-formed SDK call still works afterwards.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuSubscription } from '../../lib/target.js';
import { aoaiClient, startTestTarget, tableRows, type TestTarget } from './helpers.js';

const REQUESTS = 300;
const RAW_GARBAGE = 20;
const CONCURRENCY = 8;
/** The raw garbage whose head parses: a chunked POST with a broken chunk (5 of 20). */
const EXPECTED_RAW_ROWS = Array.from({ length: 5 }, () => ['POST', 400, 'ClientConnectionFailure']);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

function makeRequests(t: TestTarget, seed: number): FuzzRequest[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  const sub = t.deployment.subscriptions[0] as BuSubscription;
  const p = t.deployment.apis;
  const paths = [
    `/${p.aoai.path}/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`,
    `/${p.aoai.path}/deployments/gpt-4o-mini/chat/completions`,
    `/${p.aoai.path}/deployments/%zz/chat/completions?api-version=2024-10-21`,
    `/${p.aoai.path}/responses?api-version=2025-03-01-preview`,
    `/${p.aoai.path}/responses?api-version=1999-01-01`,
    `/${p.aoai.path}//responses`,
    `/${p.tokenTracking.path}/deployments/x/chat/completions`,
    `/${p.costing.path}/get?subscription-key=${sub.primaryKey}`,
    `/${p.entra.path}/${'a/'.repeat(200)}`,
    `/%E0%A4%A/${p.costing.path}`,
    '/../../etc/passwd',
    '/',
    `/${'x'.repeat(4000)}`,
  ];
  const bodies: (() => Buffer | undefined)[] = [
    () => undefined,
    () => bytes(1 + Math.floor(r() * 200)),
    () => Buffer.from('{"messages": [{"role": "user", "content": "hi"}], "stream": tr'),
    () => Buffer.from(JSON.stringify({ messages: 5, stream: 'yes' })),
    () => Buffer.from(JSON.stringify({ messages: [null, 1, { role: 7 }] })),
    () =>
      Buffer.from(
        JSON.stringify({
          messages: [{ role: 'user', content: { x: 1 } }],
          max_completion_tokens: 0.5,
        }),
      ),
    () =>
      Buffer.from(
        JSON.stringify({
          messages: [{ role: 'user', content: [1, null, { text: 2 }] }],
          stream: true,
          stream_options: 'x',
        }),
      ),
    () => Buffer.from(JSON.stringify({ model: { a: 1 }, input: [null, 5, { role: 5 }] })),
    () =>
      Buffer.from(
        JSON.stringify({
          model: 'gpt-4o-mini',
          input: [null, 5, { role: 5, content: 9 }],
          max_output_tokens: 20,
          stream: true,
        }),
      ),
    () => Buffer.from('['.repeat(3000) + ']'.repeat(3000)),
    () => Buffer.from('"just a string"'),
    () => Buffer.from('\u0000\uffff\ud800'),
  ];
  const keys = [undefined, sub.primaryKey, 'wrong', '', 'x'.repeat(500)];
  const auths = [
    undefined,
    'Bearer',
    'Bearer a.b.c',
    `Bearer ${bytes(30).toString('base64')}`,
    `Bearer ..`,
    `Bearer e30.${Buffer.from('[1,2]').toString('base64url')}.x`,
    'Basic Zm9vOmJhcg==',
  ];
  const out: FuzzRequest[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const headers: Record<string, string> = {};
    // Most requests get past routing and keys, so the bodies reach the policies and the backend.
    const nearValid = r() < 0.6;
    const key = nearValid ? sub.primaryKey : pick(keys);
    if (key !== undefined) headers[pick(['api-key', 'Ocp-Apim-Subscription-Key'])] = key;
    const auth = pick(auths);
    if (auth !== undefined) headers.authorization = auth;
    if (r() < 0.5)
      headers['content-type'] = pick([
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        '',
      ]);
    if (r() < 0.2) headers[`x-fuzz-${i}`] = bytes(8).toString('hex');
    out.push({
      method: nearValid
        ? 'POST'
        : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']),
      path: nearValid ? pick(paths.slice(0, 5)) : pick(paths),
      headers,
      body: pick(bodies)(),
    });
  }
  return out;
}

function send(base: URL, req: FuzzRequest): Promise<number> {
  return new Promise((resolve) => {
    const h = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: req.body ? { ...req.headers, 'content-length': req.body.length } : req.headers,
        timeout: 5_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(res.statusCode ?? -1));
      },
    );
    h.on('timeout', () => h.destroy(new Error('timeout')));
    h.on('error', () => resolve(-1));
    h.end(req.body);
  });
}

function sendRaw(base: URL, payload: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    let text = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
    socket.end(payload);
  });
}

describe('fuzzing the local gateway', () => {
  let t: TestTarget;
  beforeAll(async () => {
    t = await startTestTarget({ options: { maxBodyBytes: 64 * 1024 } });
  });
  afterAll(async () => t.dispose());

  it('answers and logs every malformed request and keeps serving', async () => {
    const base = new URL(t.deployment.gatewayUrl);
    const requests = makeRequests(t, 20261127);
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const req = requests[next++] as FuzzRequest;
          statuses.push(await send(base, req));
        }
      }),
    );
    expect(statuses).toHaveLength(REQUESTS);
    expect(
      statuses.filter((s) => s < 100),
      'requests without an HTTP answer',
    ).toEqual([]);
    // The mix reaches every layer: backend validation (400), keys (401), routing (404), success.
    const seen = new Set(statuses);
    for (const status of [200, 400, 401, 404])
      expect(seen.has(status), `some request answered ${status}`).toBe(true);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThan(50);
    await new Promise((r) => setTimeout(r, 100));
    const rows = tableRows(t.target, 'ApiManagementGatewayLogs');
    // Every HTTP request is logged once; none failed inside the gateway itself.
    expect(rows).toHaveLength(REQUESTS);
    expect(new Set(rows.map((r) => r.CorrelationId)).size).toBe(REQUESTS);
    expect(statuses.filter((s) => s === 500 || s === 502)).toEqual([]);

    const raw = makeRawGarbage(20261127);
    const answers = await Promise.all(raw.map((p) => sendRaw(base, p)));
    expect(
      answers.filter((a) => a !== '' && !a.startsWith('HTTP/1.1 ')),
      'raw answers that are not HTTP',
    ).toEqual([]);

    // Garbage that still parses as a request head is logged like any request; nothing is an internal error.
    await new Promise((r) => setTimeout(r, 200));
    const after = tableRows(t.target, 'ApiManagementGatewayLogs');
    expect(after.slice(REQUESTS).map((r) => [r.Method, r.ResponseCode, r.LastErrorReason])).toEqual(
      EXPECTED_RAW_ROWS,
    );
    expect(after.filter((r) => r.LastErrorReason === 'InternalError')).toEqual([]);

    const sub = t.deployment.subscriptions[0] as BuSubscription;
    const ok = await aoaiClient(t.deployment, sub, {
      apiVersion: '2024-10-21',
    }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'still there?' }],
    });
    expect(ok.usage?.total_tokens).toBeGreaterThan(0);
  });
});

function makeRawGarbage(seed: number): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < RAW_GARBAGE; i++) {
    const kind = i % 4;
    if (kind === 0) out.push(Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))));
    else if (kind === 1)
      out.push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'));
    else if (kind === 2)
      out.push(
        Buffer.from('POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'),
      );
    else out.push(Buffer.from(`GET /${'\u0001'.repeat(10)} HTTP/9.9\r\n\r\n`));
  }
  return out;
}
