/**
 * The notebooks as workshop attendees use them: Debian's classic Jupyter Notebook server with
 * the kit's kernelspec, driven in headless Chromium through the page's own menus. Run All,
 * reload the page with the kernel still running and re-run the chart cells, then clean up.
 * Screenshots of each step go to build/screenshots/jupyter-ui/.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLOTLY_MIME } from '../../lib/output/charts.js';
import { launchChromium, type Browser } from '../browser.js';
import { startNotebookServer, type NotebookServer } from './notebook-server.js';

const root = path.resolve(__dirname, '..', '..');
const shots = path.join(root, 'build', 'screenshots', 'jupyter-ui');

let server: NotebookServer;
let browser: Browser;
let page: Page;
/** Requests the page made to anything but the notebook server. */
const external: string[] = [];
const pageErrors: string[] = [];

/** What a code cell holds, read from the page's notebook model and DOM. */
interface CellState {
  index: number;
  firstLine: string;
  prompt: number | string | null;
  promptText: string;
  outputs: { type: string; name?: string; mimes: string[]; text: string }[];
  /** Outputs carrying the Plotly MIME type (one per chart). */
  plotlyOutputs: number;
  /** Chart containers in the cell's output area. */
  charts: number;
  /** Chart containers holding a drawn Plotly SVG with at least one trace or slice. */
  drawn: number;
}

interface PageNotebook {
  get_cells(): {
    cell_type: string;
    input_prompt_number?: number | string | null;
    get_text(): string;
    element: ArrayLike<HTMLElement>;
    output_area?: {
      outputs: {
        output_type: string;
        name?: string;
        text?: string;
        evalue?: string;
        data?: Record<string, unknown>;
      }[];
    };
  }[];
  kernel?: { id: string; is_connected(): boolean };
  set_autosave_interval(ms: number): void;
  _fully_loaded?: boolean;
}

async function cellStates(): Promise<CellState[]> {
  return page.evaluate((plotlyMime) => {
    const nb = (window as unknown as { Jupyter: { notebook: PageNotebook } }).Jupyter.notebook;
    const states: CellState[] = [];
    nb.get_cells().forEach((c, index) => {
      if (c.cell_type !== 'code') return;
      const el = c.element[0]!;
      const outputs = (c.output_area?.outputs ?? []).map((o) => ({
        type: o.output_type,
        name: o.name,
        mimes: Object.keys(o.data ?? {}),
        text: String(o.text ?? o.evalue ?? ''),
      }));
      const charts = Array.from(el.querySelectorAll('.costing-chart'));
      states.push({
        index,
        firstLine: c.get_text().split('\n')[0] ?? '',
        prompt: c.input_prompt_number ?? null,
        // The prompt separates 'In' and '[n]' with a no-break space.
        promptText: (el.querySelector('.input_prompt')?.textContent ?? '')
          .replace(/\s+/g, ' ')
          .trim(),
        outputs,
        plotlyOutputs: outputs.filter((o) => o.mimes.includes(plotlyMime)).length,
        charts: charts.length,
        drawn: charts.filter(
          (ch) => ch.querySelector('svg.main-svg') && ch.querySelector('g.trace, g.slice'),
        ).length,
      });
    });
    return states;
  }, PLOTLY_MIME);
}

async function openNotebook(name: string): Promise<void> {
  await page.goto(server.notebookUrl(name));
  await waitForKernel();
}

async function waitForKernel(): Promise<void> {
  await page.waitForFunction(
    () => {
      const nb = (window as unknown as { Jupyter?: { notebook?: PageNotebook } }).Jupyter?.notebook;
      return Boolean(nb?._fully_loaded && nb.kernel?.is_connected());
    },
    null,
    { timeout: 120_000, polling: 250 },
  );
  // A reload before the 2-minute autosave is the state under test: keep the page from saving
  // on its own, so what is on disk is only what the test saved.
  await page.evaluate(() =>
    (
      window as unknown as { Jupyter: { notebook: PageNotebook } }
    ).Jupyter.notebook.set_autosave_interval(0),
  );
}

/** Waits until no cell is queued or running ('*') and the kernel indicator shows idle. */
async function waitForIdle(timeoutMs = 600_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const nb = (window as unknown as { Jupyter: { notebook: PageNotebook } }).Jupyter.notebook;
      const busy = nb.get_cells().some((c) => c.input_prompt_number === '*');
      const idle = document
        .querySelector('#kernel_indicator_icon')
        ?.classList.contains('kernel_idle_icon');
      return !busy && Boolean(idle);
    },
    null,
    { timeout: timeoutMs, polling: 500 },
  );
}

async function menu(title: string, itemSelector: string): Promise<void> {
  await page.locator('#menus a.dropdown-toggle', { hasText: new RegExp(`^${title}$`) }).click();
  await page.locator(itemSelector).click();
}

async function runAll(): Promise<void> {
  await menu('Cell', '#run_all_cells');
  await waitForIdle();
}

