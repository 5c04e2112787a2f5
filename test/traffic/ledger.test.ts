import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig } from '../../lib/config/types.js';
import {
  buildLedgerEntry,
  clearLedger,
  ledgerPath,
  readLedger,
  summarizeRecords,
  writeLedgerEntry,
} from '../../lib/ledger/ledger.js';
import type { LedgerEntryHead, RequestRecord } from '../../lib/ledger/ledger-types.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { json, startTinyGateway, tinyTarget } from './tiny-gateway.js';

let dataDir: string;
let config: KitConfig;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ledger-'));
  config = loadConfig({ local: { dataDir } }, {});
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const head = (source: LedgerEntryHead['source']): LedgerEntryHead => ({
  source,
  cell: 'X',
  status: 'completed',
  target: 'local',
  gatewayUrl: 'http://127.0.0.1:1',
  apiId: 'api',
  startedAt: new Date(0).toISOString(),
});

const records: RequestRecord[] = [
  {
    index: 0,
    bu: 'bu-hr',
    kind: 'ok',
    outcome: 'succeeded',
    status: 200,
    attempts: [
      { status: 429, durationMs: 1 },
      { status: 200, durationMs: 1 },
    ],
    model: 'm',
    mode: 0,
    usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 },
  },
  {
    index: 1,
    bu: 'bu-hr',
    kind: 'ok',
    outcome: 'failed-status',
    status: 500,
    attempts: [{ status: 500, durationMs: 1 }],
    model: 'm',
    mode: 1,
  },
  {
    index: 2,
    bu: 'bu-sales',
    kind: 'ok',
    outcome: 'stream-cut',
    status: 200,
    error: 'stream-interrupted',
    attempts: [{ status: 200, error: 'stream-interrupted', durationMs: 1 }],
    model: 'm',
    mode: 1,
  },
  { index: 3, bu: 'bu-sales', kind: 'ok', outcome: 'not-sent', attempts: [], model: 'm', mode: 2 },
];

describe('ledger', () => {
  it('derives every count from the records', () => {
    const t = summarizeRecords(records);
    expect(t).toEqual({
      planned: 4,
      sent: 3,
      delivered: 2,
      succeeded: 1,
      failedByStatus: { '500': 1 },
      networkFailures: 1,
      networkErrors: { 'stream-interrupted': 1 },
      timedOut: 0,
      streamCut: 1,
      attempts: 4,
      retries: 1,
      attemptsByStatus: { '429': 1, '200': 2, '500': 1 },
      withUsage: 1,
      promptTokens: 3,
      completionTokens: 4,
      totalTokens: 7,
    });
    const entry = buildLedgerEntry(head('ai'), records);
    expect(Object.keys(entry.byBu)).toEqual(['bu-hr', 'bu-sales']);
    expect(entry.byMode['1']?.sent).toBe(2);
    expect(entry.byBuModelMode.map((c) => `${c.bu}/${c.mode}:${c.counts.planned}`)).toEqual([
      'bu-hr/0:1',
      'bu-hr/1:1',
      'bu-sales/1:1',
      'bu-sales/2:1',
    ]);
  });

  it('sees a change another process made to the file before replacing its own entry', async () => {
    await writeLedgerEntry(config, 'bu', buildLedgerEntry(head('bu'), records));
    const file = ledgerPath(config);
    const other = JSON.parse(await readFile(file, 'utf8')) as { runs: unknown[] };
    other.runs.push(buildLedgerEntry(head('entra'), records.slice(0, 1)));
    await writeFile(file, JSON.stringify(other), 'utf8');
    await writeLedgerEntry(config, 'ai', buildLedgerEntry(head('ai'), records));
    const ledger = await readLedger(config);
    expect(Object.keys(ledger.sources).sort()).toEqual(['ai', 'bu', 'entra']);
    await writeLedgerEntry(config, 'bu', undefined);
    expect(Object.keys((await readLedger(config)).sources).sort()).toEqual(['ai', 'entra']);
    await clearLedger(config);
    expect((await readLedger(config)).sources).toEqual({});
  });

  it('keeps both entries when two cells run at once', async () => {
    const g = await startTinyGateway(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 2));
      json(res, 200, {});
    });
    try {
      const target = tinyTarget(config, g.url);
      const [bu, entra] = await Promise.all([
        sendTraffic(target, 'bu', { errorShare: 0 }),
        sendTraffic(target, 'entra', {}),
      ]);
      const ledger = await readLedger(config);
      expect(ledger.sources.bu?.totals.succeeded).toBe(bu.succeeded);
      expect(ledger.sources.entra?.totals.succeeded).toBe(entra.succeeded);
      expect(bu.succeeded + entra.succeeded).toBe(g.seen.length);
    } finally {
      await g.close();
    }
  });

  it('keeps the ledger on disk current while a run is in progress', async () => {
    const g = await startTinyGateway(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 3));
      json(res, 200, {});
    });
    const snapshots: Array<{ status: string; succeeded: number; done: number }> = [];
    try {
      const target = tinyTarget(config, g.url);
      let reading: Promise<void> = Promise.resolve();
      await sendTraffic(target, 'bu', {
        errorShare: 0,
        concurrency: 2,
        onProgress: (e) => {
          // Read what a killed kernel would leave behind, while the run goes on.
          reading = reading.then(async () => {
            const entry = (await readLedger(config)).sources.bu;
            snapshots.push({
              status: entry?.status ?? 'none',
              succeeded: entry?.totals.succeeded ?? -1,
              done: e.done ?? 0,
            });
          });
        },
      });
      await reading;
    } finally {
      await g.close();
    }
    const running = snapshots.filter((s) => s.status === 'running');
    expect(running.length).toBeGreaterThan(0);
    // Mid-run snapshots already hold completed requests.
    expect(running.some((s) => s.succeeded > 0)).toBe(true);
    expect((await readLedger(config)).sources.bu?.status).toBe('done');
  });
});
