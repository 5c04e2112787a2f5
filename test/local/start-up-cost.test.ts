/**
 * What a notebook on the local target pays before its first answer: the kernel must not load
 * the Azure SDKs (about a second of `require`) nor type-check their declarations in cell A1
 * (tslab checks every cell against the kit's public types), and the storage emulator boots
 * behind B2 so B3 does not wait for it.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { lazyAzurite } from '../../lib/local/azurite.js';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist');
/** SDK packages the local path never needs (D1 uses `openai`, B3 `@azure/storage-blob`). */
const AZURE_ONLY = /node_modules\/@azure\/(arm-|identity|msal-|monitor-)/;

beforeAll(() => {
  // Incremental: a no-op when dist/ is newer than lib/.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`build failed: ${built.stdout}${built.stderr}`);
}, 120_000);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'start-up-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `body` in a fresh Node with `kit` (the compiled index) and `config`; returns its JSON line. */
async function child(body: string): Promise<{ loaded: string[]; out: unknown }> {
  const script = path.join(dir, 'child.cjs');
  await writeFile(
    script,
    `const kit = require(${JSON.stringify(dist)});
const config = kit.loadConfig({ target: 'local', local: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} } });
(async () => {
  const out = await (async () => { ${body} })();
  const loaded = Object.keys(require.cache).filter((f) => ${AZURE_ONLY}.test(f.replaceAll('\\\\', '/')));
  process.stdout.write(JSON.stringify({ loaded, out }) + '\\n');
  process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`,
  );
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { loaded: string[]; out: unknown };
}

describe('start-up cost of the local target', () => {
  it('a local run (deploy, export, query) loads none of the Azure-only SDKs', async () => {
    const r = await child(`
      const target = kit.createTarget(config);
      await kit.deploy(target);
      await kit.createCostExport(target);
      const run = await kit.runCostExport(target);
      const q = await target.queryLogs('ApiManagementGatewayLogs | count');
      await target.close();
      return { run: run.status, rows: q.table.rows };
    `);
    expect(r.out).toEqual({ run: 'done', rows: [[0]] });
    expect(r.loaded).toEqual([]);
  }, 90_000);

  it('the Azure target still loads them, on first use', async () => {
    const r = await child(`
      const target = kit.createTarget({ ...config, target: 'azure' });
      return typeof target.deploy;
    `);
    expect(r.out).toBe('function');
    expect(r.loaded.some((f) => f.includes('/@azure/arm-'))).toBe(true);
  }, 60_000);

  it("the kit's public declarations reach no SDK declarations but core-auth and core-rest-pipeline", () => {
    const cell = path.join(dir, 'cell.ts');
    ts.sys.writeFile(
      cell,
      `import * as kit from ${JSON.stringify(dist)};\nexport const c = kit.loadConfig;\n`,
    );
    const program = ts.createProgram([cell], {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      noEmit: true,
      types: [],
    });
    const packages = new Set(
      program
        .getSourceFiles()
        .map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f.fileName)?.[1])
        .filter((p): p is string => p !== undefined && p !== 'typescript'),
    );
    expect(program.getSourceFiles().some((f) => f.fileName.endsWith('dist/index.d.ts'))).toBe(true);
    expect(
      [...packages].filter((p) => /^openai$|^@azure\/(?!core-|abort-|logger)/.test(p)),
    ).toEqual([]);
  });
});

describe('the storage emulator started ahead of use', () => {
  it('B2 starts Azurite in the background (its data folder appears before B3)', async () => {
    const r = await child(`
      const target = kit.createTarget(config);
      await kit.deploy(target);
      await kit.createCostExport(target);
      const fs = require('node:fs');
      const file = require('node:path').join(config.local.dataDir, 'azurite');
      const started = Date.now();
      while (!fs.existsSync(file) && Date.now() - started < 20000) await new Promise((r) => setTimeout(r, 50));
      const seen = fs.existsSync(file);
      await target.close();
      return seen;
    `);
    expect(r.out).toBe(true);
  }, 60_000);

  it('a failed background start is reported by the next use, with no unhandled rejection', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const azurite = lazyAzurite({ dataDir: path.join(blocker, 'data'), accountName: 'st1' });
      azurite.warm();
      await new Promise((r) => setTimeout(r, 100));
      await expect(azurite.get()).rejects.toThrow(/ENOTDIR|not a directory/);
      expect(unhandled).toEqual([]);
      expect(existsSync(path.join(blocker, 'data'))).toBe(false);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
