/**
 * Turns a query result into Plotly traces the way the portal reads a table for each
 * visualization: the first text column is the category, numeric columns are series, and a
 * time chart splits by its text column when it has one.
 */
import type { KqlTable, KqlValue } from '../target.js';

/** A Plotly figure: plain JSON that `Plotly.newPlot` takes. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

const NUMERIC = new Set(['int', 'long', 'real', 'double', 'decimal']);

/** The chart visualizations the preview draws with Plotly. */
export const CHART_VISUALIZATIONS: ReadonlySet<string> = new Set([
  'piechart',
  'barchart',
  'categoricalbar',
  'timechart',
  'linechart',
  'areachart',
  'scatterchart',
]);

/** The chart settings the preview reads (`content.chartSettings`, threshold already a number). */
export interface ChartSettings {
  xAxis?: string;
  yAxis?: string[];
  /** A horizontal reference line at this value (the portal's `customThresholdLine`). */
  customThresholdLine?: number;
  /** Display name and colour per series (`seriesName` is the column or split value). */
  seriesLabelSettings?: { seriesName: string; label?: string; color?: string }[];
}

function columnIndex(table: KqlTable, name: string | undefined): number {
  return name === undefined ? -1 : table.columns.findIndex((c) => c.name === name);
}

function toNumber(v: KqlValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function toLabel(v: KqlValue | undefined): string {
  if (v === null || v === undefined) return '(empty)';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The Plotly figure for a result table, or `undefined` when the visualization is not a chart
 * or the table has no column to plot.
 */
export function chartFigure(
  visualization: string,
  table: KqlTable,
  settings: ChartSettings = {},
): PlotlyFigure | undefined {
  const figure = baseFigure(visualization, table, settings);
  if (figure === undefined) return undefined;
  for (const s of settings.seriesLabelSettings ?? []) {
    for (const trace of figure.data) {
      if (trace.name !== s.seriesName) continue;
      if (s.label) trace.name = s.label;
      if (s.color) {
        if (trace.type === 'bar') trace.marker = { color: s.color };
        else trace.line = { ...((trace.line as object | undefined) ?? {}), color: s.color };
      }
    }
  }
  const y = settings.customThresholdLine;
  if (y !== undefined && visualization !== 'piechart') {
    // A dashed line across the plot, labelled with its value; Plotly's autorange includes it.
    figure.layout.shapes = [
      {
        type: 'line',
        xref: 'paper',
        x0: 0,
        x1: 1,
        yref: 'y',
        y0: y,
        y1: y,
        line: { dash: 'dash', color: '#a4262c', width: 1.5 },
      },
    ];
    figure.layout.annotations = [
      {
        xref: 'paper',
        x: 1,
        xanchor: 'right',
        yref: 'y',
        y,
        yanchor: 'bottom',
        text: y.toLocaleString('en-US'),
        showarrow: false,
        font: { size: 11, color: '#a4262c' },
      },
    ];
  }
  return figure;
}

function baseFigure(
  visualization: string,
  table: KqlTable,
  settings: ChartSettings,
): PlotlyFigure | undefined {
  const cols = table.columns;
  const numericIdx = cols.map((c, i) => (NUMERIC.has(c.type) ? i : -1)).filter((i) => i >= 0);
  const textIdx = cols
    .map((c, i) => (c.type === 'string' || c.type === 'guid' ? i : -1))
    .filter((i) => i >= 0);
  const timeIdx = cols.findIndex((c) => c.type === 'datetime');
  const ySettings = (settings.yAxis ?? []).map((n) => columnIndex(table, n)).filter((i) => i >= 0);
  const series = ySettings.length > 0 ? ySettings : numericIdx;
  const layout: Record<string, unknown> = {
    margin: { l: 60, r: 20, t: 10, b: 60 },
    height: 320,
    showlegend: true,
    legend: { orientation: 'h', y: -0.2 },
    paper_bgcolor: 'rgba(0,0,0,0)',
  };

  if (visualization === 'piechart') {
    const labelIdx =
      columnIndex(table, settings.xAxis) >= 0
        ? columnIndex(table, settings.xAxis)
        : (textIdx[0] ?? -1);
    const valueIdx = series[0];
    if (labelIdx < 0 || valueIdx === undefined) return undefined;
    return {
      data: [
        {
          type: 'pie',
          labels: table.rows.map((r) => toLabel(r[labelIdx])),
          values: table.rows.map((r) => toNumber(r[valueIdx]) ?? 0),
          name: cols[valueIdx]?.name,
          hole: 0.35,
          sort: false,
        },
      ],
      layout: { ...layout, legend: { orientation: 'h', y: -0.1 } },
    };
  }

  if (visualization === 'barchart' || visualization === 'categoricalbar') {
    const xIdx =
      columnIndex(table, settings.xAxis) >= 0
        ? columnIndex(table, settings.xAxis)
        : (textIdx[0] ?? -1);
    if (xIdx < 0 || series.length === 0) return undefined;
    const x = table.rows.map((r) => toLabel(r[xIdx]));
    return {
      data: series.map((i) => ({
        type: 'bar',
        name: cols[i]?.name,
        x,
        y: table.rows.map((r) => toNumber(r[i])),
      })),
      layout: {
        ...layout,
        barmode: visualization === 'barchart' ? 'stack' : 'group',
        // Long category labels (caller GUIDs) get the room they need instead of being cut.
        xaxis: { automargin: true },
        yaxis: { rangemode: 'tozero', automargin: true },
      },
    };
  }

  if (
    visualization === 'timechart' ||
    visualization === 'linechart' ||
    visualization === 'areachart' ||
    visualization === 'scatterchart'
  ) {
    const xIdx = timeIdx >= 0 ? timeIdx : (textIdx[0] ?? -1);
    const valueSeries = series.filter((i) => i !== xIdx);
    if (xIdx < 0 || valueSeries.length === 0) return undefined;
    const mode = visualization === 'scatterchart' ? 'markers' : 'lines+markers';
    const fill = visualization === 'areachart' ? 'tozeroy' : undefined;
    const splitIdx = textIdx.find((i) => i !== xIdx);
    const traces: Record<string, unknown>[] = [];
    if (splitIdx !== undefined && valueSeries[0] !== undefined) {
      const valueIdx = valueSeries[0];
      const groups = new Map<string, { x: KqlValue[]; y: (number | null)[] }>();
      for (const r of table.rows) {
        const key = toLabel(r[splitIdx]);
        const g = groups.get(key) ?? { x: [], y: [] };
        g.x.push(r[xIdx] ?? null);
        g.y.push(toNumber(r[valueIdx]));
        groups.set(key, g);
      }
      for (const [name, g] of groups)
        traces.push({ type: 'scatter', mode, fill, name, x: g.x, y: g.y });
    } else {
      const x = table.rows.map((r) => r[xIdx] ?? null);
      for (const i of valueSeries) {
        const name = cols[i]?.name ?? '';
        // A capacity or limit column is a reference line, not a measurement.
        const reference = /capacity|limit|threshold/i.test(name);
        traces.push({
          type: 'scatter',
          mode: reference && table.rows.length > 1 ? 'lines' : mode,
          fill: reference ? undefined : fill,
          line: reference ? { dash: 'dash' } : undefined,
          name,
          x,
          y: table.rows.map((r) => toNumber(r[i])),
        });
      }
    }
    const xaxis: Record<string, unknown> = { type: timeIdx >= 0 ? 'date' : 'category' };
    const times = new Set(table.rows.map((r) => r[xIdx]));
    const only = [...times][0];
    if (timeIdx >= 0 && times.size === 1 && typeof only === 'string') {
      // One time bin: without a range Plotly zooms to milliseconds around the single point. A
      // bin starting off the minute comes from sub-minute bins, so a minute either side reads better.
      const t = Date.parse(only);
      const pad = t % 60_000 === 0 ? 3_600_000 : 60_000;
      xaxis.range = [new Date(t - pad).toISOString(), new Date(t + pad).toISOString()];
    }
    return { data: traces, layout: { ...layout, xaxis, yaxis: { rangemode: 'tozero' } } };
  }
  return undefined;
}
