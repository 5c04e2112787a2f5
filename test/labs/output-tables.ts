/**
 * The tables an attendee reads: HTML tables of cell outputs and of the workbook preview, and the
 * markdown tables of the traffic cells, as rows of the strings on screen.
 */
import { expect } from 'vitest';
import type { CellRun } from '../../lib/internal/notebook-runner.js';

export interface ScreenTable {
  columns: string[];
  rows: string[][];
}

function decode(s: string): string {
  return s
    .replace(/<[^>]+>/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

function parseHtmlTable(html: string): ScreenTable {
  const cells = (row: string, tag: 'th' | 'td'): string[] =>
    [...row.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) =>
      decode(m[1]!),
    );
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return {
    columns: cells(head, 'th'),
    rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => cells(m[1]!, 'td')),
  };
}

/** The HTML of a cell's displays (tables and charts' fallbacks). */
export function cellHtml(cell: CellRun): string {
  return cell.outputs
    .map((o) => (o.kind === 'display' ? (o.data['text/html'] ?? '') : ''))
    .join('\n');
}

/** The markdown a cell showed (summaries and traffic tables). */
export function cellMarkdown(cell: CellRun): string {
  return cell.outputs
    .map((o) => (o.kind === 'display' ? (o.data['text/markdown'] ?? '') : ''))
    .join('\n');
}

/** The first table after `marker` in `html` (a title such as `<strong>Cost allocation`, or a preview item's `data-name="..."`). */
export function htmlTableAfter(html: string, marker: string): ScreenTable {
  const at = html.indexOf(marker);
  expect(at, `no ${marker} in the output`).toBeGreaterThanOrEqual(0);
  const table = /<table[\s\S]*?<\/table>/.exec(html.slice(at));
  expect(table, `no table after ${marker}`).not.toBeNull();
  return parseHtmlTable(table![0]);
}

/** A cell's table shown with `kit.showTable(...)` without a title: the first one it shows. */
export function firstHtmlTable(cell: CellRun): ScreenTable {
  return htmlTableAfter(cellHtml(cell), '<table');
}

/** The markdown table whose header starts with `firstColumn` (e.g. `BU` in C1 and D1). */
export function markdownTable(cell: CellRun, firstColumn: string): ScreenTable {
  const lines = cellMarkdown(cell).split('\n');
  const split = (l: string): string[] =>
    l
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const start = lines.findIndex((l) => l.startsWith('|') && split(l)[0] === firstColumn);
  expect(start, `no table with first column ${firstColumn}`).toBeGreaterThanOrEqual(0);
  const body: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i += 1)
    body.push(split(lines[i]!));
  return { columns: split(lines[start]!), rows: body };
}

/** A table's row whose first cell is `key`, as column → value. */
export function rowOf(table: ScreenTable, key: string, column = 0): Record<string, string> {
  const matches = table.rows.filter((r) => r[column] === key);
  expect(matches.length, `rows keyed ${key} in [${table.columns.join(', ')}]`).toBe(1);
  return Object.fromEntries(table.columns.map((c, i) => [c, matches[0]![i] ?? '']));
}

/** Every row of a table as column → value. */
export function rowsOf(table: ScreenTable): Record<string, string>[] {
  return table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c, r[i] ?? ''])));
}
