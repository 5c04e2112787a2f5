/**
 * Item 10 of issue 12: a key sent in the query string never reaches a file in the data folder,
 * under any spelling of the parameter that authenticates (plain, percent-encoded name,
 * percent-encoded value) nor one a gateway might accept (another case).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DATA_FILES } from '../../lib/artifacts/names.js';
import { maskQueryKeys } from '../../lib/local/gateway-auth.js';
import { startTestTarget, tableRows } from './helpers.js';

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out;
}

const encodeAll = (s: string): string =>
  [...Buffer.from(s)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

describe('maskQueryKeys', () => {
  it('masks every spelling of subscription-key and api-key, and nothing else', () => {
    expect(maskQueryKeys('/a/get?subscription-key=abc&x=1')).toBe(
      '/a/get?subscription-key=***&x=1',
    );
    expect(maskQueryKeys('/a?subscription%2Dkey=abc')).toBe('/a?subscription%2Dkey=***');
    expect(maskQueryKeys('/a?%73ubscription%2dkey=abc')).toBe('/a?%73ubscription%2dkey=***');
    expect(maskQueryKeys('/a?x=1&API-KEY=abc#f')).toBe('/a?x=1&API-KEY=***#f');
    expect(maskQueryKeys('/a?api%2Dkey')).toBe('/a?api%2Dkey=***');
    expect(maskQueryKeys('/a?my-subscription-key=abc&key=v')).toBe(
      '/a?my-subscription-key=abc&key=v',
    );
    expect(maskQueryKeys('/a/subscription-key=abc')).toBe('/a/subscription-key=abc');
  });
});

describe('no full key in the data folder under any query spelling', () => {
  it('authenticates each authenticating spelling, and no file but the key store holds a key', async () => {
    const t = await startTestTarget();
    try {
      const bu = t.deployment.subscriptions[0]!;
      const key = bu.primaryKey;
      const costing = t.deployment.apis.costing.url;
      const aoai = `${t.deployment.apis.aoai.url}/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21`;
      const authenticating = [
        `${costing}/get?subscription-key=${key}`,
        `${costing}/get?subscription%2Dkey=${key}`,
        `${costing}/get?subscription%2dkey=${key}&x=1`,
        `${costing}/get?${encodeAll('subscription-key')}=${key}`,
        `${costing}/get?subscription-key=${encodeAll(key)}`,
        `${costing}/get?x=1&subscription%2Dkey=${encodeAll(key)}`,
      ];
      for (const url of authenticating) expect(await get(url), url).toBe(200);
      // Not authenticating on the emulator (query names are case-sensitive there), masked anyway.
      const others = [
        `${costing}/get?Subscription-Key=${key}`,
        `${costing}/get?SUBSCRIPTION%2DKEY=${encodeAll(key)}`,
        `${aoai}&api%2Dkey=${key}`,
        `${aoai}&API-KEY=${key}`,
      ];
      for (const url of others) expect(await get(url), url).toBeGreaterThan(0);
      const logged = tableRows(t.target, 'ApiManagementGatewayLogs').map((r) => String(r.Url));
      expect(logged.filter((u) => u.includes('=***'))).toHaveLength(
        authenticating.length + others.length,
      );
      await t.target.close();
      const needles = [key, encodeAll(key), encodeAll(key).toLowerCase()];
      const files = (await filesUnder(t.dataDir)).filter(
        (f) => path.basename(f) !== DATA_FILES.keys,
      );
      expect(files.some((f) => f.includes(`${path.sep}${DATA_FILES.logs}${path.sep}`))).toBe(true);
      for (const f of files) {
        const text = await readFile(f, 'utf8');
        for (const n of needles) expect(text.includes(n), `${f} holds the key`).toBe(false);
      }
    } finally {
      await t.target.close().catch(() => undefined);
      await rm(t.dataDir, { recursive: true, force: true });
    }
  });
});

describe('displaying a deployment masks its keys', () => {
  it('util.inspect of deploy() and requireDeployment() shows no key; the object keeps them', async () => {
    const { inspect } = await import('node:util');
    const t = await startTestTarget();
    try {
      const keys = [
        ...t.deployment.subscriptions.map((s) => s.primaryKey),
        t.deployment.apis.entra.subscription?.primaryKey ?? '',
      ].filter((k) => k.length > 8);
      expect(keys.length).toBeGreaterThan(1);
      for (const d of [t.deployment, t.target.requireDeployment()]) {
        const shown = inspect(d, { depth: 10 });
        for (const k of keys) expect(shown).not.toContain(k);
        expect(shown).toContain('••••••••');
        expect(JSON.stringify(d)).toContain(keys[0]);
      }
    } finally {
      await t.dispose();
    }
  });
});
