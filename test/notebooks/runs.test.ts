/**
 * Run integrity in one in-process kernel (issue 12): Run All; D1 again; C2 again; D1 interrupted
 * half-way and run again; D1 run again while a run of it still sends. After each step E3
 * matches every tile exactly, and E1/E2 explain every row by the runs in the ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellText, openKernel, type InProcessKernel } from '../../lib/internal/notebook-runner.js';
import {
  TAGS,
  cellSource,
  expectVerified,
  journalRecords,
  root,
  runsOnDisk,
  until,
} from './run-sequences.js';

const SLOW = `(target as unknown as { setFaults(f: object): void }).setFaults({ addedLatencyMs: 60 });`;
const FAST = `(target as unknown as { setFaults(f: object): void }).setFaults({});`;

describe('runs in one kernel: re-runs and interrupts never double-count', () => {
  let dataDir: string;
  let kernel: InProcessKernel;
  const saved = process.env.COSTING_DATA_DIR;
  const run = (tag: string) => kernel.execute(cellSource(tag));
  const verify = async (step: string) =>
    expectVerified(await run('E1'), await run('E2'), await run('E3'), step);

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'costing-runs-'));
    process.env.COSTING_DATA_DIR = dataDir;
    kernel = openKernel(root);
  });
  afterAll(async () => {
    await kernel.execute('await target.close();');
    kernel.close();
    if (saved === undefined) delete process.env.COSTING_DATA_DIR;
    else process.env.COSTING_DATA_DIR = saved;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Run All, then E1-E3 match', async () => {
    for (const tag of TAGS) expect((await run(tag)).ok, tag).toBe(true);
    await verify('Run All');
  }, 300_000);

  it('D1 again: both D1 runs are counted, E1 names them', async () => {
    expect((await run('D1')).ok).toBe(true);
    const { e1 } = await verify('D1 again');
    expect(runsOnDisk(dataDir).filter((r) => r.source === 'ai')).toHaveLength(2);
    expect(e1).toMatch(/The window holds \d+ runs/);
    expect(e1).toMatch(/D1 run D1-\S+ \(done\) 126, .*D1 run D1-\S+ \(done\) 126/);
  }, 300_000);

  it('C2 again', async () => {
    expect((await run('C2')).ok).toBe(true);
    await verify('C2 again');
    expect(runsOnDisk(dataDir).filter((r) => r.source === 'entra')).toHaveLength(2);
  }, 300_000);

  it('D1 interrupted half-way stops within a second as an aborted run; D1 again', async () => {
    expect((await kernel.execute(SLOW)).ok).toBe(true);
    const before = runsOnDisk(dataDir).length;
    const d1 = run('D1');
    await until(() => journalRecords(dataDir) >= 40, 60_000, 'D1 to send 40 requests');
    const t0 = Date.now();
    kernel.interrupt();
    const cell = await d1;
    expect(cell.ok).toBe(false);
    await until(
      () => runsOnDisk(dataDir).some((r) => r.source === 'ai' && r.status === 'aborted'),
      1_500,
      'the aborted run in the ledger',
    );
    expect(Date.now() - t0).toBeLessThan(1_500);
    const aborted = runsOnDisk(dataDir).find((r) => r.status === 'aborted')!;
    expect(runsOnDisk(dataDir)).toHaveLength(before + 1);
    expect(aborted.totals.sent).toBeGreaterThanOrEqual(40);
    expect(aborted.totals.sent).toBeLessThan(aborted.totals.planned);
    expect(aborted.reason).toContain('the kernel was interrupted');
    // Nothing more is sent once it stopped.
    const sent = aborted.totals.sent;
    await new Promise((r) => setTimeout(r, 300));
    expect(runsOnDisk(dataDir).find((r) => r.runId === aborted.runId)?.totals.sent).toBe(sent);
    await verify('D1 interrupted');
    expect((await kernel.execute(FAST)).ok).toBe(true);
    expect((await run('D1')).ok).toBe(true);
    await verify('D1 interrupted, then run again');
  }, 300_000);

  it('D1 run while its previous run still sends stops that run first', async () => {
    expect((await kernel.execute(SLOW)).ok).toBe(true);
    const loose = `void kit.sendTraffic(target, 'ai', {}).catch(() => undefined);`;
    expect((await kernel.execute(loose)).ok).toBe(true);
    await until(() => journalRecords(dataDir) >= 10, 60_000, 'the loose D1 run to send');
    expect((await kernel.execute(FAST)).ok).toBe(true);
    const d1 = await run('D1');
    expect(d1.ok, cellText(d1)).toBe(true);
    const ai = runsOnDisk(dataDir).filter((r) => r.source === 'ai');
    expect(ai.at(-2)?.status).toBe('aborted');
    expect(ai.at(-2)?.reason).toContain('D1 was run again');
    expect(ai.at(-1)?.status).toBe('done');
    await verify('D1 over a running D1');
  }, 300_000);
});
