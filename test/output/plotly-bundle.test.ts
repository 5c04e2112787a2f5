/**
 * The one plotly.js bundle (basic build) covers every trace the kit and the workbook preview
 * draw, and the chart HTML's loader finds it, loads it once per page, or says why it cannot,
 * in headless Chromium.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartHtml, figureTable } from '../../lib/output/chart-html.js';
import { barFigure, lineFigure, pieFigure } from '../../lib/output/charts.js';
import {
  embedPlotlyOnce,
  PLOTLY_BUNDLE_FILE,
  PLOTLY_TRACE_TYPES,
  plotlyBundlePath,
} from '../../lib/artifacts/plotly-bundle.js';
import type { KqlTable } from '../../lib/target.js';
import { chartFigure, CHART_VISUALIZATIONS } from '../../lib/workbook/chart-traces.js';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';
import { loadWorkbook } from '../../lib/workbook/workbook-json.js';
import { launchChromium, type Browser } from '../browser.js';

const root = path.resolve(__dirname, '..', '..');

const table: KqlTable = {
  name: 'r',
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'BU', type: 'string' },
    { name: 'Requests', type: 'long' },
    { name: 'Capacity', type: 'long' },
  ],
  rows: [
    ['2026-01-01T00:00:00Z', 'hr', 3, 10],
    ['2026-01-01T01:00:00Z', 'finance', 5, 10],
  ],
};
const bar = barFigure(table, { x: 'BU', y: ['Requests'], title: 'Requests <per> BU' });

describe('the basic bundle covers every trace drawn', () => {
  it('the kit figures use bar, pie and scatter only', () => {
    const types = [
      bar,
      barFigure(table, { x: 'BU', y: ['Requests'], horizontal: true, series: 'BU' }),
      pieFigure(table, { x: 'BU', y: ['Requests'] }),
      lineFigure(table, { x: 'TimeGenerated', y: ['Requests'], series: 'BU' }),
    ].flatMap((f) => f.data.map((t) => t.type));
    expect(new Set(types)).toEqual(new Set(PLOTLY_TRACE_TYPES));
  });

  it("every chart visualization of the preview, and every one workbook.json uses, draws with the bundle's traces", () => {
    const workbook = loadWorkbook(readFileSync(path.join(root, 'workbook.json'), 'utf8'));
    const used = new Set(listWorkbookQueries(workbook).map((q) => q.visualization));
    for (const viz of used) {
      expect(CHART_VISUALIZATIONS.has(viz) || viz === 'table' || viz === 'tiles', viz).toBe(true);
    }
    for (const viz of CHART_VISUALIZATIONS) {
      const figure = chartFigure(viz, table);
      expect(figure, viz).toBeDefined();
      for (const t of figure!.data) expect(PLOTLY_TRACE_TYPES, viz).toContain(t.type);
    }
  });
});

describe('chart HTML without plotly.js', () => {
  it('carries the data as a table for views that run no scripts', () => {
    expect(figureTable(bar)).toEqual({
      columns: ['', 'Requests'],
      rows: [
        ['hr', '3'],
        ['finance', '5'],
      ],
    });
    const horizontal = barFigure(table, { x: 'BU', y: ['Requests', 'Capacity'], horizontal: true });
    expect(figureTable(horizontal).rows).toEqual([
      ['hr', '3', '10'],
      ['finance', '5', '10'],
    ]);
    expect(figureTable(pieFigure(table, { x: 'BU', y: ['Requests'] })).rows).toEqual([
      ['hr', '3'],
      ['finance', '5'],
    ]);
    const html = chartHtml(bar, 'c1');
    expect(html).toContain('<strong>Requests &lt;per&gt; BU</strong>');
    expect(html).not.toContain('* plotly.js');
    // The figure JSON cannot close the script element.
    expect(html.split('</script>')).toHaveLength(2);
  });

  it('embedPlotlyOnce inlines the bundle once into a page with a chart, and only there', () => {
    const page = `<html><head><title>x</title></head><body>${chartHtml(bar, 'c1')}</body></html>`;
    const once = embedPlotlyOnce(page);
    expect(once.split('* plotly.js').length - 1).toBe(1);
    expect(once.indexOf('data-costing-plotly')).toBeLessThan(once.indexOf('</head>'));
    expect(embedPlotlyOnce(once)).toBe(once);
    const plain = '<html><head></head><body>no chart</body></html>';
    expect(embedPlotlyOnce(plain)).toBe(plain);
  });
});

describe('the loader in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let origin = '';
  let bundleRequests = 0;
  let serveBundle = true;
  const pages = new Map<string, string>();
  const work = mkdtempSync(path.join(tmpdir(), 'costing-chart-html-'));

  beforeAll(async () => {
    const bundle = readFileSync(plotlyBundlePath());
    // A stand-in for a Jupyter server: pages under /nb/, the bundle under /nb/kernelspecs/.
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (url === `/nb/kernelspecs/tslab/${PLOTLY_BUNDLE_FILE}` && serveBundle) {
        bundleRequests++;
        res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
        res.end(bundle);
      } else if (pages.has(url)) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(pages.get(url));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  const charts = (n: number): string =>
    Array.from({ length: n }, (_, i) => chartHtml(bar, `c${i}`)).join('\n');

  async function open(url: string): Promise<Page> {
    const page = await browser.context.newPage();
    await page.route(
      (u) => u.protocol !== 'file:' && u.origin !== origin,
      (route) => route.abort(),
    );
    await page.goto(url);
    return page;
  }

  const drawn = (page: Page): Promise<number> =>
    page.locator('.costing-chart svg.main-svg g.trace').count();

  it('on a page a Jupyter server serves, loads the bundle once for all its charts and draws each', async () => {
    serveBundle = true;
    bundleRequests = 0;
    pages.set(
      '/nb/notebooks/a.ipynb',
      `<html><head></head><body data-base-url="/nb/">${charts(3)}</body></html>`,
    );
    const page = await open(`${origin}/nb/notebooks/a.ipynb`);
    await expect.poll(() => drawn(page), { timeout: 20_000 }).toBe(3);
    expect(bundleRequests).toBe(1);
    expect(await page.locator('.costing-chart-fallback').count()).toBe(0);
    // A chart output added later (a cell re-run) draws with the bundle already there.
    await page.evaluate(
      (html) => {
        const div = document.createElement('div');
        div.innerHTML = html;
        document.body.appendChild(div);
        // innerHTML does not run scripts; Jupyter evaluates them itself.
        for (const s of Array.from(div.querySelectorAll('script'))) {
          const run = document.createElement('script');
          run.textContent = s.textContent;
          s.replaceWith(run);
        }
      },
      chartHtml(bar, 'late'),
    );
    await expect.poll(() => drawn(page), { timeout: 20_000 }).toBe(4);
    expect(bundleRequests).toBe(1);
    await page.close();
  });

  it('says where it looked when the server has no bundle, keeping the data table', async () => {
    serveBundle = false;
    pages.set(
      '/nb/notebooks/b.ipynb',
      `<html><head></head><body data-base-url="/nb/">${charts(1)}</body></html>`,
    );
    const page = await open(`${origin}/nb/notebooks/b.ipynb`);
    await expect
      .poll(() => page.locator('.costing-chart-note').textContent(), { timeout: 20_000 })
      .toBe(
        `Chart not drawn: plotly.js could not be loaded from ${origin}/nb/kernelspecs/tslab/${PLOTLY_BUNDLE_FILE} (run \`npm run kernel:install\`, or \`npm ci\` for the kit's own kernelspec). Its data:`,
      );
    expect(await page.locator('.costing-chart-fallback td').allTextContents()).toEqual([
      'hr',
      '3',
      'finance',
      '5',
    ]);
    await page.close();
  });

  it('offline from a file: draws with an embedded bundle, or says how to get one', async () => {
    const withBundle = path.join(work, 'with.html');
    writeFileSync(
      withBundle,
      embedPlotlyOnce(`<html><head></head><body>${charts(2)}</body></html>`),
    );
    const page = await open(pathToFileURL(withBundle).href);
    await expect.poll(() => drawn(page), { timeout: 20_000 }).toBe(2);
    await page.close();

    const without = path.join(work, 'without.html');
    writeFileSync(without, `<html><head></head><body>${charts(1)}</body></html>`);
    const bare = await open(pathToFileURL(without).href);
    await expect
      .poll(() => bare.locator('.costing-chart-note').textContent(), { timeout: 20_000 })
      .toContain('this page carries no plotly.js and is not served by Jupyter');
    await bare.close();
  });
});
