/**
 * The engine's V8 flags (lib/kql/engine-flags.ts) do what they are there for: with a large
 * live heap, as the store's columns at millions of rows are, allocating and dropping query-sized
 * typed arrays runs far fewer full collections than Node's default, which starts one for every
 * 64 MB of them whatever the heap's size.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { ENGINE_NODE_FLAGS, missingEngineFlags } from '../../lib/kql/engine-flags.js';

// 512 MB kept (the store), then 60 columns of 32 MB allocated, filled and dropped (queries);
// V8's GC trace lines name each full collection.
const PROBE = `
const live = Array.from({ length: 16 }, () => new Float64Array(4e6).fill(1));
// The last few columns stay referenced a while (an operator's output read by the next), so
// they outlive the young generation as query columns do.
const recent = [];
let sum = 0;
for (let i = 0; i < 60; i++) {
  const col = new Float64Array(4e6).fill(i);
  recent.push(col);
  if (recent.length > 3) recent.shift();
  for (let j = 0; j < 20000; j++) recent.push({ j }) && recent.pop();
  sum += col[i];
}
console.log(sum > 0 && live.length);
`;

function majorCollections(flags: readonly string[]): number {
  const r = spawnSync(process.execPath, ['--trace-gc', ...flags, '-e', PROBE], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout.split('\n')).toContain('16');
  return r.stdout.split('\n').filter((l) => l.includes('Mark-Compact')).length;
}

describe('the engine V8 flags', () => {
  test('are reported missing until each is on the command line', () => {
    expect(missingEngineFlags([])).toEqual([...ENGINE_NODE_FLAGS]);
    expect(missingEngineFlags(['--inspect', ...ENGINE_NODE_FLAGS])).toEqual([]);
    expect(missingEngineFlags(ENGINE_NODE_FLAGS.slice(1))).toEqual([ENGINE_NODE_FLAGS[0]]);
  });

  test('collect in proportion to the heap, not every 64 MB of typed arrays', () => {
    const plain = majorCollections([]);
    const flagged = majorCollections(ENGINE_NODE_FLAGS);
    expect(plain).toBeGreaterThanOrEqual(10);
    expect(flagged).toBeLessThan(plain / 2);
  });
});
