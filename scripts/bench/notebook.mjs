// Run All wall time of create.ipynb on the local target (default configuration), split by
// phase (A-F, from the `// <cell id>` tag on each code cell's first line), in-process through
// tslab's executor like `npm test` does. A fresh data folder keeps earlier runs out of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default async function bench() {
  const { runNotebook } = await import(path.join(root, 'dist', 'internal', 'notebook-runner.js'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'costing-bench-nb-'));
  const saved = process.env.COSTING_DATA_DIR;
  process.env.COSTING_DATA_DIR = dataDir;
  try {
    const run = await runNotebook(path.join(root, 'create.ipynb'));
    const phases = new Map();
    for (const cell of run.cells) {
      const tag = /^\s*\/\/\s*([A-F]\d?)\b/.exec(cell.source)?.[1] ?? '?';
      const phase = tag[0];
      phases.set(phase, (phases.get(phase) ?? 0) + cell.elapsedMs);
      console.log(
        `  cell ${String(cell.cellNumber).padStart(2)} ${tag.padEnd(3)} ${(cell.elapsedMs / 1000).toFixed(2).padStart(7)} s`,
      );
    }
    console.log('  by phase:');
    for (const [phase, ms] of [...phases.entries()].sort())
      console.log(`    ${phase}: ${(ms / 1000).toFixed(2)} s`);
    console.log(
      `create.ipynb Run All (local target, default configuration): ${(run.elapsedMs / 1000).toFixed(1)} s (goal < 60 s)`,
    );
    // clean-up.ipynb stops the emulator the first notebook left running, as a user would.
    const cleanUp = await runNotebook(path.join(root, 'clean-up.ipynb'));
    console.log(`clean-up.ipynb Run All: ${(cleanUp.elapsedMs / 1000).toFixed(1)} s`);
  } finally {
    if (saved === undefined) delete process.env.COSTING_DATA_DIR;
    else process.env.COSTING_DATA_DIR = saved;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
