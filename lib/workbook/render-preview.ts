/**
 * The local workbook preview: `workbook.json` rendered against a target's logs into one
 * self-contained HTML file (tabs, parameter values, markdown text, tiles, tables and Plotly
 * charts with plotly.js's basic bundle inlined once), so it opens offline in any browser.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifactPath } from '../artifacts/read-artifact.js';
import {
  plotlyScriptTag,
  readPlotlyBundle as readKitPlotlyBundle,
} from '../artifacts/plotly-bundle.js';
import type { OperationOptions } from '../target.js';
import type { PlotlyFigure } from './chart-traces.js';
import { listWorkbookQueries, listWorkbookTabs, tabParameterName } from './list-queries.js';
import { escapeHtml } from './markdown.js';
import { collectParameters } from './parameters.js';
import {
  previewResults,
  renderItem,
  type PreviewResult,
  type RenderContext,
} from './render-items.js';
import { runWorkbookQueries, type QueryRunner, type WorkbookQueryOutcome } from './run-queries.js';
import { loadWorkbook, type WorkbookDocument } from './workbook-json.js';

export { formatCell, previewResults, type PreviewResult } from './render-items.js';

/** Options of {@link renderWorkbookHtml}. */
export interface RenderWorkbookHtmlOptions {
  displayName: string;
  /** Query item name to its result; items without one show "not run". */
  results: ReadonlyMap<string, PreviewResult>;
  /** The "now" the parameters were resolved at. @default new Date() */
  now?: Date;
  /** plotly.js source to inline; without it charts are left as data (tests of the markup only). */
  plotlyJs?: string;
  /** One line under the title, e.g. the target and the number of queries. */
  subtitle?: string;
  /** Rows shown per table before "n more rows", unless the item's grid sets its own `rowLimit`. @default 200 */
  maxTableRows?: number;
}

/** Options of {@link renderWorkbookPreview}. */
export interface RenderWorkbookPreviewOptions extends OperationOptions {
  /** The workbook JSON with placeholders filled (what `publishWorkbook` receives). */
  serializedData: string;
  displayName: string;
  /** Runs the queries; the local target passes itself. */
  target: QueryRunner;
  /** Output file. @default `<kit root>/build/workbook-preview.html` */
  outFile?: string;
  /** @default new Date() */
  now?: Date;
}

/** The written preview. */
export interface WorkbookPreview {
  /** Absolute path of the HTML file. */
  path: string;
  /** `file://` URL of the HTML file. */
  url: string;
  /** Every query item and what it returned. */
  outcomes: WorkbookQueryOutcome[];
  /** Query items that failed (error or partial result). */
  failed: number;
}

/** Default location of the preview file. */
export function defaultPreviewPath(): string {
  return artifactPath('build', 'workbook-preview.html');
}

/** The plotly.js bundle the preview inlines (the kit's one bundle, see `artifacts/plotly-bundle.ts`). */
export function readPlotlyBundle(): Promise<string> {
  return Promise.resolve(readKitPlotlyBundle());
}

/**
 * Runs every workbook query on the target and writes the self-contained HTML preview.
 * Failed queries show their error in place; the file is written either way.
 * @returns where the file is and what each query returned.
 * @example const preview = await renderWorkbookPreview({ serializedData, displayName: 'APIM Costing', target });
 */
export async function renderWorkbookPreview(
  options: RenderWorkbookPreviewOptions,
): Promise<WorkbookPreview> {
  const now = options.now ?? new Date();
  const workbook = loadWorkbook(options.serializedData);
  const queries = listWorkbookQueries(workbook, { now });
  const outcomes = await runWorkbookQueries(options.target, queries, options);
  const results = previewResults(outcomes);
  const failed = [...results.values()].filter((r) => 'error' in r || r.warning).length;
  const html = renderWorkbookHtml(workbook, {
    displayName: options.displayName,
    results,
    now,
    plotlyJs: await readPlotlyBundle(),
    subtitle: `Local preview · ${queries.length} queries, ${failed} failed · generated ${now.toISOString()}`,
  });
  const file = path.resolve(options.outFile ?? defaultPreviewPath());
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, html, 'utf8');
  return { path: file, url: pathToFileURL(file).href, outcomes, failed };
}

/**
 * The preview page for a workbook and its query results (pure: no I/O).
 * @example const html = renderWorkbookHtml(workbook, { displayName: 'APIM Costing', results });
 */
export function renderWorkbookHtml(
  workbook: WorkbookDocument,
  options: RenderWorkbookHtmlOptions,
): string {
  const now = options.now ?? new Date();
  const params = collectParameters(workbook);
  const tabParam = tabParameterName(workbook);
  const tabs = listWorkbookTabs(workbook);
  const charts: { id: string; figure: PlotlyFigure }[] = [];
  const ctx: RenderContext = {
    results: options.results,
    params,
    tabParam,
    now,
    charts,
    maxRows: options.maxTableRows ?? 200,
  };
  const body = workbook.items.map((item) => renderItem(item, [], ctx)).join('\n');
  const chartJson = JSON.stringify(charts).replace(/</g, '\\u003c');
  const plotly = options.plotlyJs ? plotlyScriptTag(options.plotlyJs) : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.displayName)}</title>
