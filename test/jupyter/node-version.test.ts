/**
 * The Node version has one home per purpose: `.nvmrc` names the one version managers pick (and
 * CI installs), package.json's `engines` the minimum, which scripts/kernel.mjs enforces.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const read = (f: string): string => readFileSync(path.join(root, f), 'utf8');

describe('Node version', () => {
  const nvmrc = read('.nvmrc').trim();
  const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const minimum = Number(/^>=\s*(\d+)$/.exec(engines)?.[1]);

  it('.nvmrc names Node 24, which CI installs and the engines minimum allows', () => {
    expect(nvmrc).toBe('24');
    expect(read('.ci/run')).toMatch(new RegExp(`^NODE_VERSION=${nvmrc}\\.\\d+\\.\\d+$`, 'm'));
    expect(minimum).toBeGreaterThan(0);
    expect(Number(nvmrc)).toBeGreaterThanOrEqual(minimum);
  });

  it('scripts/kernel.mjs refuses a Node older than the engines minimum, naming it', () => {
    // Run it under this Node with the minimum raised past it through a patched copy of its check.
    const source = read('scripts/kernel.mjs');
    expect(source).toContain(
      "JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines",
    );
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        source
          .replace(/^const root = .*$/m, `const root = ${JSON.stringify(root)};`)
          .replace(
            /\.engines\?\.node \?\? ''/,
            `.engines && '>=${Number(process.versions.node.split('.')[0]) + 1}'`,
          ),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `use Node ${Number(process.versions.node.split('.')[0]) + 1} or newer (\`nvm use\` picks the version in .nvmrc)`,
    );
  });
});
