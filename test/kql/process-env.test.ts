/**
 * The engine's process environment (lib/kql/process-env.ts) does what it is there for: a
 * process started with it reuses the memory of freed large typed arrays instead of faulting
 * in fresh pages for each one, as every query at millions of rows allocates them.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ENGINE_PROCESS_ENV, hasEngineProcessEnv } from '../../lib/kql/process-env.js';

// Allocates, fills and drops 96 MB buffers (a 12M-row Float64Array) and prints the page faults
// the loop took. The collections between rounds free them, as the engine's queries do.
const PROBE = `
const before = process.resourceUsage().minorPageFault;
for (let i = 0; i < 12; i++) {
  new Float64Array(12e6).fill(1);
  if (i % 2 === 1) globalThis.gc();
}
console.log(process.resourceUsage().minorPageFault - before);
`;

function faults(env: NodeJS.ProcessEnv): number {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', PROBE], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
const glibc = process.platform === 'linux' && report.header?.glibcVersionRuntime !== undefined;

describe('the engine process environment', () => {
  test('is recognised only when every setting is present', () => {
    expect(hasEngineProcessEnv({ ...ENGINE_PROCESS_ENV })).toBe(true);
    expect(hasEngineProcessEnv({})).toBe(false);
    for (const k of Object.keys(ENGINE_PROCESS_ENV))
      expect(hasEngineProcessEnv({ ...ENGINE_PROCESS_ENV, [k]: 'other' })).toBe(false);
  });

  test.runIf(glibc)('reuses freed large buffers instead of faulting in fresh pages', () => {
    const plain = { ...process.env };
    for (const k of Object.keys(ENGINE_PROCESS_ENV)) delete plain[k];
    const without = faults(plain);
    const withEnv = faults({ ...plain, ...ENGINE_PROCESS_ENV });
    // 12 x 96 MB fresh is ~280K faults of 4 KB; reused, only the first buffers fault.
    expect(without).toBeGreaterThan(200_000);
    expect(withEnv).toBeLessThan(without / 3);
  });
});