<style>${STYLE}</style>
</head>
<body data-tabs="${escapeHtml(tabs.map((t) => t.id).join(','))}">
<header><h1>${escapeHtml(options.displayName)}</h1>
<div class="subtitle">${escapeHtml(options.subtitle ?? 'Local preview')}</div></header>
<div class="items">${body}</div>
<script type="application/json" id="chart-data">${chartJson}</script>
${plotly}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { --accent: #0078d4; --border: #d6d6d6; --muted: #605e5c; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", system-ui, -apple-system, sans-serif; margin: 0; padding: 16px 24px; color: #201f1e; background: #faf9f8; }
header h1 { margin: 0 0 4px; font-size: 22px; }
.subtitle { color: var(--muted); font-size: 12px; margin-bottom: 12px; }
.items { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.item { flex: 0 0 100%; min-width: 0; }
.text { background: #fff; border: 1px solid var(--border); border-radius: 4px; padding: 4px 16px; }
.text h1 { font-size: 20px; } .text h2 { font-size: 18px; } .text h3 { font-size: 16px; }
.params { display: flex; flex-wrap: wrap; gap: 8px; }
.param { background: #fff; border: 1px solid var(--border); border-radius: 14px; padding: 4px 12px; font-size: 13px; }
.param-label { color: var(--muted); }
.param-value { font-weight: 600; }
.tabs { display: flex; gap: 4px; border-bottom: 2px solid var(--border); }
.tab { border: none; background: none; padding: 8px 14px; font-size: 14px; cursor: pointer; color: #323130; border-bottom: 3px solid transparent; margin-bottom: -2px; }
.tab.active { border-bottom-color: var(--accent); color: var(--accent); font-weight: 600; }
.tab-panel, .group { flex: 0 0 100%; min-width: 0; }
.items > * { min-width: 0; max-width: 100%; }
.group-title { margin: 8px 0 4px; font-size: 15px; }
.query { background: #fff; border: 1px solid var(--border); border-radius: 4px; padding: 8px 12px; }
.query h4 { margin: 0 0 8px; font-size: 14px; }
.tiles { display: flex; flex-wrap: wrap; gap: 8px; }
.tile { border: 1px solid var(--border); border-left: 4px solid var(--accent); border-radius: 4px; padding: 8px 12px; min-width: 150px; background: #fff; }
.tile-title { font-size: 12px; color: var(--muted); }
.tile-value { font-size: 24px; font-weight: 600; }
.tile-subtitle { font-size: 12px; color: var(--muted); margin-top: 2px; }
details.collapsible { background: #fff; border: 1px solid var(--border); border-radius: 4px; padding: 0 12px; }
details.collapsible > summary { cursor: pointer; padding: 8px 0; margin: 0; }
details.collapsible > .items { padding-bottom: 12px; }
details.collapsible .text { border: none; padding: 0; }
.grid-wrap { overflow-x: auto; max-height: 480px; overflow-y: auto; }
table.grid, table.md { border-collapse: collapse; font-size: 12px; width: 100%; }
table.grid th, table.grid td, table.md th, table.md td { border-bottom: 1px solid #edebe9; padding: 4px 8px; text-align: left; white-space: nowrap; }
table.md td { white-space: normal; }
table.grid th { position: sticky; top: 0; background: #f3f2f1; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { width: 100%; min-height: 320px; }
.error { color: #a4262c; background: #fde7e9; padding: 6px 8px; border-radius: 4px; font-size: 12px; white-space: pre-wrap; }
.nodata, .more { color: var(--muted); font-size: 12px; padding: 6px 0; }
code { background: #f3f2f1; padding: 0 3px; border-radius: 3px; font-size: 12px; }
`;

// Charts are drawn when their tab is first shown (or their collapsible group opened): Plotly
// measures its container, and a hidden container has no size.
const SCRIPT = `
(function () {
  var figures = {};
  JSON.parse(document.getElementById('chart-data').textContent).forEach(function (c) { figures[c.id] = c.figure; });
  function draw(panel) {
    if (typeof Plotly === 'undefined') return;
    panel.querySelectorAll('.chart').forEach(function (el) {
      if (el.closest('.tab-panel[hidden]') || el.closest('details:not([open])')) return;
      if (el.dataset.plotted) { Plotly.Plots.resize(el); return; }
      var f = figures[el.id];
      if (!f) return;
      Plotly.newPlot(el, f.data, f.layout, { displayModeBar: false, responsive: true, staticPlot: false });
      el.dataset.plotted = 'true';
    });
  }
  function show(tab) {
    document.querySelectorAll('.tab').forEach(function (b) { b.classList.toggle('active', b.dataset.tab === tab); b.setAttribute('aria-selected', b.dataset.tab === tab ? 'true' : 'false'); });
    document.querySelectorAll('.tab-panel').forEach(function (p) {
      var on = p.dataset.tab === tab;
      p.hidden = !on;
      if (on) draw(p);
    });
    document.body.dataset.activeTab = tab;
  }
  document.querySelectorAll('.tab').forEach(function (b) { b.addEventListener('click', function () { show(b.dataset.tab); }); });
  document.querySelectorAll('details.collapsible').forEach(function (d) { d.addEventListener('toggle', function () { if (d.open) draw(d); }); });
  draw(document.body);
  var first = document.querySelector('.tab');
  if (first) show(first.dataset.tab);
  document.body.dataset.ready = 'true';
})();
`;
