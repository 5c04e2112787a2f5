/**
 * Item 8 of issue 12: bad data on disk gets a message naming the file and what to do, never a
 * raw TypeError/SyntaxError and never silent loss. Unreadable log lines, a log file replaced by
 * a folder, a ledger of the wrong shape, a garbage budget-alert record, one key for two BUs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA_FILES } from '../../lib/artifacts/names.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig } from '../../lib/config/types.js';
import { KitError, LogStoreError } from '../../lib/errors.js';
import { readBudgetAlerts } from '../../lib/ledger/budget-alert-rules.js';
import { ledgerPath, readLedger } from '../../lib/ledger/ledger.js';
import { loadOrCreateKeys } from '../../lib/local/local-keys.js';
import { createLocalTarget } from '../../lib/local/local-target.js';
import { createLogStore } from '../../lib/local/log-store.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { verifyLogs } from '../../lib/verify/verify-logs.js';
import { verifyMetrics } from '../../lib/verify/verify-metrics.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'bad-data-'));
  dirs.push(d);
  return d;
}
function configFor(dataDir: string): KitConfig {
  return loadConfig({ target: 'local', local: { dataDir } }, {});
}

/** The error `work` throws: a KitError (never a raw TypeError or SyntaxError). */
async function kitErrorOf(work: () => unknown): Promise<KitError> {
  let caught: unknown;
  try {
    await work();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'an error').toBeInstanceOf(KitError);
  return caught as KitError;
}

