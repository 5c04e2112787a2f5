/**
 * The HTML fallback of a chart output (what the classic Notebook, nbconvert's HTML export and
 * JupyterLab without a Plotly renderer show). It carries the figure, a small loader and the
 * chart's data as a table, but never plotly.js itself:
 *
 * - The loader draws with `window.Plotly` when the page has it (the HTML export and the workbook
 *   preview inline the bundle once), else loads the bundle once per page from the kernelspec
 *   folder, which every Jupyter server serves at `<base>/kernelspecs/<name>/<file>` to the pages
 *   it serves (`scripts/kernel.mjs` copies the bundle there). So a fresh page, a reloaded page
 *   with the kernel still running, one chart cell re-run and a reopened notebook all draw, and
 *   nothing comes from a CDN.
 * - Where scripts do not run (an untrusted notebook strips them), the data table stays, with a
 *   line saying how to get the chart.
 */
import type { PlotlyFigure } from './charts.js';
import { KERNELSPEC_NAME, PLOTLY_BUNDLE_FILE } from '../artifacts/plotly-bundle.js';

/** Options of {@link chartHtml}. */
export interface ChartHtmlOptions {
  /** Kernelspec folder the bundle is served from (the page's own kernel name wins). @default {@link KERNELSPEC_NAME} */
  kernelspec?: string;
  /** File name of the bundle in that folder. @default {@link PLOTLY_BUNDLE_FILE} */
  bundleFile?: string;
  /** Height of the drawn chart in pixels. @default 420 */
  heightPx?: number;
  /** Rows of the data table shown where the chart cannot be drawn. @default 25 */
  maxTableRows?: number;
}

const NOT_DRAWN =
  'The chart needs scripts, which this view does not run (in Jupyter: File > Trust Notebook, then it draws). Its data:';

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function figureTitle(figure: PlotlyFigure): string {
  const title = figure.layout?.title as { text?: string } | string | undefined;
  return (typeof title === 'string' ? title : title?.text) ?? '';
}

/** The figure's data as one table: a category column, then one column per trace. */
export function figureTable(figure: PlotlyFigure): { columns: string[]; rows: string[][] } {
  const pie = figure.data.find((t) => t.type === 'pie');
  if (pie) {
    const labels = (pie.labels as unknown[] | undefined) ?? [];
    const values = (pie.values as unknown[] | undefined) ?? [];
    return {
      columns: ['', String(pie.name ?? 'value')],
      rows: labels.map((l, i) => [cellText(l), cellText(values[i])]),
    };
  }
  const categories: string[] = [];
  const byTrace = figure.data.map((t) => {
    const horizontal = t.orientation === 'h';
    const cats = ((horizontal ? t.y : t.x) as unknown[] | undefined) ?? [];
    const vals = ((horizontal ? t.x : t.y) as unknown[] | undefined) ?? [];
    const m = new Map<string, string>();
    cats.forEach((c, i) => {
      const key = cellText(c);
      if (!categories.includes(key)) categories.push(key);
      m.set(key, cellText(vals[i]));
    });
    return m;
  });
  return {
    columns: ['', ...figure.data.map((t, i) => String(t.name ?? `series ${i + 1}`))],
    rows: categories.map((c) => [c, ...byTrace.map((m) => m.get(c) ?? '')]),
  };
}

function fallbackHtml(figure: PlotlyFigure, maxRows: number): string {
  const { columns, rows } = figureTable(figure);
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .slice(0, maxRows)
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('');
  const more = rows.length > maxRows ? `<p>${rows.length - maxRows} more rows.</p>` : '';
  const title = figureTitle(figure);
  return (
    `<div class="costing-chart-fallback">` +
    `<p>${title ? `<strong>${escapeHtml(title)}</strong>. ` : ''}<em class="costing-chart-note">${escapeHtml(NOT_DRAWN)}</em></p>` +
    `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}</div>`
  );
}

interface LoaderArgs {
  id: string;
  figure: { data: unknown[]; layout: Record<string, unknown> };
  kernelspec: string;
  bundleFile: string;
  heightPx: number;
}

