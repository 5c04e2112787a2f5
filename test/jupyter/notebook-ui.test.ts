/**
 * The notebooks as workshop attendees use them: Debian's classic Jupyter Notebook server with
 * the kit's kernelspec, driven in headless Chromium through the page's own menus. Run All,
 * reload the page with the kernel still running and re-run the chart cells, save and reopen,
 * open an untrusted copy and trust it, then clean up. Screenshots of each step go to
 * build/screenshots/jupyter-ui/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLOTLY_MIME } from '../../lib/output/charts.js';
import { PLOTLY_BUNDLE_FILE, PLOTLY_TRACE_TYPES } from '../../lib/artifacts/plotly-bundle.js';
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
  /** Chart containers still showing their data-table fallback, and that fallback's note. */
  fallbacks: number;
  notes: string[];
  /** Trace types of the cell's figures (from the Plotly MIME data). */
  traceTypes: string[];
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
      const fallbacks = Array.from(el.querySelectorAll('.costing-chart .costing-chart-fallback'));
      const traceTypes = (c.output_area?.outputs ?? []).flatMap((o) => {
        const fig = o.data?.[plotlyMime] as { data?: { type?: string }[] } | undefined;
        return (fig?.data ?? []).map((t) => String(t.type));
      });
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
        fallbacks: fallbacks.length,
        notes: fallbacks.map((f) => f.querySelector('p')?.textContent ?? ''),
        traceTypes,
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
  const promptOf = async (index: number): Promise<number | string | null> =>
    (await cellStates()).find((c) => c.index === index)?.prompt ?? null;
  for (const index of targets) {
    // Select the cell by its prompt, then Cell > Run Cells; the prompt turns '*' (or, for a
    // fast cell, the next number) once the page has sent it.
    let sent = false;
    for (let attempt = 0; attempt < 3 && !sent; attempt++) {
      await page.locator('#notebook-container > .cell').nth(index).locator('.input_prompt').click();
      await menu('Cell', '#run_cell');
      const deadline = Date.now() + 5_000;
      while (!sent && Date.now() < deadline) {
        const p = await promptOf(index);
        sent = p === '*' || (typeof p === 'number' && p > top);
        if (!sent) await page.waitForTimeout(100);
      }
    }
    if (!sent) {
      await page.screenshot({ path: path.join(shots, 'rerun-not-sent.png') });
      throw new Error(
        `cell ${index} did not start from Cell > Run Cells (prompt ${String(await promptOf(index))})`,
      );
    }
  }
  const deadline = Date.now() + 300_000;
  for (;;) {
    const states = (await cellStates()).filter((c) => targets.includes(c.index));
    if (states.every((c) => typeof c.prompt === 'number' && c.prompt > top)) break;
    if (Date.now() > deadline) {
      await page.screenshot({ path: path.join(shots, 'rerun-timeout.png') });
      throw new Error(
        `re-run cells did not finish: ${states.map((c) => `${c.firstLine} prompt ${String(c.prompt)}`).join('; ')}`,
      );
    }
    await page.waitForTimeout(500);
  }
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

/** How the page got plotly.js: script elements loading the bundle, and the trace types it has. */
async function pageBundle(): Promise<{ scripts: string[]; traceTypes: string[] | null }> {
  return page.evaluate((file) => {
    const w = window as unknown as {
      Plotly?: { PlotSchema: { get(): { traces: Record<string, unknown> } } };
    };
    return {
      scripts: Array.from(document.querySelectorAll('script[src]'))
        .map((s) => (s as HTMLScriptElement).src)
        .filter((src) => src.includes(file)),
      traceTypes: w.Plotly ? Object.keys(w.Plotly.PlotSchema.get().traces).sort() : null,
    };
  }, PLOTLY_BUNDLE_FILE);
}

async function trusted(): Promise<boolean> {
  return page.evaluate(
    () =>
      (window as unknown as { Jupyter: { notebook: { trusted: boolean } } }).Jupyter.notebook
        .trusted,
  );
}