describe('unreadable log lines', () => {
  it('are counted and reported with the file and line numbers, the rest loads', () => {
    const dir = tempDir();
    const a = createLogStore({ dataDir: dir });
    a.appendRows('customMetrics', [{ name: 'one' }, { name: 'two' }, { name: 'three' }]);
    a.close();
    const file = path.join(dir, 'logs', 'customMetrics.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    // Line 2 garbage, then valid JSON of the wrong shape, then a line cut short.
    lines.splice(1, 1, '{not json', '"a string"', '[1, [2]]');
    writeFileSync(file, `${lines.join('\n').trimEnd()}\n[17000, {"name": "cut`);
    const b = createLogStore({ dataDir: dir });
    expect(b.getTable('customMetrics')?.rows.map((r) => r.name)).toEqual(['one', 'three']);
    expect(b.unreadableLines()).toEqual([{ file, count: 4, lines: [2, 3, 4, 6] }]);
    // Appending after a cut line starts a fresh line; clearing forgets the report.
    b.appendRows('customMetrics', [{ name: 'four' }]);
    b.close();
    const c = createLogStore({ dataDir: dir });
    expect(c.getTable('customMetrics')?.rows.map((r) => r.name)).toEqual(['one', 'three', 'four']);
    expect(c.unreadableLines()[0]?.count).toBe(4);
    c.clear();
    expect(c.unreadableLines()).toEqual([]);
  });

  it('make E1 and E2 say the log file had N unreadable lines, not blame ingestion delay', async () => {
    const dir = tempDir();
    const first = createLocalTarget(configFor(dir));
    await first.deploy();
    await sendTraffic(first, 'bu');
    await sendTraffic(first, 'entra');
    await first.close();
    const file = path.join(dir, 'logs', 'ApiManagementGatewayLogs.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[2] = '{"garbage';
    lines[6] = 'null';
    writeFileSync(file, lines.join('\n'));
    const metrics = path.join(dir, 'logs', 'customMetrics.jsonl');
    const metricLines = readFileSync(metrics, 'utf8').split('\n');
    metricLines[0] = '[1, "not a row"]';
    writeFileSync(metrics, metricLines.join('\n'));

    // A kernel restart: a new target on the same data folder.
    const second = createLocalTarget(configFor(dir));
    try {
      await second.deploy();
      const progress: string[] = [];
      const err = await kitErrorOf(() =>
        verifyLogs(second, { timeoutMs: 500, onProgress: (p) => progress.push(p.message) }),
      );
      expect(err).toBeInstanceOf(LogStoreError);
      expect(err.message).toContain(`The log file ${file} had 2 unreadable line(s) (line 3, 7)`);
      expect(err.message).toMatch(/no more will arrive/);
      expect(err.message).toMatch(/Delete the file \(or run clean-up\) and run the traffic cells/);
      expect(err.message).not.toMatch(/Ingestion can take/);
      expect(progress.some((m) => m.includes(file) && m.includes('2 unreadable'))).toBe(true);
      // E2 likewise, for the metrics file.
      const e2 = await kitErrorOf(() => verifyMetrics(second, { timeoutMs: 500 }));
      expect(e2).toBeInstanceOf(LogStoreError);
      expect(e2.message).toContain(`The log file ${metrics} had 1 unreadable line(s) (line 1)`);
      expect(e2.message).not.toMatch(/Ingestion can take/);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('a log file replaced by a folder names the file and what to do', async () => {
    const dir = tempDir();
    const folder = path.join(dir, 'logs', 'ApiManagementGatewayLlmLog.jsonl');
    mkdirSync(folder, { recursive: true });
    const store = createLogStore({ dataDir: dir });
    const err = await kitErrorOf(() => store.getTable('ApiManagementGatewayLlmLog'));
    expect(err).toBeInstanceOf(LogStoreError);
    expect(err.message).toBe(
      `The log file ${folder} is a folder, not a log file: move it aside or delete it (clean-up does), then run the traffic cells again.`,
    );
  });
});

describe('a ledger of the wrong shape', () => {
  const cases: [string, string, RegExp][] = [
    ['truncated JSON', '{"version": 2, "runs": [{"source": "bu"', /is not valid JSON \(/],
    ['an array', '[1, 2, 3]', /has version undefined, not 2/],
    ['no runs', '{"version": 2, "runs": {"bu": 1}}', /has no list of 'runs'/],
    [
      'a run without requests',
      '{"version": 2, "runs": [{"source": "bu", "status": "done", "startedAt": "x"}]}',
      /has a run \(number 1\) without source, status, start and requests/,
    ],
    ['a number', '42', /is not a ledger object/],
  ];
  for (const [name, text, what] of cases) {
    it(`${name}: names the file and says to move it aside, delete it or run clean-up`, async () => {
      const config = configFor(tempDir());
      const file = ledgerPath(config);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      const err = await kitErrorOf(() => readLedger(config));
      expect(err.message).toContain(`The ledger ${file} `);
      expect(err.message).toMatch(what);
      expect(err.message).toMatch(
        /move it aside and run the traffic cells \(C1-D2\) again, or delete it \(clean-up.ipynb does\)/,
      );
      // The bad file is left for the user to look at, not overwritten.
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  }
  it('a folder in its place', async () => {
    const config = configFor(tempDir());
    mkdirSync(ledgerPath(config), { recursive: true });
    const err = await kitErrorOf(() => readLedger(config));
    expect(err.message).toContain(`The ledger ${ledgerPath(config)} is a folder, not a file`);
  });
});

describe('a garbage budget-alert record', () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['garbage', '\u0000\u0001 garbage', /is not valid JSON: /],
    ['a JSON string', '"hello"', /is not one cell B4 wrote/],
    [
      'a threshold that is not a number',
      '{"threshold": "10", "businessUnits": [], "registeredAt": "x"}',
      /is not one cell B4 wrote \(it needs threshold, businessUnits and registeredAt\)/,
    ],
    ['a folder', undefined, /is a folder, not a file: /],
  ];
  for (const [name, text, what] of cases) {
    it(`${name}: names the file and cell B4`, async () => {
      const dir = tempDir();
      const config = configFor(dir);
      const file = path.join(dir, DATA_FILES.budgetAlerts);
      if (text === undefined) mkdirSync(file);
      else writeFileSync(file, text);
      const err = await kitErrorOf(() => readBudgetAlerts(config));
      expect(err.message).toContain(`The budget-alert record ${file} `);
      expect(err.message).toMatch(what);
      expect(err.message).toMatch(/delete it and run cell B4 again to rewrite it\.$/);
    });
  }
});

describe('the local subscription keys file', () => {
  const subs = [
    { id: 'bu-hr', displayName: 'HR' },
    { id: 'bu-finance', displayName: 'Finance' },
  ];
  it('one key shared by two BUs: names both and what to do', async () => {
    const dir = tempDir();
    const file = path.join(dir, DATA_FILES.keys);
    const key = 'a'.repeat(32);
    writeFileSync(file, JSON.stringify({ 'bu-hr': key, 'bu-finance': key }));
    const err = await kitErrorOf(() => loadOrCreateKeys(dir, subs));
    expect(err.message).toContain(
      `The subscription keys file ${file} gives bu-hr and bu-finance the same key`,
    );
    expect(err.message).toMatch(/Remove one of the two entries, or delete it \(or run clean-up\)/);
    expect(err.message).not.toContain(key);
  });

  it('garbage or a folder: names the file, keeps it, says to delete it', async () => {
    const dir = tempDir();
    const file = path.join(dir, DATA_FILES.keys);
    writeFileSync(file, '{"bu-hr": "abc');
    const err = await kitErrorOf(() => loadOrCreateKeys(dir, subs));
    expect(err.message).toMatch(
      new RegExp(`^The subscription keys file ${file} is not valid JSON \\(.*\\): delete it`),
    );
    expect(readFileSync(file, 'utf8')).toBe('{"bu-hr": "abc');
    writeFileSync(file, '[]');
    expect((await kitErrorOf(() => loadOrCreateKeys(dir, subs))).message).toContain(
      'is not an object of subscription names to keys',
    );
    rmSync(file);
    mkdirSync(file);
    expect((await kitErrorOf(() => loadOrCreateKeys(dir, subs))).message).toContain(
      `The subscription keys file ${file} cannot be read (it is a folder)`,
    );
  });

  it('distinct keys load, and a missing file gets new distinct keys', () => {
    const dir = tempDir();
    const made = loadOrCreateKeys(dir, subs);
    expect(new Set(made.map((s) => s.primaryKey)).size).toBe(2);
    expect(loadOrCreateKeys(dir, subs)).toEqual(made);
  });
});
