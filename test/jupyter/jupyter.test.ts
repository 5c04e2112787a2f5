import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FILES } from '../../lib/artifacts/names.js';
import { PLOTLY_MIME } from '../../lib/output/charts.js';
import { plotlyBundlePath } from '../../lib/artifacts/plotly-bundle.js';
import { defaultPreviewPath } from '../../lib/workbook/render-preview.js';
import { KERNEL_ENV } from '../../lib/artifacts/kernel-env.js';
import { launchChromium } from '../browser.js';
import { freePort, localServerArgs } from './notebook-server.js';

const root = path.resolve(__dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'costing-jupyter-'));
// `--open` starts $BROWSER with each file's URL; this one records them instead.
const opened = path.join(work, 'opened.txt');
const recorder = path.join(work, 'browser.sh');
writeFileSync(recorder, `#!/bin/sh\necho "$1" >> '${opened}'\n`);
chmodSync(recorder, 0o755);
const env = {
  ...process.env,
  COSTING_DATA_DIR: path.join(work, 'data'),
  COSTING_BUILD_DIR: path.join(work, 'build'),
  BROWSER: recorder,
};
const MB = 1024 * 1024;

interface ExecutedNotebook {
  cells: {
    cell_type: string;
    execution_count?: number | null;
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

function runJupyter(
  notebook: string,
  ...options: string[]
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [path.join(root, 'scripts', 'run-jupyter.mjs'), notebook, ...options],
    { cwd: root, env, encoding: 'utf8' },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('real Jupyter with the tslab kernel', () => {
  it('the kernelspec starts tslab with the absolute path of a Node 22+ binary, in the kit environment', () => {
    const spec = JSON.parse(
      readFileSync(path.join(root, '.jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'),
    ) as { argv: string[]; env: Record<string, string> };
    expect(spec.env).toMatchObject(KERNEL_ENV);
    const node = spec.argv[0]!;
    expect(path.isAbsolute(node)).toBe(true);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(Number(version.replace(/^v/, '').split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(spec.argv.slice(2)).toEqual(['kernel', '--config-path', '{connection_file}']);
  });

  it('the kernelspec folder holds the plotly.js bundle the chart outputs load', () => {
    const served = readFileSync(
      path.join(root, '.jupyter', 'kernels', 'tslab', 'plotly-basic.min.js'),
      'utf8',
    );
    expect(served).toBe(readFileSync(plotlyBundlePath(), 'utf8'));
    expect(served.slice(0, 200)).toContain('plotly.js (basic - minified)');
  });

  it('executes create.ipynb and writes the executed notebook and its HTML with the A1 summary', () => {
    const started = Date.now();
    // As `npm run create` runs it: --build brings dist/ up to date and writes the kernelspec first.
    const r = runJupyter('create.ipynb', '--build', '--open');
    expect(r.stderr.slice(-2000)).not.toMatch(/failed under Jupyter/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /tslab kernelspec \(Node [\d.]+\) and plotly-basic\.min\.js written to /,
    );
    const executedPath = path.join(work, 'build', 'notebooks', 'create.ipynb');
    expect(r.stdout).toContain('Executed notebook:');
    const executed = JSON.parse(readFileSync(executedPath, 'utf8')) as ExecutedNotebook;
    const text = outputsText(executed);
    expect(text).toContain('**Target:** `local`');
    expect(text).toContain('APIM SKU **BasicV2**');
    const html = readFileSync(path.join(work, 'build', 'notebooks', 'create.html'), 'utf8');
    expect(html).toContain('Business units (6)');

    // --open: the HTML export and the workbook preview cell F wrote, printed and opened.
    const htmlFile = path.join(work, 'build', 'notebooks', 'create.html');
    const preview = defaultPreviewPath();
    expect(statSync(preview).mtimeMs).toBeGreaterThanOrEqual(started);
    expect(r.stdout).toContain(`Workbook preview:  ${path.relative(root, preview)}`);
    const urls = [pathToFileURL(htmlFile).href, pathToFileURL(preview).href];
    for (const url of urls) expect(r.stdout).toContain(`Opening ${url}`);
    // Both openers run detached, in either order.
    return expect
      .poll(() =>
        existsSync(opened) ? readFileSync(opened, 'utf8').trim().split('\n').sort() : [],
      )
      .toEqual([...urls].sort());
  });

  it('records execution counts, shown in the HTML export', () => {
    const executed = JSON.parse(
      readFileSync(path.join(work, 'build', 'notebooks', 'create.ipynb'), 'utf8'),
    ) as ExecutedNotebook;
    const code = executed.cells.filter((c) => c.cell_type === 'code');
    expect(code.map((c) => c.execution_count)).toEqual(code.map((_, i) => i + 1));
    const html = readFileSync(path.join(work, 'build', 'notebooks', 'create.html'), 'utf8');
    const prompts = [...html.matchAll(/In(?:&nbsp;|\s)\[([^\]]*)\]:/g)].map((m) => m[1]);
    expect(prompts).toEqual(code.map((_, i) => String(i + 1)));
  });

  it('leaves no full subscription key in the executed notebook, its HTML, the logs or the ledger', () => {
    const dataDir = path.join(work, 'data');
    const keys = Object.values(
      JSON.parse(readFileSync(path.join(dataDir, DATA_FILES.keys), 'utf8')) as Record<
        string,
        string
      >,
    );
    // The BUs' keys and the APIs' own: one per subscription A2 made.
    expect(keys.length).toBeGreaterThanOrEqual(6);
    const files = [
      path.join(work, 'build', 'notebooks', 'create.ipynb'),
      path.join(work, 'build', 'notebooks', 'create.html'),
      ...readdirSync(dataDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name !== DATA_FILES.keys)
        .map((e) => path.join(e.parentPath, e.name)),
    ];
    expect(files).toContain(path.join(dataDir, DATA_FILES.ledger));
    expect(files).toContain(path.join(dataDir, 'logs', 'ApiManagementGatewayLogs.jsonl'));
    for (const file of files) {
      const text = readFileSync(file, 'utf8').toLowerCase();
      for (const key of keys) expect(text.includes(key.toLowerCase()), file).toBe(false);
    }
  });

  it('prints money as USD, never with a dollar sign that MathJax in the HTML export would typeset', () => {
    const executed = JSON.parse(
      readFileSync(path.join(work, 'build', 'notebooks', 'create.ipynb'), 'utf8'),
    ) as ExecutedNotebook;
    const texts = executed.cells
      .flatMap((c) => c.outputs ?? [])
      .flatMap((o) => [o.data?.['text/markdown'], o.data?.['text/html'], o.text])
      .flatMap((t) => (t === undefined ? [] : Array.isArray(t) ? [t.join('')] : [String(t)]));
    expect(texts.join('\n')).toMatch(/\d\.\d\d USD/);
    const dollars = texts.flatMap((t) => t.match(/.{0,40}\$\d.{0,20}/g) ?? []);
    expect(dollars).toEqual([]);
  });

  it('keeps the outputs small: no plotly.js in the notebook, one copy in each HTML page, each under 3 MB', () => {
    const executedFile = path.join(work, 'build', 'notebooks', 'create.ipynb');
    const htmlFile = path.join(work, 'build', 'notebooks', 'create.html');
    const marker = 'plotly.js (basic - minified)';
    const count = (s: string, needle: string): number => s.split(needle).length - 1;
    const executed = readFileSync(executedFile, 'utf8');
    expect(count(executed, '* plotly.js')).toBe(0);
    expect(statSync(executedFile).size).toBeLessThan(1 * MB);
    const html = readFileSync(htmlFile, 'utf8');
    expect(count(html, marker)).toBe(1);
    expect(count(html, '* plotly.js')).toBe(1);
    expect(statSync(htmlFile).size).toBeLessThan(3 * MB);
    const preview = readFileSync(defaultPreviewPath(), 'utf8');
    expect(count(preview, marker)).toBe(1);
    expect(count(preview, '* plotly.js')).toBe(1);
    expect(statSync(defaultPreviewPath()).size).toBeLessThan(3 * MB);
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
      // Drawn charts replace their data-table fallback.
      expect(await page.locator('.costing-chart-fallback').count()).toBe(0);
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

  it('npm run notebook serves create.ipynb with the kit kernelspec and its plotly.js bundle', async () => {
    const port = await freePort();
    const token = 'notebook-script-test';
    const dirs = Object.fromEntries(
      ['JUPYTER_CONFIG_DIR', 'JUPYTER_DATA_DIR', 'JUPYTER_RUNTIME_DIR'].map((k) => {
        const d = path.join(work, k.toLowerCase());
        mkdirSync(d, { recursive: true });
        return [k, d];
      }),
    );
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts', 'notebook.mjs'), ...localServerArgs(port, token)],
      { cwd: root, env: { ...env, ...dirs }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const get = async (route: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${port}/${route}`, { headers: { Authorization: `token ${token}` } });
    try {
      await expect
        .poll(
          () =>
            get('api/status').then(
              (r) => r.status,
              () => 0,
            ),
          { timeout: 60_000 },
        )
        .toBe(200);
      expect(out).toContain("Opening create.ipynb with the kit's TypeScript kernel");
      const specs = (await (await get('api/kernelspecs')).json()) as {
        kernelspecs: Record<string, { spec: { argv: string[] } }>;
      };
      expect(specs.kernelspecs.tslab?.spec.argv[1]).toBe(
        path.join(root, 'scripts', 'tslab-kernel.mjs'),
      );
      const bundle = await get('kernelspecs/tslab/plotly-basic.min.js');
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).slice(0, 200)).toContain('plotly.js (basic - minified)');
      expect((await get('api/contents/create.ipynb')).status).toBe(200);
    } finally {
      // The script passes SIGTERM on to Jupyter and exits when Jupyter has.
      child.kill('SIGTERM');
      const exited = await Promise.race([
        new Promise<boolean>((resolve) =>
          child.exitCode !== null ? resolve(true) : child.once('exit', () => resolve(true)),
        ),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
      ]);
      if (!exited) child.kill('SIGKILL');
      expect(exited, 'npm run notebook stopped on SIGTERM').toBe(true);
    }
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
