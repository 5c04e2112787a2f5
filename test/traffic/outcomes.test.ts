/**
 * Timeouts and cut streams are outcomes (issue 12 item 7): a client timeout shorter than the
 * backend's latency ends `timed-out`, and the gateway still logs each attempt (ResponseCode 0,
 * ClientConnectionFailure, as APIM does); a stream cut mid-way ends `stream-cut`, logged as the
 * 200 the gateway had sent. The ledger predicts those rows exactly, E1 explains every row, and
 * E3 matches every tile and says how the workbook counts them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../lib/common/kql-rows.js';
import { loadConfig } from '../../lib/config/load-config.js';
import { readLedger } from '../../lib/ledger/ledger.js';
import type { LedgerEntry } from '../../lib/ledger/ledger-types.js';
import { createLocalTarget, type LocalTarget } from '../../lib/local/local-target.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { crossReference, type CrossReference } from '../../lib/verify/cross-reference.js';
import { verifyLogs } from '../../lib/verify/verify-logs.js';

let dataDir: string;
let target: LocalTarget;
let timedOutRun: LedgerEntry;
let cutRun: LedgerEntry;
let e3: CrossReference;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'outcomes-'));
  target = createLocalTarget(loadConfig({ target: 'local', local: { dataDir } }, {}));
  await target.deploy();
  // 1. The backend takes 1.5 s; the client waits 300 ms per attempt, once retried.
  target.setFaults({ addedLatencyMs: 1_500 });
  await sendTraffic(target, 'ai', {
    requestsPerBu: { 'bu-hr': 3 },
    requestTimeoutMs: 300,
    maxRetries: 1,
  });
  // 2. Every stream is cut halfway; nothing is retried, so each cut is the request's outcome.
  target.setFaults({ disconnectShare: 1, seed: 3 });
  await sendTraffic(target, 'ai', { requestsPerBu: { 'bu-finance': 6 }, maxRetries: 0 });
  target.setFaults({});
  const ledger = await readLedger(target.config);
  [timedOutRun, cutRun] = ledger.runs.filter((r) => r.source === 'ai') as [
    LedgerEntry,
    LedgerEntry,
  ];
  e3 = await crossReference(target);
}, 180_000);

afterAll(async () => {
  await target?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function gatewayRows(where: string): Promise<Record<string, unknown>[]> {
  const r = await target.queryLogs(`ApiManagementGatewayLogs | where ${where}`, {});
  return rowsOf(r.table);
}

describe('client timeouts and cut streams', () => {
  it('the ledger records a client timeout as timed-out, each attempt without a head', () => {
    const run = timedOutRun;
    expect(run.totals.sent).toBeGreaterThan(0);
    expect(run.requests.every((r) => r.outcome === 'timed-out')).toBe(true);
    expect(run.totals.timedOut).toBe(run.totals.sent);
    expect(run.totals.succeeded).toBe(0);
    expect(run.totals.attempts).toBe(2 * run.totals.sent);
    expect(run.totals.attemptsByStatus).toEqual({ timeout: run.totals.attempts });
  });

  it('the gateway logs every timed-out attempt as APIM does: ResponseCode 0, ClientConnectionFailure at forward-request', async () => {
    const rows = await gatewayRows("ApimSubscriptionId == 'bu-hr'");
    expect(rows).toHaveLength(timedOutRun.totals.attempts);
    for (const r of rows) {
      expect(r.ResponseCode).toBe(0);
      expect(r.LastErrorReason).toBe('ClientConnectionFailure');
      expect(r.LastErrorSource).toBe('forward-request');
    }
  });

  it('the ledger records a cut stream as stream-cut with the 200 the gateway logs', async () => {
    const cut = cutRun.requests.filter((r) => r.outcome === 'stream-cut');
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((r) => r.status === 200)).toBe(true);
    expect(cutRun.totals.streamCut).toBe(cut.length);
    // Non-streaming modes are not cut: they succeed.
    expect(cutRun.totals.succeeded).toBe(cutRun.totals.sent - cut.length);
    const ids = cut.map((r) => r.requestId);
    const rows = await gatewayRows("ApimSubscriptionId == 'bu-finance'");
    const logged = rows.filter((r) => ids.includes(String(r.CorrelationId)));
    expect(logged).toHaveLength(cut.length);
    expect(logged.every((r) => r.ResponseCode === 200)).toBe(true);
  });

  it('E1 explains every gateway row, the timed-out ones by their run and time', async () => {
    const e1 = await verifyLogs(target);
    expect(e1.expected.gatewayRows).toBe(timedOutRun.totals.attempts + cutRun.totals.attempts);
    expect(e1.runs.unexplainedRows).toBe(0);
    const mine = e1.runs.runs.find((r) => r.runId === timedOutRun.runId);
    expect(mine).toMatchObject({
      expectedRows: timedOutRun.totals.attempts,
      foundRows: timedOutRun.totals.attempts,
      rowsByTime: timedOutRun.totals.attempts,
    });
  });

  it('E3 matches every tile exactly and says how the workbook counts each outcome', () => {
    expect(e3.rows.filter((r) => !r.match)).toEqual([]);
    expect(e3.rows.filter((r) => r.explainedBy !== undefined)).toEqual([]);
    const tile = (name: string) => e3.rows.find((r) => r.tile === name)!;
    const cut = cutRun.totals.streamCut ?? 0;
    expect(tile('BU requests').workbook).toBe(timedOutRun.totals.attempts + cutRun.totals.attempts);
    expect(tile('Successful (no tokens)').workbook).toBe(cut);
    expect(tile('Successful (all 2xx)').workbook).toBe(cutRun.totals.sent);
    expect(tile('Server Errors (5xx)').workbook).toBe(0);
    const notes = e3.notes.join('\n');
    expect(notes).toContain(
      `D1 run ${timedOutRun.runId}: ${timedOutRun.totals.sent} request(s) timed out on the client after 0.3 s (${timedOutRun.totals.attempts} attempt(s) gave up before any response). The gateway logged each of those attempts anyway (ResponseCode 0, LastErrorReason ClientConnectionFailure), so the workbook counts them in BU requests, AI requests, the per-BU tiles and the cost shares, but in none of Successful (2xx), Client Errors (4xx) or Server Errors (5xx)`,
    );
    expect(notes).toContain(
      `D1 run ${cutRun.runId}: ${cut} stream(s) were cut mid-way after a 200 head. The gateway logged them with that status (the head had gone out, as on APIM), so the workbook counts ${cut} of them as Successful (all 2xx) and, with no tokens in the LLM log, as Successful (no tokens); the ledger records them as stream-cut, not succeeded.`,
    );
  });
});
