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
import type { KqlTable, KqlValue, OperationOptions } from '../target.js';
import { chartFigure, CHART_VISUALIZATIONS, type PlotlyFigure } from './chart-traces.js';
import { listWorkbookQueries, listWorkbookTabs, tabOf, tabParameterName } from './list-queries.js';
import { escapeHtml, renderMarkdown } from './markdown.js';
import { collectParameters, substituteParameters, type ResolvedParameter } from './parameters.js';
import { runWorkbookQueries, type QueryRunner, type WorkbookQueryOutcome } from './run-queries.js';
import { loadWorkbook, type WorkbookDocument, type WorkbookItem } from './workbook-json.js';

/** Result of one query item for the renderer: a table, or why there is none. */
export type PreviewResult = { table: KqlTable; warning?: string } | { error: string };

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
  /** Rows shown per table before "n more rows". @default 200 */
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
  const results = new Map<string, PreviewResult>();
  let failed = 0;
  for (const o of outcomes) {
    if (o.result?.status === 'success') results.set(o.query.name, { table: o.result.table });
    else if (o.result?.status === 'partial') {
      failed++;
      results.set(o.query.name, { table: o.result.table, warning: o.result.error });
    } else {
      failed++;
      results.set(o.query.name, { error: o.error ?? 'no result' });
    }
  }
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

/** Formats a cell for display: thousands separators, at most 6 decimals, readable datetimes. */
export function formatCell(value: KqlValue | undefined, type: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return value.toLocaleString('en-US');
    return value.toLocaleString('en-US', { maximumFractionDigits: 6 });
  }
  if (type === 'datetime' && typeof value === 'string')
    return value.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
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
    options,
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

interface RenderContext {
  options: RenderWorkbookHtmlOptions;
  params: Map<string, ResolvedParameter>;
  tabParam: string | undefined;
  now: Date;
  charts: { id: string; figure: PlotlyFigure }[];
  maxRows: number;
}

function widthStyle(item: WorkbookItem): string {
  const w = Number(item.customWidth);
  return Number.isFinite(w) && w > 0 && w < 100 ? ` style="flex: 0 0 calc(${w}% - 12px)"` : '';
}

function renderItem(
  item: WorkbookItem,
  parents: readonly WorkbookItem[],
  ctx: RenderContext,
): string {
  const c = item.content;
  const text = (s: string): string =>
    substituteParameters(s, ctx.params, { context: 'text', now: ctx.now });
  switch (item.type) {
    case 1:
      return `<div class="item text" data-name="${escapeHtml(item.name)}"${widthStyle(item)}>${renderMarkdown(text(c.json ?? ''))}</div>`;
    case 9:
      return `<div class="item params" data-name="${escapeHtml(item.name)}">${(c.parameters ?? [])
        .map((p) => {
          const r = ctx.params.get(p.name);
          const title = p.description ? ` title="${escapeHtml(p.description)}"` : '';
          return `<span class="param"${title}><span class="param-label">${escapeHtml(r?.label ?? p.name)}</span> <span class="param-value" data-param="${escapeHtml(p.name)}">${escapeHtml(r?.display ?? '')}</span></span>`;
        })
        .join('')}</div>`;
    case 11:
      if (c.style === 'tabs') {
        return `<nav class="item tabs" role="tablist">${(c.links ?? [])
          .map(
            (l) =>
              `<button type="button" class="tab" role="tab" data-tab="${escapeHtml(l.subTarget ?? '')}">${escapeHtml(l.linkLabel ?? '')}</button>`,
          )
          .join('')}</nav>`;
      }
      return '';
    case 12: {
      // A group shown for one value of the tab parameter is that tab's panel.
      const tab = tabOf(item, [], ctx.tabParam);
      const inner = (c.items ?? [])
        .map((child) => renderItem(child, [...parents, item], ctx))
        .join('\n');
      const title = c.title ? `<h3 class="group-title">${escapeHtml(text(c.title))}</h3>` : '';
      if (tab !== null) {
        return `<section class="tab-panel" data-tab="${escapeHtml(tab)}" hidden>${title}<div class="items">${inner}</div></section>`;
      }
      return `<section class="item group" data-name="${escapeHtml(item.name)}"${widthStyle(item)}>${title}<div class="items">${inner}</div></section>`;
    }
    case 3:
      return renderQueryItem(item, ctx, text);
    default:
      return '';
  }
}

