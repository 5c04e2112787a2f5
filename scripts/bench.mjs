// `npm run bench`: runs every benchmark under scripts/bench/ in name order and prints figures.
// Pass names to run a subset: `npm run bench -- kql traffic`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';

// The figures are the kernel's: the bench runs with the V8 flags the kernelspec gives the
// kernel (lib/kql/engine-flags.ts), restarting itself with them when started without.
// `BENCH_PLAIN_NODE=1` runs without them, to measure what they change.
const { ENGINE_NODE_FLAGS, missingEngineFlags } = createRequire(import.meta.url)(
  '../dist/kql/engine-flags.js',
);
const plain = process.env.BENCH_PLAIN_NODE === '1';
if (!plain && missingEngineFlags().length > 0) {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, ...missingEngineFlags(), ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}
console.log(
  plain
    ? `plain Node (BENCH_PLAIN_NODE=1), without the kernel's flags ${ENGINE_NODE_FLAGS.join(' ')}`
    : `Node flags as the kernel's: ${ENGINE_NODE_FLAGS.join(' ')}`,
);

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const file of files) {
  console.log(`\n=== bench: ${file.replace(/\.mjs$/, '')} ===`);
  const mod = await import(pathToFileURL(path.join(dir, file)).href);
  await mod.default();
}
