/**
 * Inline Plotly charts for notebook cells. Each chart goes out as one output carrying two MIME
 * types: the Plotly MIME bundle (JupyterLab with the Plotly renderer, VS Code) and an HTML
 * fallback (classic Notebook, nbconvert's HTML export) that loads plotly.js once per page from a
 * place the page can reach instead of carrying it (see `chart-html.ts`).
 */
import { createRequire } from 'node:module';
import type { KqlTable, KqlValue } from '../target.js';
import { chartHtml } from './chart-html.js';
import { KERNELSPEC_NAME } from '../artifacts/plotly-bundle.js';

export { chartHtml, figureTable, type ChartHtmlOptions } from './chart-html.js';

/** One Plotly trace: plain JSON (`type`, `x`, `y`, `labels`, `values`, `name`, ...). */
export type PlotlyTrace = Record<string, unknown>;

/** A Plotly figure as plain JSON. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout?: Record<string, unknown>;
}

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

interface DisplayPayload {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}
type DisplaySink = (payload: DisplayPayload, update: boolean) => void;

const requireHere = createRequire(__filename);
let chartCounter = 0;

/** The kernel's display sink (tslab's public API sends one MIME type per output; we need two). */
function kernelSink(): DisplaySink | null {
  try {
    const jupyter = requireHere('tslab/dist/jupyter') as {
      lastWriteDisplayData: DisplaySink | null;
    };
    return jupyter.lastWriteDisplayData;
  } catch {
    return null;
  }
}

/** A one-line text summary of a figure for terminals. */
function chartText(figure: PlotlyFigure): string {
  const title = (figure.layout?.title as { text?: string } | string | undefined) ?? '';
  const name = typeof title === 'string' ? title : (title.text ?? '');
  return `[chart${name ? `: ${name}` : ''}; ${figure.data.length} trace(s)]`;
}

/**
 * Shows a Plotly figure inline.
 * @example showChart(barFigure(result.table, { x: 'BusinessUnit', y: ['Requests'], title: 'Requests per BU' }));
 */
export function showChart(figure: PlotlyFigure): void {
  const sink = kernelSink();
  if (!sink) {
    console.log(chartText(figure));
    return;
  }
  chartCounter += 1;
  const divId = `costing-chart-${process.pid}-${Date.now().toString(36)}-${chartCounter}`;
  // kernel.json names the kernelspec the kernel runs under; the bundle sits in its folder.
  const html = chartHtml(figure, divId, {
    kernelspec: process.env.COSTING_KERNELSPEC || KERNELSPEC_NAME,
  });
  sink(
    {
      data: {
        [PLOTLY_MIME]: { data: figure.data, layout: figure.layout ?? {} },
        'text/html': html,
        'text/plain': chartText(figure),
      },
      metadata: {},
      transient: {},
    },
    false,
  );
}

/** Options of the table-to-figure helpers. */
export interface FigureOptions {
  /** Column for the x axis (or pie labels). */
  x: string;
  /** Value column(s); several make grouped or stacked bars. */
  y: string[];
  title?: string;
  /** Stack the bars. @default false */
  stacked?: boolean;
  /** Horizontal bars. @default false */
  horizontal?: boolean;
  /** Split into one trace per value of this column (long-format data). */
  series?: string;
}

function column(table: KqlTable, name: string): KqlValue[] {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0) {
    throw new Error(
      `Column '${name}' is not in the result (columns: ${table.columns.map((c) => c.name).join(', ')}).`,
    );
  }
  return table.rows.map((r) => r[i] ?? null);
}

/** Sums `ys` per distinct `xs` value, keeping first-seen order (rows repeat a BU per model, mode...). */
function sumBy(xs: KqlValue[], ys: KqlValue[]): { x: KqlValue[]; y: number[] } {
  const order: KqlValue[] = [];
  const sums = new Map<string, number>();
  xs.forEach((x, i) => {
    const key = JSON.stringify(x);
    if (!sums.has(key)) {
      order.push(x);
      sums.set(key, 0);
    }
    sums.set(key, (sums.get(key) ?? 0) + Number(ys[i] ?? 0));
  });
  return { x: order, y: order.map((x) => sums.get(JSON.stringify(x)) ?? 0) };
}

/** A bar chart from a query result; repeated x values are summed. */
export function barFigure(table: KqlTable, options: FigureOptions): PlotlyFigure {
  const xs = column(table, options.x);
  const traces: PlotlyTrace[] = [];
  const orient = options.horizontal ? { orientation: 'h' } : {};
  const place = (v: { x: KqlValue[]; y: number[] }): Record<string, unknown[]> =>
    options.horizontal ? { x: v.y, y: v.x } : { x: v.x, y: v.y };
  if (options.series) {
    const series = column(table, options.series);
    const ys = column(table, options.y[0]!);
    for (const s of [...new Set(series.map(String))]) {
      const idx = series.map((v, i) => (String(v) === s ? i : -1)).filter((i) => i >= 0);
      traces.push({
        type: 'bar',
        name: s,
        ...place(
          sumBy(
            idx.map((i) => xs[i]!),
            idx.map((i) => ys[i]!),
          ),
        ),
        ...orient,
      });
    }
  } else {
    for (const y of options.y)
      traces.push({ type: 'bar', name: y, ...place(sumBy(xs, column(table, y))), ...orient });
  }
  return {
    data: traces,
    layout: {
      title: { text: options.title ?? '' },
      barmode: options.stacked ? 'stack' : 'group',
      margin: { t: 48, l: 60, r: 20, b: 60 },
    },
  };
}

/** A pie chart from a query result (`x` = labels, first `y` = values). */
export function pieFigure(
  table: KqlTable,
  options: Pick<FigureOptions, 'x' | 'y' | 'title'>,
): PlotlyFigure {
  return {
    data: [
      {
        type: 'pie',
        ...((v) => ({ labels: v.x, values: v.y }))(
          sumBy(column(table, options.x), column(table, options.y[0]!)),
        ),
        hole: 0.35,
      },
    ],
    layout: { title: { text: options.title ?? '' }, margin: { t: 48, l: 20, r: 20, b: 20 } },
  };
}

/** A line chart (time series) from a query result, one trace per `series` value or per `y` column. */
export function lineFigure(table: KqlTable, options: FigureOptions): PlotlyFigure {
  const fig = barFigure(table, options);
  return {
    data: fig.data.map((t) => ({ ...t, type: 'scatter', mode: 'lines+markers' })),
    layout: { ...fig.layout, barmode: undefined },
  };
}
