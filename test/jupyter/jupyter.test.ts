import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PLOTLY_MIME } from '../../lib/output/charts.js';
import { launchChromium } from '../browser.js';

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

  it('renders every chart of the HTML export in headless Chromium, offline', async () => {
    const htmlFile = path.join(work, 'build', 'notebooks', 'create.html');
    const executed = JSON.parse(
      readFileSync(path.join(work, 'build', 'notebooks', 'create.ipynb'), 'utf8'),
    ) as ExecutedNotebook;
    const chartOutputs = executed.cells
      .flatMap((c) => c.outputs ?? [])
      .filter((o) => o.data?.[PLOTLY_MIME] !== undefined);
    expect(chartOutputs.length).toBeGreaterThanOrEqual(4);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      // Offline: any request leaving the file is refused, so plotly.js must come from the export itself.
      const external: string[] = [];
      await page.route(/^https?:/, (route) => {
        external.push(route.request().url());
        return route.abort();
      });
      await page.goto(pathToFileURL(htmlFile).href);
      const charts = page.locator('.costing-chart');
      await expect.poll(() => charts.count(), { timeout: 30_000 }).toBe(chartOutputs.length);
      await page.waitForFunction(
        (n) => document.querySelectorAll('.costing-chart svg.main-svg').length >= n,
        chartOutputs.length,
        { timeout: 30_000 },
      );
      const shots = path.join(root, 'build', 'screenshots', 'notebook');
      mkdirSync(shots, { recursive: true });
      for (let i = 0; i < chartOutputs.length; i++) {
        const chart = charts.nth(i);
        const traces = await chart.locator('g.trace, g.slice').count();
        expect(traces, `chart ${i + 1} has no traces`).toBeGreaterThan(0);
        const box = await chart.boundingBox();
        expect(box?.width ?? 0).toBeGreaterThan(100);
        expect(box?.height ?? 0).toBeGreaterThan(100);
        await chart.scrollIntoViewIfNeeded();
        await chart.screenshot({ path: path.join(shots, `chart-${i + 1}.png`) });
      }
      await page.screenshot({ path: path.join(shots, 'create-full.png'), fullPage: true });
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
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
