/**
 * A kernel killed during D1 (SIGKILL, as a crash or a forced restart): the next kernel's Run All
 * marks the run `died`, and E3 matches while naming it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cellText, runNotebook } from '../../lib/internal/notebook-runner.js';
import { cellSource, journalRecords, root, runsOnDisk, until } from './run-sequences.js';

const dir = mkdtempSync(path.join(tmpdir(), 'costing-died-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The dead run's journal holds every finished request (and how many attempts the unfinished
// ones started); the log store writes a request's rows before its client can read the answer, so
// E1/E3 expect the finished ones exactly and the unfinished ones as a range naming the run.
describe('a kernel killed during D1', () => {
  it('leaves a died run that the next Run All names, with E3 matching', async () => {
    const dataDir = path.join(dir, 'data');
    const cells = [
      cellSource('A1'),
      cellSource('A2'),
      `(target as unknown as { setFaults(f: object): void }).setFaults({ addedLatencyMs: 60 });`,
      cellSource('D1'),
    ];
    const script = path.join(dir, 'kernel.cjs');
    writeFileSync(
      script,
      `const { openKernel } = require(${JSON.stringify(path.join(root, 'dist', 'internal', 'notebook-runner.js'))});
       (async () => { const k = openKernel(${JSON.stringify(root)});
         for (const c of ${JSON.stringify(cells)}) await k.execute(c); })();`,
    );
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, COSTING_DATA_DIR: dataDir },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    await until(() => journalRecords(dataDir) >= 30, 120_000, 'the child kernel to send D1');
    child.kill('SIGKILL');
    await exited;
    expect(runsOnDisk(dataDir).find((r) => r.source === 'ai')?.status).toBe('running');

    const saved = process.env.COSTING_DATA_DIR;
    process.env.COSTING_DATA_DIR = dataDir;
    try {
      const run = await runNotebook(path.join(root, 'create.ipynb'));
      const e3 = cellText(run.cells.find((c) => c.source.startsWith('// E3 '))!);
      const m = /Ledger vs workbook tiles \((\d+)\/(\d+) match\)/.exec(e3);
      expect(m![1], e3).toBe(m![2]);
      expect(e3).not.toContain('MISMATCH');
      expect(e3).toMatch(
        /D1 run D1-\S+ \(died\): its kernel went away mid-run; \d+ of its requests were in flight \(\d+ attempt\(s\) started\), so 0 to \d+ gateway row\(s\)/,
      );
      const e1 = cellText(run.cells.find((c) => c.source.startsWith('// E1 '))!);
      expect(e1).toMatch(/Gateway rows by run \(CorrelationId\): 0 row\(s\) no run explains/);
      const ai = runsOnDisk(dataDir).filter((r) => r.source === 'ai');
      expect(ai.map((r) => r.status)).toEqual(['died', 'done']);
      await runNotebook(path.join(root, 'clean-up.ipynb'));
    } finally {
      if (saved === undefined) delete process.env.COSTING_DATA_DIR;
      else process.env.COSTING_DATA_DIR = saved;
    }
  }, 300_000);
});
