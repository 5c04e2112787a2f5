// `npm run bench`: runs every benchmark under scripts/bench/ in name order and prints figures.
// Pass names to run a subset: `npm run bench -- kql traffic`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';

// The figures are the kernel's: the bench runs in the environment the kernelspec gives the
// kernel (lib/kql/process-env.ts), restarting itself in it when started without.
// `BENCH_PLAIN_ENV=1` keeps the environment as it is, to measure what the settings change.
const { ENGINE_PROCESS_ENV, hasEngineProcessEnv } = createRequire(import.meta.url)(
  '../dist/kql/process-env.js',
);
if (!hasEngineProcessEnv() && process.env.BENCH_PLAIN_ENV !== '1') {
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...ENGINE_PROCESS_ENV },
  });
  process.exit(r.status ?? 1);
}
console.log(
  hasEngineProcessEnv()
    ? `engine process environment (as the kernel's): ${JSON.stringify(ENGINE_PROCESS_ENV)}`
    : "plain environment (BENCH_PLAIN_ENV=1): without the kernel's allocator settings",
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
