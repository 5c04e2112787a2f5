/**
 * Result tables in cell outputs: HTML (via arquero) in a notebook, aligned text in a terminal.
 */
import { table as columnTable } from 'arquero';
import { showHtml } from './mime.js';
import type { KqlTable, KqlValue } from '../target.js';

/** A plain table: column names and rows, as the kit's summaries produce them. */
export interface PlainTable {
  columns: string[];
  rows: (string | number | boolean | null)[][];
}

function cellText(v: KqlValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Math.round(v * 1e6) / 1e6);
  return String(v);
}

function normalize(table: KqlTable | PlainTable): PlainTable {
  if (table.columns.length > 0 && typeof table.columns[0] === 'object') {
    const t = table as KqlTable;
    return {
      columns: t.columns.map((c) => c.name),
      rows: t.rows.map((r) =>
        r.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : v)),
      ),
    };
  }
  return table as PlainTable;
}

/**
 * A value as one cell of a Markdown table: `|` escaped as `\|` (a display name with a `|` would
 * otherwise split its row into extra columns), backslashes doubled so the escape stays one, and
 * line breaks folded to spaces (a row is one line).
 */
export function markdownCell(value: string | number): string {
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n|\r/g, ' ');
}

/** Fixed-width text rendering (terminal fallback and tests). */
export function tableText(table: KqlTable | PlainTable, maxRows = 50): string {
  const t = normalize(table);
  const rows = t.rows.slice(0, maxRows).map((r) => r.map((v) => cellText(v)));
  const widths = t.columns.map((c, i) =>
    Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(t.columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (t.rows.length > maxRows) out.push(`... ${t.rows.length - maxRows} more rows`);
  return out.join('\n');
}

/** HTML rendering via arquero. */
export function tableHtml(
  table: KqlTable | PlainTable,
  options: { title?: string; maxRows?: number } = {},
): string {
  const t = normalize(table);
  const data: Record<string, unknown[]> = {};
  t.columns.forEach((c, i) => {
    data[c] = t.rows.map((r) => r[i] ?? null);
  });
  const format = Object.fromEntries(t.columns.map((c) => [c, (v: KqlValue) => cellText(v)]));
  const html = columnTable(data).toHTML({ limit: options.maxRows ?? 100, format });
  const title = options.title ? `<p><strong>${escapeHtml(options.title)}</strong></p>` : '';
  return `${title}<div class="costing-table">${html}</div>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Shows a table inline (HTML in a notebook, text in a terminal).
 * @example showTable(result.table, { title: 'Requests per BU' });
 */
export function showTable(
  table: KqlTable | PlainTable,
  options: { title?: string; maxRows?: number } = {},
): void {
  const text = `${options.title ? `${options.title}\n` : ''}${tableText(table, options.maxRows ?? 100)}`;
  showHtml(tableHtml(table, options), text);
}
