// `npm run bench`: runs every benchmark under scripts/bench/ in name order and prints figures.
// Pass names to run a subset: `npm run bench -- kql traffic`.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as path from 'node:path';

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