interface PlotlyLike {
  newPlot(el: HTMLElement, data: unknown[], layout: object, config: object): unknown;
}
interface LoaderWindow {
  Plotly?: PlotlyLike;
  costingPlotly?: Promise<PlotlyLike>;
  Jupyter?: { notebook?: { kernel?: { name?: string } } };
}

/**
 * Runs in the page (serialized with `toString`, so it uses nothing from this module): finds the
 * bundle or loads it once per page, then draws; on failure, says why in the fallback's note.
 */
function drawInPage(a: LoaderArgs): void {
  const w = window as unknown as LoaderWindow;
  function baseUrl(): string | null {
    if (location.protocol === 'file:') return null;
    // Classic Notebook: <body data-base-url>. JupyterLab / Notebook 7: the page config.
    const b = document.body?.getAttribute('data-base-url');
    if (b) return b;
    const config = document.getElementById('jupyter-config-data');
    if (config?.textContent) {
      try {
        return (JSON.parse(config.textContent) as { baseUrl?: string }).baseUrl ?? null;
      } catch {
        return null;
      }
    }
    return null;
  }
  function bundle(): Promise<PlotlyLike> {
    if (w.Plotly) return Promise.resolve(w.Plotly);
    if (w.costingPlotly) return w.costingPlotly;
    const base = baseUrl();
    if (base === null) {
      return Promise.reject(
        new Error(
          'this page carries no plotly.js and is not served by Jupyter (export with `npm run create`, which embeds it)',
        ),
      );
    }
    const spec = w.Jupyter?.notebook?.kernel?.name ?? a.kernelspec;
    const url = new URL(
      `${base.replace(/\/?$/, '/')}kernelspecs/${encodeURIComponent(spec)}/${a.bundleFile}`,
      location.href,
    ).href;
    const p = new Promise<PlotlyLike>((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.onload = () =>
        w.Plotly ? resolve(w.Plotly) : reject(new Error(`${url} did not define Plotly`));
      s.onerror = () => {
        w.costingPlotly = undefined;
        reject(
          new Error(
            `plotly.js could not be loaded from ${url} (run \`npm run kernel:install\`, or \`npm ci\` for the kit's own kernelspec)`,
          ),
        );
      };
      document.head.appendChild(s);
    });
    w.costingPlotly = p;
    return p;
  }
  // The output may not be in the document yet when this runs (Jupyter inserts it afterwards).
  function whenAttached(tries: number, then: (box: HTMLElement) => void): void {
    const box = document.getElementById(a.id);
    if (box) then(box);
    else if (tries > 0) setTimeout(() => whenAttached(tries - 1, then), 50);
  }
  bundle().then(
    (Plotly) =>
      whenAttached(200, (box) => {
        const plot = box.querySelector<HTMLElement>('.costing-chart-plot');
        if (!plot) return;
        box.querySelector('.costing-chart-fallback')?.remove();
        plot.style.height = `${a.heightPx}px`;
        Plotly.newPlot(plot, a.figure.data, a.figure.layout, {
          responsive: true,
          displaylogo: false,
        });
      }),
    (e: Error) =>
      whenAttached(200, (box) => {
        const note = box.querySelector('.costing-chart-note');
        if (note) note.textContent = `Chart not drawn: ${e.message}. Its data:`;
      }),
  );
}

/**
 * The HTML of one chart output: container, data-table fallback and loader.
 * @example const html = chartHtml(barFigure(t, { x: 'BU', y: ['Requests'] }), 'chart-1');
 */
export function chartHtml(
  figure: PlotlyFigure,
  divId: string,
  options: ChartHtmlOptions = {},
): string {
  const args: LoaderArgs = {
    id: divId,
    figure: { data: figure.data, layout: figure.layout ?? {} },
    kernelspec: options.kernelspec ?? KERNELSPEC_NAME,
    bundleFile: options.bundleFile ?? PLOTLY_BUNDLE_FILE,
    heightPx: options.heightPx ?? 420,
  };
  const json = JSON.stringify(args).replace(/</g, '\\u003c');
  return (
    `<div id="${escapeHtml(divId)}" class="costing-chart" style="width:100%">` +
    `<div class="costing-chart-plot"></div>${fallbackHtml(figure, options.maxTableRows ?? 25)}</div>\n` +
    `<script type="text/javascript">(${drawInPage.toString()})(${json});</script>`
  );
}