/** Selects each cell whose first line starts with one of `tags` and runs it from the Cell menu. */
async function rerun(tags: string[]): Promise<void> {
  const before = await cellStates();
  const top = Math.max(0, ...before.map((c) => (typeof c.prompt === 'number' ? c.prompt : 0)));
  const targets = tags.map((tag) => {
    const cell = before.find((c) => c.firstLine.startsWith(`// ${tag} `));
    if (!cell) throw new Error(`no code cell starts with '// ${tag} '`);
    return cell.index;
  });
  for (const index of targets) {
    await page.locator('#notebook-container > .cell').nth(index).locator('.input_prompt').click();
    await menu('Cell', '#run_cell');
  }
  await expect
    .poll(
      async () =>
        (await cellStates())
          .filter((c) => targets.includes(c.index))
          .every((c) => typeof c.prompt === 'number' && c.prompt > top),
      { timeout: 600_000, interval: 500 },
    )
    .toBe(true);
  await waitForIdle();
}

/** Every code cell ran (a number in its prompt), has outputs and shows no error. */
function expectCellsRanClean(cells: CellState[]): void {
  expect(cells.length).toBeGreaterThan(0);
  for (const c of cells) {
    const where = `cell ${c.index} (${c.firstLine})`;
    expect(typeof c.prompt, `${where} prompt ${String(c.prompt)}`).toBe('number');
    expect(c.promptText, where).toBe(`In [${c.prompt}]:`);
    expect(c.outputs.length, `${where} has no output`).toBeGreaterThan(0);
    const errors = c.outputs.filter(
      (o) => o.type === 'error' || (o.type === 'stream' && o.name === 'stderr'),
    );
    expect(
      errors.map((o) => o.text),
      `${where} shows an error`,
    ).toEqual([]);
  }
}

/**
 * Waits (at most 30 s: drawing is asynchronous) until every chart output of the matching cells
 * has its drawn Plotly SVG, and returns those cells either way, for the screenshot and the check.
 */
async function waitForCharts(cellFilter: (c: CellState) => boolean): Promise<CellState[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const cells = (await cellStates()).filter(cellFilter);
    const done = cells.every((c) => c.drawn === c.plotlyOutputs && c.charts === c.plotlyOutputs);
    if (done || Date.now() > deadline) return cells;
    await page.waitForTimeout(500);
  }
}

/** Every chart output has its container and its drawn SVG; returns the number of charts. */
function expectChartsDrawn(cells: CellState[]): number {
  for (const c of cells) {
    expect(
      { charts: c.charts, drawn: c.drawn },
      `cell ${c.index} (${c.firstLine}): ${c.plotlyOutputs} chart output(s)`,
    ).toEqual({ charts: c.plotlyOutputs, drawn: c.plotlyOutputs });
  }
  return cells.reduce((n, c) => n + c.plotlyOutputs, 0);
}

const chartCells = (c: CellState): boolean => /^\/\/ E[12] /.test(c.firstLine);

async function screenshot(step: string, tag?: string): Promise<void> {
  if (tag) {
    const index = (await cellStates()).find((c) => c.firstLine.startsWith(`// ${tag} `))?.index;
    if (index !== undefined)
      await page.locator('#notebook-container > .cell').nth(index).scrollIntoViewIfNeeded();
  }
  await page.screenshot({ path: path.join(shots, `${step}.png`) });
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startNotebookServer(root, ['create.ipynb', 'clean-up.ipynb']);
  browser = await launchChromium({ width: 1400, height: 1600 });
  page = await browser.context.newPage();
  page.on('dialog', (d) => void d.accept());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const origin = new URL(server.baseUrl).origin;
  await page.route(
    (url) => url.origin !== origin,
    (route) => {
      external.push(route.request().url());
      return route.abort();
    },
  );
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("create.ipynb in Jupyter Notebook's own page", () => {
  let kernelId = '';

  it('Run All from the Cell menu: every cell runs clean and every chart draws', async () => {
    await openNotebook('create.ipynb');
    kernelId = await page.evaluate(
      () =>
        (window as unknown as { Jupyter: { notebook: PageNotebook } }).Jupyter.notebook.kernel!.id,
    );
    await runAll();
    const cells = await waitForCharts(() => true);
    await screenshot('1-create-run-all-top');
    await screenshot('1-create-run-all-e1', 'E1');
    await screenshot('1-create-run-all-e2', 'E2');
    expectCellsRanClean(cells);
    expect(cells.map((c) => c.prompt)).toEqual(cells.map((_, i) => i + 1));
    expect(expectChartsDrawn(cells)).toBeGreaterThanOrEqual(4);
  });

  it('after a page reload with the kernel still running, re-running E1 and E2 draws their charts', async () => {
    await page.reload();
    await waitForKernel();
    expect(
      await page.evaluate(
        () =>
          (window as unknown as { Jupyter: { notebook: PageNotebook } }).Jupyter.notebook.kernel!
            .id,
      ),
      'the reloaded page talks to the same kernel',
    ).toBe(kernelId);
    await rerun(['E1', 'E2']);
    const cells = await waitForCharts(chartCells);
    await screenshot('2-reloaded-rerun-e1', 'E1');
    await screenshot('2-reloaded-rerun-e2', 'E2');
    expect(cells).toHaveLength(2);
    expectCellsRanClean(cells);
    expect(expectChartsDrawn(cells)).toBeGreaterThanOrEqual(4);
  });
});

describe("clean-up.ipynb in Jupyter Notebook's own page", () => {
  it('Run All from the Cell menu: every cell runs clean', async () => {
    await openNotebook('clean-up.ipynb');
    await runAll();
    await screenshot('3-clean-up-run-all');
    expectCellsRanClean(await cellStates());
  });

  it('raised no page error and asked nothing of the network but the notebook server', () => {
    expect(pageErrors).toEqual([]);
    expect(external).toEqual([]);
  });
});
