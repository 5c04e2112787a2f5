/**
 * Clean-up removes only what the kit wrote (its manifest), then the folder only if empty; A1
 * refuses a data folder clean-up must never empty.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import { ConfigError, DataFolderLockedError } from '../../lib/errors.js';
import { acquireDataFolder, releaseDataFolder } from '../../lib/ledger/data-folder.js';
import { createLocalTarget } from '../../lib/local/local-target.js';

const dir = mkdtempSync(path.join(tmpdir(), 'costing-cleanup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local clean-up', () => {
  it('leaves foreign files (listed as kept) and the folder holding them', async () => {
    const dataDir = path.join(dir, 'data');
    const target = createLocalTarget(loadConfig({ local: { dataDir } }, {}));
    const d = await target.deploy();
    await fetch(`${d.apis.costing.url}/get`).then((r) => r.arrayBuffer());
    target.store.flush();
    writeFileSync(path.join(dataDir, 'notes.txt'), 'mine');
    mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    writeFileSync(path.join(dataDir, 'logs', 'my-export.csv'), 'a,b');
    const dry = await target.cleanUp();
    expect(dry).toContainEqual(
      expect.objectContaining({
        name: 'notes.txt',
        action: 'kept',
        reason: 'the kit did not write it',
      }),
    );
    const real = await target.cleanUp({ dryRun: false });
    expect(real.filter((i) => i.action === 'deleted').map((i) => i.name)).toContain(
      'subscriptions.local.json',
    );
    expect(readFileSync(path.join(dataDir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(dataDir, 'logs', 'my-export.csv'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'logs', 'ApiManagementGatewayLogs.jsonl'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'subscriptions.local.json'))).toBe(false);
  });

  it('removes the folder when only kit files were in it', async () => {
    const dataDir = path.join(dir, 'only-kit');
    const target = createLocalTarget(loadConfig({ local: { dataDir } }, {}));
    await target.deploy();
    await target.cleanUp({ dryRun: false });
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('A1 refuses data folders clean-up must never empty', () => {
  const root = path.resolve(__dirname, '..', '..');
  it.each([
    ['the project root', '.', /is the project folder/],
    ['the project root by absolute path', root, /is the project folder/],
    ['a parent of the project', path.dirname(root), /holds the project folder/],
    ['the home directory', homedir(), /is your home directory|holds the project folder/],
  ])('refuses %s', (_what, dataDir, why) => {
    let err: unknown;
    try {
      loadConfig({ local: { dataDir } }, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/local\.dataDir/);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toContain("use a folder of its own, such as '.data'");
  });
});

describe('one kernel per data folder', () => {
  it('refuses a folder a live process holds, naming it and how to pick another; takes a stale lock over', () => {
    const dataDir = path.join(dir, 'locked');
    mkdirSync(dataDir, { recursive: true });
    // pid 1 is always alive: another kernel.
    writeFileSync(path.join(dataDir, 'kernel.lock.local.json'), JSON.stringify({ pid: 1 }));
    expect(() => acquireDataFolder(dataDir)).toThrow(DataFolderLockedError);
    expect(() => acquireDataFolder(dataDir)).toThrow(
      new RegExp(
        `${dataDir.replace(/[/\\.]/g, '\\$&')} is in use by another kernel \\(pid 1\\).*set local\\.dataDir in cell A1`,
      ),
    );
    // A holder that is gone: the lock is stale.
    writeFileSync(
      path.join(dataDir, 'kernel.lock.local.json'),
      JSON.stringify({ pid: 2 ** 22 + 7 }),
    );
    acquireDataFolder(dataDir);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'kernel.lock.local.json'), 'utf8')).pid).toBe(
      process.pid,
    );
    releaseDataFolder(dataDir);
    expect(existsSync(path.join(dataDir, 'kernel.lock.local.json'))).toBe(false);
  });
});
