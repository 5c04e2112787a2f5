/**
 * Issue 12's sequences through real Jupyter: one tslab kernel behind the Notebook server, cells
 * sent over its WebSocket, the interrupt through the server's REST API (SIGINT to the kernel, as
 * the notebook's Kernel > Interrupt). Run All; D1 again; C2 again; D1 interrupted half-way and
 * run again; after each step E1-E3. Then keys sent in the query string under every spelling:
 * no full key in the logs, the ledger or any output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FILES } from '../../lib/artifacts/names.js';
import { cellText, type CellRun } from '../../lib/internal/notebook-runner.js';
import {
  TAGS,
  cellSource,
  expectVerified,
  journalRecords,
  root,
  runsOnDisk,
  until,
} from '../notebooks/run-sequences.js';
import { startRealKernel, type RealKernel } from './kernel-client.js';
import { startNotebookServer, type NotebookServer } from './notebook-server.js';

const SLOW = `(target as unknown as { setFaults(f: object): void }).setFaults({ addedLatencyMs: 60 });`;
const FAST = `(target as unknown as { setFaults(f: object): void }).setFaults({});`;

/** Every query-parameter spelling of the key a gateway might take. */
const SPELLINGS = [
  'subscription-key',
  'Subscription-Key',
  'SUBSCRIPTION-KEY',
  'subscription%2Dkey',
  'subscription%2dkey',
  '%73ubscription-key',
  'api-key',
  'API-Key',
];

describe('run integrity through real Jupyter (one tslab kernel)', () => {
  let server: NotebookServer;
  let kernel: RealKernel;
  let dataDir: string;
  const outputs: CellRun[] = [];
  const execute = async (code: string): Promise<CellRun> => {
    const r = await kernel.execute(code);
    outputs.push(r);
    return r;
  };
  const run = (tag: string): Promise<CellRun> => execute(cellSource(tag));
  const verify = async (step: string): Promise<{ e1: string; e3: string }> =>
    expectVerified(await run('E1'), await run('E2'), await run('E3'), step);

  beforeAll(async () => {
    server = await startNotebookServer(root, ['create.ipynb']);
    // The helper gives the server (and so the kernel) a private data folder.
    dataDir = path.join(path.dirname(server.notebookDir), 'costing-data');
    kernel = await startRealKernel(server);
  }, 120_000);

  afterAll(async () => {
    await kernel?.execute('await target.close();', 30_000).catch(() => undefined);
    await kernel?.close();
    await server?.stop();
  }, 60_000);

  it('Run All, then E1-E3 match', async () => {
    for (const tag of TAGS) {
      const r = await run(tag);
      expect(r.ok, `${tag}: ${cellText(r)}`).toBe(true);
    }
    await verify('Run All');
  }, 180_000);

  it('D1 again: both D1 runs are counted, E1 names them', async () => {
    expect((await run('D1')).ok).toBe(true);
    const { e1 } = await verify('D1 again');
    expect(runsOnDisk(dataDir).filter((r) => r.source === 'ai')).toHaveLength(2);
    expect(e1).toMatch(/D1 run D1-\S+ \(done\) 126, .*D1 run D1-\S+ \(done\) 126/);
  }, 120_000);

  it('C2 again', async () => {
    expect((await run('C2')).ok).toBe(true);
    await verify('C2 again');
    expect(runsOnDisk(dataDir).filter((r) => r.source === 'entra')).toHaveLength(2);
  }, 120_000);

  it('D1 interrupted half-way stops within a second as an aborted run; D1 again', async () => {
    expect((await execute(SLOW)).ok).toBe(true);
    const before = runsOnDisk(dataDir).length;
    const d1 = run('D1');
    await until(() => journalRecords(dataDir) >= 40, 60_000, 'D1 to send 40 requests');
    const t0 = Date.now();
    await kernel.interrupt();
    await until(
      () => runsOnDisk(dataDir).some((r) => r.source === 'ai' && r.status === 'aborted'),
      1_500,
      'the aborted run in the ledger',
    );
    expect(Date.now() - t0).toBeLessThan(1_500);
    const cell = await d1;
    expect(cell.ok, cellText(cell)).toBe(false);
    const aborted = runsOnDisk(dataDir).find((r) => r.status === 'aborted')!;
    expect(runsOnDisk(dataDir)).toHaveLength(before + 1);
    expect(aborted.totals.sent).toBeGreaterThanOrEqual(40);
    expect(aborted.totals.sent).toBeLessThan(aborted.totals.planned);
    expect(aborted.reason).toContain('the kernel was interrupted');
    const sent = aborted.totals.sent;
    await new Promise((r) => setTimeout(r, 300));
    expect(runsOnDisk(dataDir).find((r) => r.runId === aborted.runId)?.totals.sent).toBe(sent);
    await verify('D1 interrupted');
    expect((await execute(FAST)).ok).toBe(true);
    expect((await run('D1')).ok).toBe(true);
    await verify('D1 interrupted, then run again');
  }, 120_000);

  it('keys in the query string under every spelling: no full key in the logs, ledger or outputs', async () => {
    // The cell reads the key itself, so the key is in no cell source either.
    const send = `
const queryKeyStatuses: Record<string, number> = {};
{
  const saved = JSON.parse((await import('node:fs')).readFileSync(${JSON.stringify(path.join(dataDir, DATA_FILES.keys))}, 'utf8')) as Record<string, string>;
  const key = saved[target.config.businessUnits[0]!.name]!;
  for (const name of ${JSON.stringify(SPELLINGS)}) {
    const res = await fetch(target.requireDeployment().apis.costing.url + '/get?' + name + '=' + key, { signal: AbortSignal.timeout(10_000) });
    await res.text();
    queryKeyStatuses[name] = res.status;
  }
}
console.log(JSON.stringify(queryKeyStatuses));`;
    const r = await execute(send);
    expect(r.ok, cellText(r)).toBe(true);
    const statuses = JSON.parse(cellText(r).trim().split('\n').at(-1) ?? '{}') as Record<
      string,
      number
    >;
    // The spellings that authenticate did: their requests are logged with the BU's id.
    expect(statuses['subscription-key']).toBe(200);
    expect(statuses['subscription%2Dkey']).toBe(200);
    const e1 = await run('E1');
    expect(e1.ok, cellText(e1)).toBe(true);

    const keys = Object.values(
      JSON.parse(readFileSync(path.join(dataDir, DATA_FILES.keys), 'utf8')) as Record<
        string,
        string
      >,
    );
    expect(keys.length).toBeGreaterThan(0);
    const files = readdirSync(dataDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== DATA_FILES.keys)
      .map((e) => path.join(e.parentPath, e.name));
    expect(files.some((f) => f.endsWith('.jsonl'))).toBe(true);
    expect(files).toContain(path.join(dataDir, DATA_FILES.ledger));
    const logged = readFileSync(
      path.join(dataDir, 'logs', 'ApiManagementGatewayLogs.jsonl'),
      'utf8',
    );
    expect(logged).toMatch(/subscription%2Dkey=\*\*\*/i);
    const everything = [
      ...files.map((f) => readFileSync(f, 'utf8')),
      ...outputs.map((o) => JSON.stringify(o.outputs)),
    ].join('\n');
    for (const key of keys) {
      expect(everything.toLowerCase()).not.toContain(key.toLowerCase());
      expect(everything).not.toContain(encodeURIComponent(key));
    }
  }, 60_000);
});