/** Saves from the File menu and waits until the page says it saved. */
async function save(): Promise<void> {
  await menu('File', '#save_checkpoint');
  await page.waitForFunction(
    () =>
      !(window as unknown as { Jupyter: { notebook: { dirty: boolean } } }).Jupyter.notebook.dirty,
    null,
    { timeout: 30_000 },
  );
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
    // One load of the basic bundle for the page, from the kernelspec folder Jupyter serves.
    const bundle = await pageBundle();
    expect(bundle.scripts).toEqual([`${server.baseUrl}kernelspecs/tslab/${PLOTLY_BUNDLE_FILE}`]);
    expect(bundle.traceTypes).toEqual([...PLOTLY_TRACE_TYPES].sort());
    const used = new Set(cells.flatMap((c) => c.traceTypes));
    expect(
      [...used].every((t) => PLOTLY_TRACE_TYPES.includes(t)),
      [...used].join(', '),
    ).toBe(true);
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
    expect((await pageBundle()).scripts).toHaveLength(1);
  });

  it('saved and reopened (trusted): the saved charts draw, and re-running E2 alone draws it again', async () => {
    await save();
    await page.reload();
    await waitForKernel();
    expect(await trusted(), 'a notebook the server saved is trusted').toBe(true);
    const saved = await waitForCharts(() => true);
    await screenshot('3-saved-reopened-e1', 'E1');
    expect(expectChartsDrawn(saved)).toBeGreaterThanOrEqual(4);
    await rerun(['E2']);
    const cells = await waitForCharts(chartCells);
    await screenshot('3-saved-reopened-rerun-e2', 'E2');
    expectCellsRanClean(cells.filter((c) => c.firstLine.startsWith('// E2 ')));
    expect(expectChartsDrawn(cells)).toBeGreaterThanOrEqual(4);
    expect((await pageBundle()).scripts).toHaveLength(1);
  });

  it('an untrusted copy shows each chart as its data and says how to trust it; File > Trust Notebook draws them', async () => {
    // Written behind the server's back, the copy carries no signature the server knows.
    const nb = JSON.parse(readFileSync(path.join(server.notebookDir, 'create.ipynb'), 'utf8')) as {
      metadata: Record<string, unknown>;
    };
    nb.metadata.costing_copy = 'untrusted';
    writeFileSync(path.join(server.notebookDir, 'create-copy.ipynb'), JSON.stringify(nb));
    await openNotebook('create-copy.ipynb');
    expect(await trusted()).toBe(false);
    const untrusted = (await cellStates()).filter((c) => c.plotlyOutputs > 0);
    await screenshot('4-untrusted-copy-e1', 'E1');
    expect(untrusted.length).toBeGreaterThanOrEqual(2);
    for (const c of untrusted) {
      expect({ charts: c.charts, drawn: c.drawn, fallbacks: c.fallbacks }, c.firstLine).toEqual({
        charts: c.plotlyOutputs,
        drawn: 0,
        fallbacks: c.plotlyOutputs,
      });
      for (const note of c.notes) expect(note).toContain('File > Trust Notebook');
    }
    expect((await pageBundle()).scripts).toEqual([]);

    await menu('File', '#trust_notebook');
    await Promise.all([
      page.waitForEvent('load', { timeout: 60_000 }),
      // Notebook 6.4 binds the menu item twice and stacks two identical confirmations over each
      // other; a click there lands on the top one's Trust, which trusts, saves and reloads.
      page
        .locator('.modal-footer button', { hasText: /^Trust$/ })
        .last()
        .click({ force: true }),
    ]);
    await waitForKernel();
    expect(await trusted()).toBe(true);
    const cells = await waitForCharts(() => true);
    await screenshot('4-untrusted-copy-trusted-e1', 'E1');
    expect(expectChartsDrawn(cells)).toBeGreaterThanOrEqual(4);
    expect(cells.every((c) => c.fallbacks === 0)).toBe(true);
  });
});

describe("clean-up.ipynb in Jupyter Notebook's own page", () => {
  it('Run All from the Cell menu: every cell runs clean', async () => {
    await openNotebook('clean-up.ipynb');
    await runAll();
    await screenshot('5-clean-up-run-all');
    expectCellsRanClean(await cellStates());
  });

  it('raised no page error and asked nothing of the network but the notebook server', () => {
    expect(pageErrors).toEqual([]);
    expect(external).toEqual([]);
  });
});
