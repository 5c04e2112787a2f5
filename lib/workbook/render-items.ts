/**
 * The preview's items as HTML: text, parameters, tab links, groups (collapsible ones as
 * `<details>`), and query results as tiles (with subtitles), tables (as many rows as the item's
 * grid allows) or Plotly figures. Pure: the page shell and the script live in `render-preview.ts`.
 */
import type { KqlTable, KqlValue } from '../target.js';
import { chartFigure, CHART_VISUALIZATIONS, type PlotlyFigure } from './chart-traces.js';
import { tabOf } from './list-queries.js';
import { escapeHtml, renderMarkdown } from './markdown.js';
import { substituteParameters, type ResolvedParameter } from './parameters.js';
import type { WorkbookQueryOutcome } from './run-queries.js';
import type { WorkbookItem, WorkbookItemContent } from './workbook-json.js';

/** Result of one query item for the renderer: a table, or why there is none. */
export type PreviewResult = { table: KqlTable; warning?: string } | { error: string };

/** Query outcomes as the renderer's results: a table (with a warning when partial), or the error. */
export function previewResults(
  outcomes: readonly WorkbookQueryOutcome[],
): Map<string, PreviewResult> {
  const results = new Map<string, PreviewResult>();
  for (const o of outcomes) {
    if (o.result?.status === 'success') results.set(o.query.name, { table: o.result.table });
    else if (o.result?.status === 'partial')
      results.set(o.query.name, { table: o.result.table, warning: o.result.error });
    else results.set(o.query.name, { error: o.error ?? 'no result' });
  }
  return results;
}

/** What rendering an item needs; `charts` collects the figures the page script draws. */
export interface RenderContext {
  results: ReadonlyMap<string, PreviewResult>;
  params: Map<string, ResolvedParameter>;
  tabParam: string | undefined;
  now: Date;
  charts: { id: string; figure: PlotlyFigure }[];
  /** Rows of a table without its own `gridSettings.rowLimit`. */
  maxRows: number;
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

function widthStyle(item: WorkbookItem): string {
  const w = Number(item.customWidth);
  return Number.isFinite(w) && w > 0 && w < 100 ? ` style="flex: 0 0 calc(${w}% - 12px)"` : '';
}

/** One workbook item (and its children) as HTML. */
export function renderItem(
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
    case 12:
      return renderGroup(item, parents, ctx, text);
    case 3:
      return renderQueryItem(item, ctx, text);
    default:
      return '';
  }
}

function renderGroup(
  item: WorkbookItem,
  parents: readonly WorkbookItem[],
  ctx: RenderContext,
  text: (s: string) => string,
): string {
  const c = item.content;
  // A group shown for one value of the tab parameter is that tab's panel.
  const tab = tabOf(item, [], ctx.tabParam);
  const inner = (c.items ?? [])
    .map((child) => renderItem(child, [...parents, item], ctx))
    .join('\n');
  const titleText = c.title ? escapeHtml(text(c.title)) : '';
  if (tab !== null) {
    const title = titleText ? `<h3 class="group-title">${titleText}</h3>` : '';
    return `<section class="tab-panel" data-tab="${escapeHtml(tab)}" hidden>${title}<div class="items">${inner}</div></section>`;
  }
  if (c.expandable === true) {
    // The portal draws a collapsible group as a header that opens it; <details> is the same.
    const open = c.expanded === true ? ' open' : '';
    return `<details class="item group collapsible" data-name="${escapeHtml(item.name)}"${widthStyle(item)}${open}><summary class="group-title">${titleText || escapeHtml(item.name)}</summary><div class="items">${inner}</div></details>`;
  }
  const title = titleText ? `<h3 class="group-title">${titleText}</h3>` : '';
  return `<section class="item group" data-name="${escapeHtml(item.name)}"${widthStyle(item)}>${title}<div class="items">${inner}</div></section>`;
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
  const result = ctx.results.get(item.name);
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
    const figure = chartFigure(viz, table, chartSettings(c, text));
    if (figure) {
      const id = `chart-${ctx.charts.length + 1}`;
      ctx.charts.push({ id, figure });
      return `${open}${warning}<div class="chart" id="${id}" data-chart="${escapeHtml(viz)}" data-series="${figure.data.length}"></div></div>`;
    }
  }
  return `${open}${warning}${renderTable(table, rowLimit(c) ?? ctx.maxRows)}</div>`;
}

/** The item's chart settings with parameters in its threshold line resolved to a number. */
function chartSettings(
  c: WorkbookItemContent,
  text: (s: string) => string,
): Parameters<typeof chartFigure>[2] {
  const s = c.chartSettings ?? {};
  const raw = s.customThresholdLine;
  const threshold = raw === undefined ? undefined : Number(text(String(raw)));
  return {
    ...s,
    customThresholdLine:
      threshold !== undefined && Number.isFinite(threshold) ? threshold : undefined,
  };
}

function rowLimit(c: WorkbookItemContent): number | undefined {
  const limit = Number(c.gridSettings?.rowLimit);
  return Number.isInteger(limit) && limit > 0 ? limit : undefined;
}

function renderTiles(table: KqlTable, settings: WorkbookItemContent['tileSettings']): string {
  const idx = (name: string | undefined, fallback: number): number => {
    const i = name === undefined ? -1 : table.columns.findIndex((col) => col.name === name);
    return i >= 0 ? i : fallback;
  };
  const titleIdx = idx(settings?.titleContent?.columnMatch, 0);
  const valueIdx = idx(settings?.leftContent?.columnMatch, table.columns.length > 1 ? 1 : 0);
  const subtitleIdx = idx(settings?.subtitleContent?.columnMatch, -1);
  const valueType = table.columns[valueIdx]?.type ?? 'string';
  return `<div class="tiles">${table.rows
    .map((r) => {
      const subtitle =
        subtitleIdx < 0
          ? ''
          : `<div class="tile-subtitle">${escapeHtml(formatCell(r[subtitleIdx], 'string'))}</div>`;
      return `<div class="tile"><div class="tile-title">${escapeHtml(formatCell(r[titleIdx], 'string'))}</div><div class="tile-value">${escapeHtml(formatCell(r[valueIdx] ?? 0, valueType))}</div>${subtitle}</div>`;
    })
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
