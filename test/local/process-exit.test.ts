/**
 * A process that deployed the local target, sent requests and ran a query must exit on its own
 * without `close()`: Jupyter waits for a kernel's event loop to drain before it kills it, so
 * anything the emulator leaves referenced (servers, kept-alive sockets, timers) costs every
 * notebook run seconds at shutdown.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const lib = path.join(root, 'dist');

beforeAll(() => {
  // Incremental: a no-op when dist/ is newer than lib/.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stdout}${built.stderr}`);
}, 120_000);

// The child runs the compiled kit, as the Jupyter kernel does (`beforeAll` brings dist/ up to date).
const CHILD = `
const [lib, dataDir, mode] = process.argv.slice(2);
const { loadConfig } = require(lib + '/config/load-config.js');
const { createLocalTarget } = require(lib + '/local/local-target.js');
(async () => {
const config = loadConfig({ target: 'local', local: { dataDir } });
const target = createLocalTarget(config, { backendTransport: mode });
const d = await target.deploy();
const key = d.subscriptions[0].primaryKey;
for (let i = 0; i < 3; i++) {
  const res = await fetch(d.apis.costing.url + '/get', { headers: { 'Ocp-Apim-Subscription-Key': key } });
  await res.text();
}
const chat = await fetch(d.apis.aoai.url + '/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21', {
  method: 'POST',
  headers: { 'api-key': key, 'content-type': 'application/json' },
  body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
});
await chat.text();
const q = await target.queryLogs('ApiManagementGatewayLogs | count');
process.stdout.write('done ' + chat.status + ' ' + JSON.stringify(q.table.rows) + '\\n');
})();
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'process-exit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the child; resolves with its output and how long it lived after printing `done`. */
async function run(
  mode: string,
): Promise<{ out: string; afterDoneMs: number; code: number | null }> {
  const script = path.join(dir, 'child.cjs');
  await writeFile(script, CHILD, 'utf8');
  const child = spawn(
    process.execPath,
    ['--no-warnings', script, lib, path.join(dir, 'data'), mode],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  let doneAt = 0;
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (doneAt === 0 && out.includes('done')) doneAt = performance.now();
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  // A bound on the whole run: start-up on a loaded machine is slow, the exit itself is not.
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(killer);
  if (doneAt === 0) throw new Error(`child never finished its work: ${err}`);
  return { out, afterDoneMs: performance.now() - doneAt, code };
}

describe('a process that used the local target', () => {
  for (const mode of ['in-process', 'http']) {
    it(`exits on its own within 2 s without close() (backend ${mode})`, async () => {
      const r = await run(mode);
      expect(r.out).toContain('done 200 [[4]]');
      expect(r.code).toBe(0);
      // The servers' keep-alive timeout is 5 s: an exit within 2 s shows that no kept-alive
      // socket, server or timer held the process.
      expect(r.afterDoneMs).toBeLessThan(2_000);
    }, 90_000);
  }
});