function renderQueryItem(
  item: WorkbookItem,
  ctx: RenderContext,
  text: (s: string) => string,
): string {
  const c = item.content;
  const viz = c.visualization ?? 'table';
  const title = `<h4>${escapeHtml(text(c.title ?? item.name))}</h4>`;
  const open = `<div class="item query" data-name="${escapeHtml(item.name)}" data-viz="${escapeHtml(viz)}"${widthStyle(item)}>${title}`;
  const result = ctx.options.results.get(item.name);
  if (result === undefined) return `${open}<div class="error">Not run.</div></div>`;
  if ('error' in result)
    return `${open}<div class="error">Query failed: ${escapeHtml(result.error)}</div></div>`;
  const warning = result.warning
    ? `<div class="error">Partial result: ${escapeHtml(result.warning)}</div>`
    : '';
  const table = result.table;
  if (table.rows.length === 0) {
    return `${open}${warning}<div class="nodata">${escapeHtml(c.noDataMessage ?? 'The query returned no data.')}</div></div>`;
  }
  if (viz === 'tiles') return `${open}${warning}${renderTiles(table, c.tileSettings)}</div>`;
  if (CHART_VISUALIZATIONS.has(viz)) {
    const figure = chartFigure(viz, table, c.chartSettings ?? {});
    if (figure) {
      const id = `chart-${ctx.charts.length + 1}`;
      ctx.charts.push({ id, figure });
      return `${open}${warning}<div class="chart" id="${id}" data-chart="${escapeHtml(viz)}" data-series="${figure.data.length}"></div></div>`;
    }
  }
  return `${open}${warning}${renderTable(table, ctx.maxRows)}</div>`;
}

function renderTiles(
  table: KqlTable,
  settings:
    { titleContent?: { columnMatch?: string }; leftContent?: { columnMatch?: string } } | undefined,
): string {
  const idx = (name: string | undefined, fallback: number): number => {
    const i = name === undefined ? -1 : table.columns.findIndex((col) => col.name === name);
    return i >= 0 ? i : fallback;
  };
  const titleIdx = idx(settings?.titleContent?.columnMatch, 0);
  const valueIdx = idx(settings?.leftContent?.columnMatch, table.columns.length > 1 ? 1 : 0);
  const valueType = table.columns[valueIdx]?.type ?? 'string';
  return `<div class="tiles">${table.rows
    .map(
      (r) =>
        `<div class="tile"><div class="tile-title">${escapeHtml(formatCell(r[titleIdx], 'string'))}</div><div class="tile-value">${escapeHtml(formatCell(r[valueIdx] ?? 0, valueType))}</div></div>`,
    )
    .join('')}</div>`;
}

function renderTable(table: KqlTable, maxRows: number): string {
  const head = table.columns
    .map((col) => `<th title="${escapeHtml(col.type)}">${escapeHtml(col.name)}</th>`)
    .join('');
  const numeric = table.columns.map((col) =>
    ['int', 'long', 'real', 'double', 'decimal'].includes(col.type),
  );
  const rows = table.rows
    .slice(0, maxRows)
    .map(
      (r) =>
        `<tr>${table.columns.map((col, i) => `<td${numeric[i] ? ' class="num"' : ''}>${escapeHtml(formatCell(r[i], col.type))}</td>`).join('')}</tr>`,
    )
    .join('');
  const more =
    table.rows.length > maxRows
      ? `<div class="more">${table.rows.length - maxRows} more rows not shown.</div>`
      : '';
  return `<div class="grid-wrap"><table class="grid"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div>${more}`;
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

// Charts are drawn when their tab is first shown: Plotly measures its container, and a hidden
// container has no size.
const SCRIPT = `
(function () {
  var figures = {};
  JSON.parse(document.getElementById('chart-data').textContent).forEach(function (c) { figures[c.id] = c.figure; });
  function draw(panel) {
    if (typeof Plotly === 'undefined') return;
    panel.querySelectorAll('.chart').forEach(function (el) {
      if (el.closest('.tab-panel[hidden]')) return;
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
  draw(document.body);
  var first = document.querySelector('.tab');
  if (first) show(first.dataset.tab);
  document.body.dataset.ready = 'true';
})();
`;
