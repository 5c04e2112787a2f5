import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig, requestsFor } from '../../lib/config/load-config.js';
import type { KitConfig, KitConfigInput } from '../../lib/config/types.js';
import {
  ConfigError,
  KitError,
  MissingStepError,
  TargetUnavailableError,
} from '../../lib/errors.js';
import { ledgerPath, readLedger } from '../../lib/ledger/ledger.js';
import type { Ledger } from '../../lib/ledger/ledger-types.js';
import { LedgerError } from '../../lib/errors.js';
import { planBuTraffic } from '../../lib/traffic/bu.js';
import { sendTraffic, TRAFFIC_KINDS } from '../../lib/traffic/send-traffic.js';
import { ledgerSummaryTable, trafficSummaryMarkdown } from '../../lib/output/views/traffic.js';
import { createUnsignedJwt, readJwtClaims } from '../../lib/traffic/unsigned-jwt.js';
import {
  json,
  startTinyGateway,
  tinyTarget,
  type SeenRequest,
  type TinyGateway,
} from './tiny-gateway.js';

let dataDir: string;
const gateways: TinyGateway[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'traffic-'));
});
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.close()));
  await rm(dataDir, { recursive: true, force: true });
});

function config(input: KitConfigInput = {}): KitConfig {
  return loadConfig({ ...input, local: { dataDir, ...input.local } }, {});
}

/** A gateway that answers like the costing APIs: 200 for GET, 404 for unknown operations, 400 for bad JSON. */
async function apimLike(
  extra?: (req: SeenRequest, res: Parameters<Parameters<typeof startTinyGateway>[0]>[1]) => boolean,
): Promise<TinyGateway> {
  const g = await startTinyGateway((req, res) => {
    if (extra?.(req, res)) return;
    if (req.method === 'DELETE')
      return json(res, 404, { statusCode: 404, message: 'Resource not found' });
    if (req.method === 'POST') {
      try {
        JSON.parse(req.body);
      } catch {
        return json(res, 400, { error: { code: 'BadRequest', message: 'malformed JSON' } });
      }
    }
    if (req.method === 'POST' && req.path.includes('/chat/completions')) {
      return json(res, 200, {
        id: 'mock',
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: 200, total_tokens: 300 },
      });
    }
    json(res, 200, { ok: true }, { 'x-ms-request-id': `req-${req.n}` });
  });
  gateways.push(g);
  return g;
}

const quiet = {} as const;

