import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TargetUnavailableError } from '../../lib/errors.js';
import { summarizeRecords } from '../../lib/ledger/ledger.js';
import { sendHttpAttempt } from '../../lib/traffic/http.js';
import {
  errorCode,
  parseRetryAfter,
  runRequests,
  type PlannedRequest,
  type RunRequestsOptions,
} from '../../lib/traffic/runner.js';
import { json, startTinyGateway, type TinyGateway } from './tiny-gateway.js';

const gateways: TinyGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
});

async function gateway(handler: Parameters<typeof startTinyGateway>[0]): Promise<TinyGateway> {
  const g = await startTinyGateway(handler);
  gateways.push(g);
  return g;
}

function plan(n: number): PlannedRequest[] {
  return Array.from({ length: n }, (_, index) => ({
    index,
    bu: index % 2 === 0 ? 'bu-a' : 'bu-b',
    kind: 'ok',
  }));
}

function opts(g: TinyGateway, extra: Partial<RunRequestsOptions> = {}): RunRequestsOptions {
  return {
    concurrency: 4,
    requestTimeoutMs: 5000,
    maxRetries: 3,
    baseDelayMs: 5,
    label: 'test',
    gatewayUrl: g.url,
    ...extra,
  };
}

const get = (g: TinyGateway) => (p: PlannedRequest, ctx: Parameters<typeof sendHttpAttempt>[1]) =>
  sendHttpAttempt({ method: 'GET', url: `${g.url}/r/${p.index}`, headers: {} }, ctx);

