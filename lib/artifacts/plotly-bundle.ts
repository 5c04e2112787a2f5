/**
 * The one plotly.js bundle the kit draws with: the minified basic build (bar, pie and scatter
 * traces, about 1.2 MB), read from its npm package. Notebook outputs never carry it; a page gets
 * it once, from the kernelspec folder that Jupyter serves (see `scripts/kernel.mjs`), or inlined
 * once into a self-contained page (the HTML export, the workbook preview).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The npm package of the bundle. */
export const PLOTLY_PACKAGE = 'plotly.js-basic-dist-min';

/** The bundle's file name, in its package and in the kernelspec folder. */
export const PLOTLY_BUNDLE_FILE = 'plotly-basic.min.js';

/**
 * The kit's kernelspec name: `scripts/kernel.mjs` writes the kernelspec, and the bundle next to
 * it, under this name; the notebooks' metadata name it too.
 */
export const KERNELSPEC_NAME = 'tslab';

/** The trace types the bundle registers; every figure the kit or the preview draws uses these. */
export const PLOTLY_TRACE_TYPES: readonly string[] = ['bar', 'pie', 'scatter'];

/** Absolute path of the bundle file. */
export function plotlyBundlePath(): string {
  return createRequire(__filename).resolve(PLOTLY_PACKAGE);
}

let source: string | undefined;

/** The bundle's source, read once per process. */
export function readPlotlyBundle(): string {
  source ??= readFileSync(plotlyBundlePath(), 'utf8');
  return source;
}

/** A `<script>` element carrying the bundle (or `js`), safe to put anywhere in an HTML page. */
export function plotlyScriptTag(js: string = readPlotlyBundle()): string {
  return `<script type="text/javascript" data-costing-plotly>${js.replace(/<\/script/gi, '<\\/script')}</script>`;
}

/**
 * Inlines the bundle once into a whole HTML page (before `</head>`), when the page holds a kit
 * chart and does not carry the bundle yet; otherwise returns the page unchanged.
 */
export function embedPlotlyOnce(page: string): string {
  if (!page.includes('costing-chart') || page.includes('data-costing-plotly')) return page;
  const at = page.search(/<\/head>/i);
  const tag = `${plotlyScriptTag()}\n`;
  return at < 0 ? `${tag}${page}` : `${page.slice(0, at)}${tag}${page.slice(at)}`;
}
