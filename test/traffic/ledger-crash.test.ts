/**
 * A process that keeps rewriting the ledger is killed with SIGKILL at random moments: the ledger
 * file must always be whole, valid JSON, because every write goes to a temporary file first.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Ledger } from '../../lib/ledger/ledger-types.js';

const ledgerModule = path.resolve(__dirname, '..', '..', 'lib', 'ledger', 'ledger.ts');

// The child runs lib/ledger/ledger.ts with Node's type stripping; the hook maps the `.js` specifiers of
// the TypeScript sources to their `.ts` files, as the compiler does.
const CHILD = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "export async function resolve(s, c, n) { try { return await n(s, c); } catch (e) { if (s.startsWith('.') && s.endsWith('.js')) return n(s.slice(0, -3) + '.ts', c); throw e; } }"));
const { writeLedgerEntry, buildLedgerEntry } = await import(process.argv[2]);
const config = { local: { dataDir: process.argv[3] } };
const records = Array.from({ length: 6000 }, (_, index) => ({
  index, bu: 'bu-hr', kind: 'ok', outcome: 'succeeded', status: 200,
  attempts: [{ status: 200, durationMs: 1, requestId: '00000000-0000-4000-8000-' + String(index).padStart(12, '0') }],
}));
for (let n = 0; ; n += 1) {
  const source = n % 2 === 0 ? 'bu' : 'ai';
  const head = { source, cell: 'C1', status: 'running', reason: 'write ' + n, target: 'local', gatewayUrl: 'x', apiId: 'a', startedAt: new Date().toISOString() };
  await writeLedgerEntry(config, source, buildLedgerEntry(head, records.slice(0, 2000 + ((n * 397) % 4000))));
  if (n === 1) process.stdout.write('ready\\n');
}
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ledger-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runAndKill(script: string, dataDir: string, afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--no-warnings', script, ledgerModule, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start: ${stderr}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
  });
  await new Promise((r) => setTimeout(r, afterMs));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

describe('ledger under SIGKILL', () => {
  it('is always whole, valid JSON after the writer is killed mid-run', async () => {
    const script = path.join(dir, 'writer.mjs');
    await writeFile(script, CHILD, 'utf8');
    const dataDir = path.join(dir, 'data');
    for (const afterMs of [5, 13, 23, 31, 41, 53, 60, 71, 88, 97, 130, 151]) {
      await runAndKill(script, dataDir, afterMs);
      const text = await readFile(path.join(dataDir, 'ledger.local.json'), 'utf8');
      const ledger = JSON.parse(text) as Ledger;
      expect(ledger.version).toBe(2);
      for (const entry of ledger.runs) {
        expect(entry?.totals.planned).toBe(entry?.requests.length);
        expect(entry?.totals.succeeded).toBe(entry?.requests.length);
      }
    }
  }, 120_000);
});