describe('runRequests', () => {
  it('sends every request once with bounded concurrency', async () => {
    const g = await gateway(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 15));
      json(res, 200, { ok: true });
    });
    const run = await runRequests(plan(40), get(g), opts(g, { concurrency: 3 }));
    expect(run.stopped).toBeUndefined();
    expect(g.seen).toHaveLength(40);
    expect(g.maxInFlight).toBeLessThanOrEqual(3);
    expect(g.maxInFlight).toBeGreaterThan(1);
    const t = summarizeRecords(run.records);
    expect(t).toMatchObject({
      planned: 40,
      sent: 40,
      delivered: 40,
      succeeded: 40,
      attempts: 40,
      retries: 0,
      networkFailures: 0,
    });
    expect(t.attemptsByStatus).toEqual({ '200': 40 });
  });

  it('waits for Retry-After on 429 and counts each attempt', async () => {
    const hits = new Map<string, number>();
    const g = await gateway((req, res) => {
      const n = (hits.get(req.path) ?? 0) + 1;
      hits.set(req.path, n);
      if (req.path === '/r/1' && n === 1)
        return json(
          res,
          429,
          { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' },
          { 'retry-after': '1' },
        );
      json(res, 200, {});
    });
    const t0 = Date.now();
    const run = await runRequests(plan(3), get(g), opts(g));
    const elapsed = Date.now() - t0;
    const r1 = run.records[1];
    expect(r1?.outcome).toBe('succeeded');
    expect(r1?.attempts.map((a) => a.status)).toEqual([429, 200]);
    // The retry waited the full second the gateway asked for, not the 5 ms base backoff.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    const t = summarizeRecords(run.records);
    expect(t).toMatchObject({ sent: 3, delivered: 3, succeeded: 3, attempts: 4, retries: 1 });
    expect(t.attemptsByStatus).toEqual({ '200': 3, '429': 1 });
  });

  it('gives up after maxRetries on a persistent 500 and records the final status', async () => {
    const g = await gateway((req, res) =>
      req.path === '/r/0' ? json(res, 500, { error: 'boom' }) : json(res, 200, {}),
    );
    const run = await runRequests(plan(2), get(g), opts(g, { maxRetries: 2 }));
    expect(run.records[0]).toMatchObject({ outcome: 'failed-status', status: 500 });
    expect(run.records[0]?.attempts).toHaveLength(3);
    const t = summarizeRecords(run.records);
    expect(t.failedByStatus).toEqual({ '500': 1 });
    expect(t.attemptsByStatus).toEqual({ '500': 3, '200': 1 });
    expect(t.delivered).toBe(2);
  });

  it('does not retry a 404', async () => {
    const g = await gateway((_req, res) =>
      json(res, 404, { statusCode: 404, message: 'Resource not found' }),
    );
    const run = await runRequests(plan(2), get(g), opts(g));
    expect(g.seen).toHaveLength(2);
    expect(summarizeRecords(run.records).failedByStatus).toEqual({ '404': 2 });
  });

  it('stops retrying when the run-wide retry budget is spent', async () => {
    const g = await gateway((_req, res) => json(res, 503, {}));
    const run = await runRequests(
      plan(10),
      get(g),
      opts(g, { maxRetries: 5, retryBudget: 4, concurrency: 2 }),
    );
    expect(run.retriesUsed).toBe(4);
    expect(g.seen).toHaveLength(14);
    const t = summarizeRecords(run.records);
    expect(t).toMatchObject({ attempts: 14, retries: 4, sent: 10 });
    expect(t.failedByStatus).toEqual({ '503': 10 });
  });

  it('retries a connection reset and records a persistent one as a network failure', async () => {
    const hits = new Map<string, number>();
    const g = await gateway((req, res) => {
      const n = (hits.get(req.path) ?? 0) + 1;
      hits.set(req.path, n);
      if (req.path === '/r/0' || (req.path === '/r/1' && n === 1)) {
        res.socket?.destroy();
        return;
      }
      json(res, 200, {});
    });
    const run = await runRequests(plan(2), get(g), opts(g, { maxRetries: 2 }));
    expect(run.records[1]?.outcome).toBe('succeeded');
    expect(run.records[1]?.attempts).toHaveLength(2);
    expect(run.records[0]?.outcome).toBe('failed-network');
    expect(run.records[0]?.attempts).toHaveLength(3);
    const t = summarizeRecords(run.records);
    expect(t.networkFailures).toBe(1);
    expect(t.sent).toBe(t.delivered + t.networkFailures);
    expect(Object.keys(t.networkErrors)).toHaveLength(1);
  });

  it('records a 2xx body cut mid-way as stream-cut, a network failure that still has its status', async () => {
    const g = await gateway((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"partial": true}\n\n');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const run = await runRequests(plan(1), get(g), opts(g, { maxRetries: 0 }));
    expect(run.records[0]).toMatchObject({ outcome: 'stream-cut', status: 200 });
    expect(run.records[0]?.attempts[0]?.status).toBe(200);
    const t = summarizeRecords(run.records);
    expect([t.networkFailures, t.streamCut, t.timedOut]).toEqual([1, 1, 0]);
  });

  it('times out a slow attempt: timed-out, its own outcome', async () => {
    const g = await gateway(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 400));
      json(res, 200, {});
    });
    const run = await runRequests(
      plan(1),
      get(g),
      opts(g, { requestTimeoutMs: 100, maxRetries: 1 }),
    );
    expect(run.records[0]).toMatchObject({ outcome: 'timed-out', error: 'timeout' });
    const t = summarizeRecords(run.records);
    expect([t.networkFailures, t.timedOut, t.streamCut]).toEqual([1, 1, 0]);
    expect(run.records[0]?.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout']);
  });

  it('stops at once with one TargetUnavailableError naming the URL when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const url = `http://127.0.0.1:${port}`;
    const t0 = Date.now();
    const run = await runRequests(
      plan(50),
      (p, ctx) => sendHttpAttempt({ method: 'GET', url: `${url}/r/${p.index}`, headers: {} }, ctx),
      {
        concurrency: 2,
        requestTimeoutMs: 5000,
        maxRetries: 3,
        label: 't',
        gatewayUrl: url,
      },
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(run.stopped).toBe('unreachable');
    expect(run.error).toBeInstanceOf(TargetUnavailableError);
    expect((run.error as Error).message).toContain(url);
    expect((run.error as Error).message.split('\n')).toHaveLength(1);
    const t = summarizeRecords(run.records);
    // No retries were stacked up, and the unsent rest stays "not sent".
    expect(t.retries).toBe(0);
    expect(t.sent).toBeLessThanOrEqual(2);
    expect(t.planned).toBe(50);
  });

  it('on abort, keeps completed records and marks in-flight ones as aborted', async () => {
    const controller = new AbortController();
    const g = await gateway(async (req, res) => {
      if (req.n === 10) controller.abort();
      await new Promise((r) => setTimeout(r, 10));
      json(res, 200, {});
    });
    const run = await runRequests(
      plan(100),
      get(g),
      opts(g, { concurrency: 2, signal: controller.signal }),
    );
    expect(run.stopped).toBe('aborted');
    const t = summarizeRecords(run.records);
    expect(t.sent).toBeLessThan(100);
    expect(t.sent).toBe(g.seen.length);
    expect(t.succeeded + t.networkFailures).toBe(t.sent);
    expect(Object.keys(t.networkErrors)).toEqual(t.networkFailures > 0 ? ['aborted'] : []);
    expect(run.records.filter((r) => r.outcome === 'not-sent')).toHaveLength(100 - t.sent);
  });
});

describe('helpers', () => {
  it('parses Retry-After seconds, retry-after-ms, and HTTP dates', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(parseRetryAfter(h({ 'retry-after': '2' }))).toBe(2000);
    expect(parseRetryAfter(h({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    const date = new Date(Date.now() + 3000).toUTCString();
    const ms = parseRetryAfter(h({ 'retry-after': date })) ?? -1;
    expect(ms).toBeGreaterThan(1000);
    expect(ms).toBeLessThanOrEqual(3000);
    expect(parseRetryAfter(h({}))).toBeUndefined();
    expect(parseRetryAfter(h({ 'retry-after': 'soon' }))).toBeUndefined();
  });

  it('finds the error code in a cause chain', () => {
    const inner = Object.assign(new Error('socket'), { code: 'ECONNRESET' });
    expect(errorCode(new TypeError('fetch failed', { cause: inner }))).toBe('ECONNRESET');
    expect(errorCode(new DOMException('x', 'TimeoutError'))).toBe('timeout');
    expect(errorCode(new Error('plain'))).toBe('error');
  });
});