describe('C1 BU traffic', () => {
  it('sends max(1, floor(base x weight)) per BU with a share of deliberate failures, and the ledger matches what the gateway saw', async () => {
    const g = await apimLike();
    const cfg = config({ traffic: { sampleRequestsPerSubscription: 10, errorShare: 0.1 } });
    const summary = await sendTraffic(tinyTarget(cfg, g.url, { withModels: true }), 'bu', quiet);
    const expected = cfg.businessUnits.map((b) => requestsFor(10, b.weight));
    const total = expected.reduce((a, b) => a + b, 0);
    expect(summary.planned).toBe(total);
    expect(g.seen).toHaveLength(total);
    // Per BU: what the gateway saw per key equals the ledger's count.
    const ledger = await readLedger(cfg);
    const entry = ledger.sources.bu;
    expect(entry?.status).toBe('done');
    for (const [i, b] of cfg.businessUnits.entries()) {
      const key = `key-${b.name}-0123456789`;
      const seen = g.seen.filter(
        (r) => r.headers['ocp-apim-subscription-key'] === key || r.headers['api-key'] === key,
      ).length;
      expect(seen).toBe(expected[i]);
      expect(entry?.byBu[b.name]?.sent).toBe(expected[i]);
    }
    const failures = g.seen.filter((r) => r.method !== 'GET');
    const expectedFailures = expected.reduce((a, n) => a + Math.round(n * 0.1), 0);
    expect(failures).toHaveLength(expectedFailures);
    expect(entry?.totals.failedByStatus).toEqual({ '400': expectedFailures });
    expect(entry?.totals.succeeded).toBe(total - expectedFailures);
    // Malformed bodies stay on the costing API (its policy answers 400), never the AOAI API...
    expect(
      failures.every((r) => r.method === 'POST' && r.path === '/costing-subscription/get'),
    ).toBe(true);
    expect(Object.keys(entry?.byApi ?? {})).toEqual(['costing-subscription-api']);
    expect(entry?.byApi['costing-subscription-api']?.failedByStatus).toEqual({
      '400': expectedFailures,
    });
    // ...and on the BU whose key they carry: every request is logged under its BU.
    expect(Object.keys(entry?.byLoggedSubscription ?? {}).sort()).toEqual(
      cfg.businessUnits.map((b) => b.name).sort(),
    );
    expect(entry?.byLoggedSubscription['bu-hr']?.sent).toBe(expected[0]);
    // Per-request records carry the gateway's request id.
    expect(
      entry?.requests
        .filter((r) => r.outcome === 'succeeded')
        .every((r) => r.requestId?.startsWith('req-')),
    ).toBe(true);
    expect(trafficSummaryMarkdown(summary)).toContain('| **total** |');
  });

  it('replaces its stale ledger entry and leaves the other sources alone', async () => {
    const g = await apimLike();
    const cfg = config({ traffic: { sampleRequestsPerSubscription: 4 } });
    const target = tinyTarget(cfg, g.url);
    await sendTraffic(target, 'entra', { ...quiet, requestsPerCaller: { 'HR Service': 2 } });
    await sendTraffic(target, 'bu', { ...quiet, requestsPerBu: { 'bu-hr': 3, 'bu-sales': 2 } });
    await sendTraffic(target, 'bu', { ...quiet, requestsPerBu: { 'bu-finance': 1 } });
    const ledger = await readLedger(cfg);
    expect(Object.keys(ledger.sources?.bu?.byBu ?? {})).toEqual(['bu-finance']);
    expect(ledger.sources.bu?.totals.planned).toBe(1);
    expect(ledger.sources.entra?.totals.sent).toBe(2);
    expect(ledgerSummaryTable(ledger).map((r) => r.source)).toEqual(['bu', 'entra']);
    // Atomic writes leave no temporary files behind.
    expect((await readdir(dataDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects bad plans with a ConfigError naming the field', async () => {
    const g = await apimLike();
    const cfg = config();
    const target = tinyTarget(cfg, g.url);
    const err = await sendTraffic(target, 'bu', {
      ...quiet,
      requestsPerBu: { 'bu-nope': 3, 'bu-hr': 0, 'bu-sales': -2 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const fields = (err as ConfigError).problems.map((p) => p.field);
    expect(fields).toEqual([
      'requestsPerBu.bu-nope',
      'requestsPerBu.bu-hr',
      'requestsPerBu.bu-sales',
    ]);
    expect((err as Error).message).toContain(
      'must be a configured business unit: bu-hr, bu-finance',
    );
    expect((err as Error).message).toContain('must be a whole number greater than 0');
    const e2 = await sendTraffic(target, 'entra', {
      ...quiet,
      requestsPerCaller: { Nobody: 1 },
    }).catch((e: unknown) => e);
    expect((e2 as ConfigError).problems[0]?.field).toBe('requestsPerCaller.Nobody');
    const e3 = await sendTraffic(target, 'mock-ai', {
      ...quiet,
      concurrency: 0,
      maxRetries: -1,
    }).catch((e: unknown) => e);
    expect((e3 as ConfigError).problems).toEqual([
      { field: 'concurrency', received: '0', expected: 'must be a whole number from 1 to 64' },
      { field: 'maxRetries', received: '-1', expected: 'must be a whole number of 0 or more' },
    ]);
    expect(g.seen).toHaveLength(0);
  });

  it('is skipped, saying why, when the configuration turns regular traffic off', async () => {
    const g = await apimLike();
    const cfg = config({ traffic: { generateSampleLoad: false } });
    const c1 = await sendTraffic(tinyTarget(cfg, g.url), 'bu', quiet);
    const c2 = await sendTraffic(tinyTarget(cfg, g.url), 'entra', quiet);
    expect(c1.reason).toBe(
      'traffic.generateSampleLoad is false; set it to true in cell A1 to send BU traffic.',
    );
    expect(c2.status).toBe('skipped');
    expect(g.seen).toHaveLength(0);
    expect(trafficSummaryMarkdown(c1)).toBe(`**C1 skipped:** ${c1.reason ?? ''}`);
  });

  it('says to run A2 when the target was never deployed', async () => {
    const cfg = config();
    const target = tinyTarget(cfg, 'http://127.0.0.1:9', { deployed: false });
    for (const kind of TRAFFIC_KINDS) {
      const err = await sendTraffic(target, kind, quiet).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingStepError);
      expect((err as MissingStepError).step).toBe('A2');
    }
  });

  it('turns an unreachable gateway into one TargetUnavailableError line and a failed ledger entry', async () => {
    const g = await apimLike();
    const url = g.url;
    await g.close();
    gateways.length = 0;
    const cfg = config({ traffic: { sampleRequestsPerSubscription: 20 } });
    const err = await sendTraffic(tinyTarget(cfg, url), 'bu', quiet).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetUnavailableError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^The gateway at ${url.replace(/[.]/g, '\\.')}/costing-subscription is not reachable \\(ECONNREFUSED\\)`,
      ),
    );
    const entry = (await readLedger(cfg)).sources.bu;
    expect(entry?.status).toBe('failed');
    expect(entry?.totals.retries).toBe(0);
    expect(entry?.totals.sent).toBe(entry?.totals.networkFailures);
  });

  it('an aborted run rejects and leaves a valid ledger holding exactly what completed', async () => {
    const controller = new AbortController();
    // Requests 1-100 are answered; from 101 on the gateway holds them, and the run is aborted when
    // the fourth held one arrives: exactly 100 completed, 4 were in flight.
    const g = await apimLike((req) => {
      if (req.n <= 100) return false;
      if (req.n === 104) controller.abort();
      return true;
    });
    const cfg = config({ traffic: { sampleRequestsPerSubscription: 50, concurrency: 4 } });
    const err = await sendTraffic(tinyTarget(cfg, g.url), 'bu', {
      ...quiet,
      signal: controller.signal,
      errorShare: 0,
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    const text = await readFile(ledgerPath(cfg), 'utf8');
    const ledger = JSON.parse(text) as Ledger;
    const entry = ledger.runs.find((r) => r.source === 'bu');
    expect(entry?.status).toBe('aborted');
    expect(entry?.totals).toMatchObject({
      planned: 525,
      sent: 104,
      delivered: 100,
      succeeded: 100,
      networkFailures: 4,
      networkErrors: { aborted: 4 },
      attempts: 104,
    });
    expect(g.seen).toHaveLength(104);
    const ids = entry?.requests.filter((r) => r.outcome === 'succeeded').map((r) => r.requestId);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 100 }, (_, i) => `req-${i + 1}`)));
    expect(entry?.requests.filter((r) => r.outcome === 'not-sent')).toHaveLength(421);
  });

  it('reports a corrupt ledger file with what to do', async () => {
    const cfg = config();
    await writeFile(ledgerPath(cfg), '{"version": 1, "sources": {', 'utf8');
    await expect(readLedger(cfg)).rejects.toThrow(LedgerError);
    await expect(readLedger(cfg)).rejects.toThrow(
      /not valid JSON \(.*\): move it aside and run the traffic cells/,
    );
  });
});

describe('C2 Entra ID traffic', () => {
  it('sends weighted requests per caller with an unsigned JWT carrying appid, azp, tid, iat, exp', async () => {
    const g = await apimLike();
    const cfg = config({ traffic: { sampleRequestsPerSubscription: 6 } });
    const summary = await sendTraffic(tinyTarget(cfg, g.url), 'entra', quiet);
    const byCaller = new Map<string, number>();
    for (const r of g.seen) {
      const token = String(r.headers.authorization ?? '');
      const [header, , signature] = token.replace('Bearer ', '').split('.');
      expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({
        alg: 'none',
        typ: 'JWT',
      });
      expect(signature).toBe('');
      const claims = readJwtClaims(token);
      expect(claims).toMatchObject({ kit_unsigned: true });
      expect(claims?.appid).toBe(claims?.azp);
      expect(typeof claims?.tid).toBe('string');
      expect(Number(claims?.exp)).toBeGreaterThan(Number(claims?.iat));
      byCaller.set(String(claims?.appid), (byCaller.get(String(claims?.appid)) ?? 0) + 1);
    }
    for (const c of cfg.callers) expect(byCaller.get(c.appId)).toBe(requestsFor(6, c.weight));
    const ledger = await readLedger(cfg);
    for (const c of cfg.callers)
      expect(ledger.sources.entra?.byCaller[c.appId]?.succeeded).toBe(requestsFor(6, c.weight));
    expect(summary.byCaller.map((r) => r.group)).toContain('Finance Portal');
    // The Entra ID API's own key on every request, never a BU's: C2 is billed to no BU.
    expect(
      g.seen.every((r) => r.headers['ocp-apim-subscription-key'] === 'key-api-costing-entraid-api'),
    ).toBe(true);
    expect(Object.keys(ledger.sources.entra?.byBu ?? {})).toEqual(['api-costing-entraid-api']);
  });
});

describe('C3 real JWT', () => {
  it('is skipped with one line naming the missing variables', async () => {
    const g = await apimLike();
    const cfg = loadConfig(
      { local: { dataDir }, realJwt: { useRealJwt: true } },
      { COSTING_JWT_CLIENT_ID: 'abc' },
    );
    const summary = await sendTraffic(tinyTarget(cfg, g.url), 'real-jwt', quiet);
    expect(summary.status).toBe('skipped');
    expect(summary.reason).toMatch(
      /^COSTING_JWT_TENANT_ID, COSTING_JWT_CLIENT_SECRET are not set: export them/,
    );
    expect(summary.reason?.split('\n')).toHaveLength(1);
    expect(g.seen).toHaveLength(0);
    expect((await readLedger(cfg)).sources['real-jwt']?.status).toBe('skipped');
  });

  it('sends the batch with the token a credential returns and records its appid', async () => {
    const g = await apimLike();
    const cfg = config({ realJwt: { requests: 3 } });
    const appId = '99999999-9999-4999-8999-999999999999';
    const token = createUnsignedJwt(appId);
    let scope = '';
    const credential = {
      getToken: async (s: string | string[]) => {
        scope = String(s);
        return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const summary = await sendTraffic(tinyTarget(cfg, g.url), 'real-jwt', {
      ...quiet,
      credential,
      scope: 'api://x/.default',
    });
    expect(scope).toBe('api://x/.default');
    expect(summary.succeeded).toBe(3);
    expect(g.seen.every((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(
      g.seen.every((r) => r.headers['ocp-apim-subscription-key'] === 'key-api-costing-entraid-api'),
    ).toBe(true);
    // Without an override the batch is the original's 10.
    expect(loadConfig({}, {}).realJwt.requests).toBe(10);
    expect(Object.keys((await readLedger(cfg)).sources['real-jwt']?.byCaller ?? {})).toEqual([
      appId,
    ]);
  });
});

describe('D2 mock AI traffic', () => {
  it('sends 20 x weight per caller (210) with the token-tracking API key, as the original, and records the mock usage', async () => {
    const g = await apimLike();
    const cfg = config();
    const summary = await sendTraffic(tinyTarget(cfg, g.url), 'mock-ai', quiet);
    const total = cfg.callers.reduce((s, c) => s + requestsFor(20, c.weight), 0);
    expect(total).toBe(210);
    expect(summary.planned).toBe(210);
    expect(summary.succeeded).toBe(total);
    // Per caller, each with its own JWT; all under the API's own subscription, no BU.
    const ledger = await readLedger(cfg);
    const entry = ledger.sources['mock-ai'];
    for (const c of cfg.callers)
      expect(entry?.byCaller[c.appId]?.sent, c.name).toBe(requestsFor(20, c.weight));
    expect(Object.keys(entry?.byBu ?? {})).toEqual(['api-costing-token-tracking-api']);
    const jwtCallers = g.seen.map((r) => {
      const auth = r.headers.authorization;
      return readJwtClaims(String(auth).slice('Bearer '.length))?.appid;
    });
    expect(jwtCallers.filter((a) => a === cfg.callers[3]?.appId)).toHaveLength(60);
    expect(g.seen.every((r) => r.headers['api-key'] === 'key-api-costing-token-tracking-api')).toBe(
      true,
    );
    expect(summary.totals).toMatchObject({
      promptTokens: 100 * total,
      completionTokens: 200 * total,
      totalTokens: 300 * total,
      withUsage: total,
    });
    expect(
      g.seen.every(
        (r) =>
          r.path === '/costing-token-tracking/deployments/gpt-4o-mini/chat/completions' &&
          r.headers['api-key'] !== undefined,
      ),
    ).toBe(true);
  });

  it('is skipped, saying why, when D1 already sent real AI traffic', async () => {
    const g = await apimLike();
    const cfg = config();
    const target = tinyTarget(cfg, g.url);
    await writeFile(
      ledgerPath(cfg),
      JSON.stringify({
        version: 1,
        updatedAt: new Date().toISOString(),
        sources: {
          ai: { source: 'ai', status: 'completed', gatewayUrl: g.url, totals: { sent: 7 } },
        },
      }),
    );
    const summary = await sendTraffic(target, 'mock-ai', quiet);
    expect(summary.status).toBe('skipped');
    expect(summary.reason).toBe(
      'D1 already sent 7 real AI requests to the deployed models, so mock traffic is not needed.',
    );
    expect(g.seen).toHaveLength(0);
  });
});

describe('plans', () => {
  it('spreads the deliberate failures through the requests of each BU', () => {
    const cfg = config({ traffic: { errorShare: 0.05 } });
    const plan = planBuTraffic(tinyTarget(cfg, 'http://127.0.0.1:9'));
    expect(plan).toHaveLength(525);
    const failing = plan.filter((p) => p.kind !== 'ok');
    expect(failing).toHaveLength(
      [50, 125, 25, 150, 100, 75].reduce((s, n) => s + Math.round(n * 0.05), 0),
    );
    expect(new Set(failing.map((p) => p.kind))).toEqual(new Set(['malformed-body']));
    expect(failing.some((p) => p.bu === 'bu-engineering')).toBe(true);
    // Every request, failing or not, goes to the costing API with its BU's key.
    expect(new Set(plan.map((p) => new URL(p.request.url).pathname))).toEqual(
      new Set(['/costing-subscription/get']),
    );
    expect(plan.every((p) => p.api === undefined && p.loggedSubscription === undefined)).toBe(true);
  });
});

describe('C3 with the real identity library', () => {
  it('reports a token failure in one KitError naming client and tenant, never the secret', async () => {
    const g = await apimLike();
    const closed = await startTinyGateway((_req, res) => json(res, 500, {}));
    // https on a closed local port: the library's request fails at once, with no network.
    const authority = closed.url.replace('http:', 'https:');
    await closed.close();
    const secret = 'S3cr3t-value-never-printed';
    const cfg = loadConfig(
      { local: { dataDir }, realJwt: { useRealJwt: true } },
      {
        COSTING_JWT_TENANT_ID: '12345678-1234-4123-8123-123456789012',
        COSTING_JWT_CLIENT_ID: 'abcdefab-1234-4123-8123-123456789012',
        COSTING_JWT_CLIENT_SECRET: secret,
      },
    );
    const err = await sendTraffic(tinyTarget(cfg, g.url), 'real-jwt', {
      ...quiet,
      authorityHost: authority,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KitError);
    const message = (err as Error).message;
    expect(message).toMatch(
      /^Could not get a client-credentials token for scope api:\/\/abcdefab-1234-4123-8123-123456789012\/\.default \(client abcdefab-1234-4123-8123-123456789012, tenant 12345678-1234-4123-8123-123456789012\): /,
    );
    expect(message).not.toContain(secret);
    expect(message.split('\n')).toHaveLength(1);
    expect(g.seen).toHaveLength(0);
  });
});