// The kill and restart go through Jupyter's own API, as a user's Kernel > Restart after a crash.
describe('a tslab kernel killed during D1, then restarted through Jupyter', () => {
  let server: NotebookServer;
  let kernel: RealKernel;
  let dataDir: string;

  beforeAll(async () => {
    server = await startNotebookServer(root, ['create.ipynb']);
    dataDir = path.join(path.dirname(server.notebookDir), 'costing-data');
    kernel = await startRealKernel(server);
  }, 120_000);

  afterAll(async () => {
    await kernel?.execute('await target.close();', 30_000).catch(() => undefined);
    await kernel?.close();
    await server?.stop();
  }, 60_000);

  it('leaves a died run that the next Run All names, with E3 matching', async () => {
    const pid = Number(cellText(await kernel.execute('console.log(process.pid)')).trim());
    expect(pid).toBeGreaterThan(0);
    for (const code of [cellSource('A1'), cellSource('A2'), SLOW])
      expect((await kernel.execute(code)).ok).toBe(true);
    void kernel.execute(cellSource('D1')).catch(() => undefined);
    await until(() => journalRecords(dataDir) >= 30, 60_000, 'the kernel to send D1');
    process.kill(pid, 'SIGKILL');
    expect(runsOnDisk(dataDir).find((r) => r.source === 'ai')?.status).toBe('running');
    await kernel.restart();

    const cells: CellRun[] = [];
    for (const tag of TAGS) {
      const r = await kernel.execute(cellSource(tag));
      expect(r.ok, `${tag}: ${cellText(r)}`).toBe(true);
      cells.push(r);
    }
    const e3 = cellText(cells[TAGS.indexOf('E3')]!);
    const m = /Ledger vs workbook tiles \((\d+)\/(\d+) match\)/.exec(e3);
    expect(m, e3).not.toBeNull();
    expect(m![1], e3).toBe(m![2]);
    expect(e3).not.toContain('MISMATCH');
    expect(e3).toMatch(
      /D1 run D1-\S+ \(died\): its kernel went away mid-run; \d+ of its requests were in flight/,
    );
    expect(
      runsOnDisk(dataDir)
        .filter((r) => r.source === 'ai')
        .map((r) => r.status),
    ).toEqual(['died', 'done']);
  }, 180_000);
});
