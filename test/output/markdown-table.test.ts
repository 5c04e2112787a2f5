import { describe, expect, it } from 'vitest';
import { markdownCell } from '../../lib/output/tables.js';
import { trafficSummaryMarkdown } from '../../lib/output/views/traffic.js';
import type { TrafficSummary, TrafficSummaryRow } from '../../lib/traffic/session.js';

const row = (group: string): TrafficSummaryRow => ({
  group,
  planned: 2,
  sent: 2,
  delivered: 2,
  succeeded: 2,
  failed: 0,
  retries: 0,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
});

/** The cells of a Markdown table row, split on unescaped pipes as a Markdown renderer does. */
function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('display names in Markdown tables', () => {
  it('escapes | as \\| so a caller named "Sales | EMEA" keeps its row to one cell', () => {
    const summary = {
      source: 'entra',
      cell: 'C2',
      status: 'completed',
      planned: 4,
      sent: 4,
      delivered: 4,
      succeeded: 4,
      failedByStatus: {},
      networkFailures: 0,
      attempts: 4,
      retries: 0,
      elapsedMs: 1000,
      requestsPerSecond: 4,
      byBu: [row('bu-hr'), row('total')],
      byCaller: [row('Sales | EMEA'), row('Ops\nteam'), row('total')],
      totals: { ...row('total'), totalTokens: 0 },
    } as unknown as TrafficSummary;
    const md = trafficSummaryMarkdown(summary);
    const lines = md.split('\n').filter((l) => l.startsWith('|'));
    const header = lines.find((l) => l.startsWith('| caller'));
    expect(header).toBeDefined();
    const width = cellsOf(header!).length;
    for (const line of lines) expect(cellsOf(line), line).toHaveLength(width);
    expect(md).toContain('| Sales \\| EMEA |');
    expect(md).toContain('| Ops team |');
  });

  it('escapes pipes, doubles backslashes and folds line breaks', () => {
    expect(markdownCell('a|b')).toBe('a\\|b');
    expect(markdownCell('a\\|b')).toBe('a\\\\\\|b');
    expect(markdownCell('one\r\ntwo\nthree')).toBe('one two three');
    expect(markdownCell(12)).toBe('12');
  });
});
