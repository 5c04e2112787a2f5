import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'costing-jupyter-'));
const env = {
  ...process.env,
  COSTING_DATA_DIR: path.join(work, 'data'),
  COSTING_BUILD_DIR: path.join(work, 'build'),
};

interface ExecutedNotebook {
  cells: {
    cell_type: string;
    outputs?: {
      output_type: string;
      name?: string;
      text?: string | string[];
      data?: Record<string, string | string[]>;
    }[];
  }[];
}

function outputsText(nb: ExecutedNotebook): string {
  const parts: string[] = [];
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      if (out.text) parts.push(Array.isArray(out.text) ? out.text.join('') : out.text);
      for (const value of Object.values(out.data ?? {}))
        parts.push(Array.isArray(value) ? value.join('') : value);
    }
  }
  return parts.join('\n');
}

function runJupyter(notebook: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'run-jupyter.mjs'), notebook], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('real Jupyter with the tslab kernel', () => {
  it('the kernelspec starts tslab with the absolute path of a Node 22+ binary', () => {
    const spec = JSON.parse(
      readFileSync(path.join(root, '.jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'),
    ) as { argv: string[] };
    const node = spec.argv[0]!;
    expect(path.isAbsolute(node)).toBe(true);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(Number(version.replace(/^v/, '').split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(spec.argv.slice(2)).toEqual(['kernel', '--config-path', '{connection_file}']);
  });

  it('executes create.ipynb and writes the executed notebook and its HTML with the A1 summary', () => {
    const r = runJupyter('create.ipynb');
    expect(r.stderr.slice(-2000)).not.toMatch(/failed under Jupyter/);
    expect(r.status).toBe(0);
    const executedPath = path.join(work, 'build', 'notebooks', 'create.ipynb');
    expect(r.stdout).toContain('Executed notebook:');
    const executed = JSON.parse(readFileSync(executedPath, 'utf8')) as ExecutedNotebook;
    const text = outputsText(executed);
    expect(text).toContain('**Target:** `local`');
    expect(text).toContain('APIM SKU **BasicV2**');
    const html = readFileSync(path.join(work, 'build', 'notebooks', 'create.html'), 'utf8');
    expect(html).toContain('Business units (6)');
  });

  it('executes clean-up.ipynb', () => {
    const r = runJupyter('clean-up.ipynb');
    expect(r.status).toBe(0);
  });

  it('without Jupyter, stops with one line saying how to install it', () => {
    const r = spawnSync(
      process.execPath,
      [path.join(root, 'scripts', 'run-jupyter.mjs'), 'create.ipynb'],
      {
        cwd: root,
        env: { ...env, PATH: path.dirname(process.execPath) },
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^Jupyter is not installed: on Debian\/Ubuntu run `sudo apt-get install jupyter-nbconvert python3-nbclient jupyter-client`/,
    );
  });
});
