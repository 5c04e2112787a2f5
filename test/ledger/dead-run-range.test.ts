/**
 * The range rule for a dead run (issue 12 item 3): its finished requests are expected exactly,
 * its requests without an outcome as 0 to one row per attempt its journal saw start, and only the
 * tiles those rows can reach are read as a range; every other tile stays exact.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig } from '../../lib/config/types.js';
import { expectedLogCounts } from '../../lib/ledger/expected-logs.js';
import { buildLedgerEntry, readLedger, writeLedgerEntry } from '../../lib/ledger/ledger.js';
import type { Ledger, LedgerEntry, RequestRecord } from '../../lib/ledger/ledger-types.js';
import { journalPath } from '../../lib/ledger/run-journal.js';
import type { Deployment } from '../../lib/target.js';
import { compareTile } from '../../lib/verify/tile-ranges.js';
import { tileTruths, type TileTruth } from '../../lib/verify/tile-truths.js';

const AOAI = 'azure-openai-api';
const deployment = {
  apis: { aoai: { apiId: AOAI }, tokenTracking: { apiId: 'token-tracking-api' } },
} as unknown as Deployment;

let dataDir: string;
let config: KitConfig;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'dead-run-'));
  config = loadConfig({ local: { dataDir } }, {});
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const ok = (index: number, bu: string, id: string, tokens = 10): RequestRecord => ({
  index,
  bu,
  kind: 'ok',
  caller: 'app-1',
  model: 'gpt-4o-mini',
  mode: 0,
  outcome: 'succeeded',
  status: 200,
  requestId: id,
  attempts: [{ status: 200, requestId: id, durationMs: 5 }],
  usage: { promptTokens: tokens, completionTokens: tokens, totalTokens: 2 * tokens },
});

const notSent = (index: number, bu: string): RequestRecord => ({
  index,
  bu,
  kind: 'ok',
  caller: 'app-1',
  model: 'gpt-4o-mini',
  mode: 0,
  outcome: 'not-sent',
  attempts: [],
});

function d1Run(status: LedgerEntry['status'], records: RequestRecord[], pid?: number): LedgerEntry {
  return buildLedgerEntry(
    {
      runId: 'D1-test-run',
      ...(pid !== undefined ? { pid } : {}),
      source: 'ai',
      cell: 'D1',
      status,
      target: 'local',
      gatewayUrl: 'http://127.0.0.1:1',
      apiId: AOAI,
      startedAt: new Date().toISOString(),
    },
    records,
  );
}

/** A run left `running` by a pid that is gone, with a journal of what it sent. */
async function deadRunOnDisk(): Promise<Ledger> {
  // Plan: 0-1 finished (hr, finance); 2 in flight on its first attempt (finance); 3 in flight
  // on its third attempt (finance); 4 never started (hr).
  const plan = [
    notSent(0, 'bu-hr'),
    notSent(1, 'bu-finance'),
    notSent(2, 'bu-finance'),
    notSent(3, 'bu-finance'),
    notSent(4, 'bu-hr'),
  ];
  await writeLedgerEntry(config, 'ai', d1Run('running', plan, 2 ** 22 + 12345));
  const file = journalPath(config, 'D1-test-run');
  mkdirSync(path.dirname(file), { recursive: true });
  const lines = [
    { s: 0 },
    { s: 1 },
    { s: 2 },
    { s: 3 },
    { r: ok(0, 'bu-hr', 'id-0') },
    { s: 3, a: 2 },
    { r: ok(1, 'bu-finance', 'id-1') },
    { s: 3, a: 3 },
  ];
  await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"r":{"ind');
  return readLedger(config);
}

const find = (truths: TileTruth[], item: string, tile: string): TileTruth => {
  const t = truths.find((x) => x.item === item && x.tile === tile);
  if (!t) throw new Error(`no tile ${item} / ${tile}`);
  return t;
};

describe('a dead run as a range', () => {
  it('marks the run died with the journal: finished exact, in-flight as one unsure row per started attempt', async () => {
    const ledger = await deadRunOnDisk();
    const run = ledger.runs[0]!;
    expect(run.status).toBe('died');
    expect(run.inFlightAtDeath).toBe(2);
    expect(run.requests.map((r) => r.outcome)).toEqual([
      'succeeded',
      'succeeded',
      'failed-network',
      'failed-network',
      'not-sent',
    ]);
    const expected = expectedLogCounts(ledger);
    expect(expected.gatewayRows).toBe(2);
    // Request 2: one attempt; request 3: three attempts (its journal saw two retries start).
    expect(expected.gatewayRowsMax).toBe(2 + 1 + 3);
    expect(expected.uncertainRows).toEqual([
      {
        runId: 'D1-test-run',
        cell: 'D1',
        subscription: 'bu-finance',
        apiId: AOAI,
        caller: 'app-1',
        llm: true,
        requests: 2,
        rows: 4,
      },
    ]);
  });

  it('reads only the tiles unsure rows can reach as a range; the others stay exact', async () => {
    const ledger = await deadRunOnDisk();
    const expected = expectedLogCounts(ledger);
    const truths = tileTruths(expected, deployment, config);
    const bu = find(truths, 'overview-headline', 'BU requests');
    expect([bu.truth, bu.high]).toEqual([2, 6]);
    const finance = find(truths, 'ai-tiles-inbound-per-bu', 'finance');
    expect([finance.truth, finance.high]).toEqual([1, 5]);
    // HR sent nothing that is unsure: its request tile is exact.
    const hr = find(truths, 'ai-tiles-inbound-per-bu', 'hr');
    expect([hr.truth, hr.high, hr.low]).toEqual([1, undefined, undefined]);
    // Tokens of an answer the ledger never saw: only the floor is known.
    expect(find(truths, 'ai-tiles-tokens', 'Total Tokens').high).toBe(Infinity);
    // HR's share of the base cost can only fall (finance may have more rows), finance's only rise.
    const hrCost = find(truths, 'subscription-cost-allocation', 'hr');
    expect(hrCost.low).toBeLessThan(hrCost.truth);
    expect(hrCost.high).toBeUndefined();
    const fiCost = find(truths, 'subscription-cost-allocation', 'finance');
    expect(fiCost.high).toBeGreaterThan(fiCost.truth);
    expect(fiCost.low).toBeUndefined();

    // In range: a match that names the dead run and the range.
    const inRange = compareTile(bu, 4, expected);
    expect(inRange.match).toBe(true);
    expect(inRange.explainedBy).toBe(
      'D1 run D1-test-run died with 2 request(s) that may be in the logs without an outcome, so this tile may show 2 to 6; 2 such row(s) are in the logs',
    );
    // Below what is certain, or above certain + unsure: a mismatch.
    expect(compareTile(bu, 1, expected).match).toBe(false);
    expect(compareTile(bu, 7, expected).match).toBe(false);
    // An exact tile one off is a mismatch, whatever the dead run left.
    expect(compareTile(hr, 2, expected)).toMatchObject({ match: false });
    expect(compareTile(hr, 1, expected).explainedBy).toBeUndefined();
  });

  it('without a dead run every tile is exact', () => {
    const ledger: Ledger = {
      version: 2,
      updatedAt: '',
      runs: [d1Run('done', [ok(0, 'bu-hr', 'a'), ok(1, 'bu-finance', 'b')])],
      sources: {},
    };
    const expected = expectedLogCounts(ledger);
    expect(expected.gatewayRowsMax).toBe(expected.gatewayRows);
    for (const t of tileTruths(expected, deployment, config)) {
      expect(t.high, t.tile).toBeUndefined();
      expect(t.low, t.tile).toBeUndefined();
    }
  });
});
