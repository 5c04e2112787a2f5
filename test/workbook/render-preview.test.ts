import { describe, expect, it } from 'vitest';
import type { KqlTable } from '../../lib/target.js';
import { chartFigure } from '../../lib/workbook/chart-traces.js';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';
import { escapeHtml, renderMarkdown } from '../../lib/workbook/markdown.js';
import {
  formatCell,
  renderWorkbookHtml,
  type PreviewResult,
} from '../../lib/workbook/render-preview.js';
import { loadConfig } from '../../lib/config/load-config.js';
import { buildWorkbookData, loadWorkbook } from '../../lib/workbook/workbook-json.js';

describe('renderMarkdown', () => {
  it('renders headings, lists, tables, code, bold, italics and links', () => {
    const html = renderMarkdown(
      '## Title\nSome **bold** and _soft_ `code`.\n\n- one\n- [two](https://example.com/x)\n\n| A | B |\n|---|---|\n| 1 | `x` |',
    );
    expect(html).toBe(
      '<h2>Title</h2>\n<p>Some <strong>bold</strong> and <em>soft</em> <code>code</code>.</p>\n' +
        '<ul><li>one</li><li><a href="https://example.com/x" target="_blank" rel="noopener noreferrer">two</a></li></ul>\n' +
        '<table class="md"><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>1</td><td><code>x</code></td></tr></tbody></table>',
    );
  });

  it('renders numbered lists, continuation lines and nested items', () => {
    expect(renderMarkdown('1. First\n   goes on.\n2. Second')).toBe(
      '<ol><li>First goes on.</li><li>Second</li></ol>',
    );
    expect(
      renderMarkdown('- **Scopes:**\n  - _one_ tab\n    and more\n  - two\n- After\n\nText.'),
    ).toBe(
      '<ul><li><strong>Scopes:</strong><ul><li><em>one</em> tab and more</li><li>two</li></ul></li><li>After</li></ul>\n<p>Text.</p>',
    );
  });

  it('escapes HTML and drops non-http links', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=1>',
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('&lt;script&gt;');
    expect(escapeHtml('"a" & \'b\'')).toBe('&quot;a&quot; &amp; &#39;b&#39;');
  });
});

const byBu: KqlTable = {
  name: 'PrimaryResult',
  columns: [
    { name: 'BusinessUnit', type: 'string' },
    { name: 'BaseCostShare', type: 'real' },
    { name: 'VariableCost', type: 'real' },
  ],
  rows: [
    ['finance', 60.5, 0.0012],
    ['hr', 20.25, 0.0004],
  ],
};

describe('chartFigure', () => {
  it('stacks numeric columns of a bar chart by category', () => {
    const f = chartFigure('barchart', byBu);
    expect(f?.layout.barmode).toBe('stack');
    expect(f?.data).toHaveLength(2);
    expect(f?.data[0]).toMatchObject({
      type: 'bar',
      name: 'BaseCostShare',
      x: ['finance', 'hr'],
      y: [60.5, 20.25],
    });
  });

  it('draws a pie from the first text and numeric columns', () => {
    expect(chartFigure('piechart', byBu)?.data[0]).toMatchObject({
      type: 'pie',
      labels: ['finance', 'hr'],
      values: [60.5, 20.25],
    });
  });

  it('splits a time chart by its text column', () => {
    const t: KqlTable = {
      name: 't',
      columns: [
        { name: 'timestamp', type: 'datetime' },
        { name: 'CallerId', type: 'string' },
        { name: 'Requests', type: 'real' },
      ],
      rows: [
        ['2026-11-27T09:00:00Z', 'a', 3],
        ['2026-11-27T10:00:00Z', 'a', 4],
        ['2026-11-27T09:00:00Z', 'b', 1],
      ],
    };
    const f = chartFigure('timechart', t);
    expect(f?.data.map((d) => [d.name, d.y])).toEqual([
      ['a', [3, 4]],
      ['b', [1]],
    ]);
  });

  it('draws a capacity column as a dashed reference line', () => {
    const t: KqlTable = {
      name: 't',
      columns: [
        { name: 'TimeGenerated', type: 'datetime' },
        { name: 'PromptTokens', type: 'long' },
        { name: 'PtuCapacityPerHour', type: 'real' },
      ],
      rows: [
        ['2026-11-27T09:00:00Z', 10, 600],
        ['2026-11-27T10:00:00Z', 20, 600],
      ],
    };
    const f = chartFigure('timechart', t);
    expect(f?.data[1]).toMatchObject({
      name: 'PtuCapacityPerHour',
      mode: 'lines',
      line: { dash: 'dash' },
    });
    expect(f?.layout.xaxis).toEqual({ type: 'date' });
  });

  it('widens a time axis with a single bin to two hours', () => {
    const t: KqlTable = {
      name: 't',
      columns: [
        { name: 'TimeGenerated', type: 'datetime' },
        { name: 'Requests', type: 'long' },
      ],
      rows: [['2026-11-27T09:00:00.000Z', 10]],
    };
    expect(chartFigure('timechart', t)?.layout.xaxis).toEqual({
      type: 'date',
      range: ['2026-11-27T08:00:00.000Z', '2026-11-27T10:00:00.000Z'],
    });
  });

  it('widens a single sub-minute bin by a minute either side', () => {
    const t: KqlTable = {
      name: 't',
      columns: [
        { name: 'TimeGenerated', type: 'datetime' },
        { name: 'Requests', type: 'long' },
      ],
      rows: [['2026-11-27T09:00:05.000Z', 10]],
    };
    expect(chartFigure('timechart', t)?.layout.xaxis).toEqual({
      type: 'date',
      range: ['2026-11-27T08:59:05.000Z', '2026-11-27T09:01:05.000Z'],
    });
  });

  it('draws a threshold line and names and colours series as the settings say', () => {
    const f = chartFigure('barchart', byBu, {
      customThresholdLine: 150.01,
      seriesLabelSettings: [{ seriesName: 'BaseCostShare', label: 'Base share', color: '#005A9C' }],
    });
    expect(f?.layout.shapes).toEqual([
      expect.objectContaining({
        type: 'line',
        y0: 150.01,
        y1: 150.01,
        line: expect.objectContaining({ dash: 'dash' }),
      }),
    ]);
    expect(f?.data[0]).toMatchObject({ name: 'Base share', marker: { color: '#005A9C' } });
    expect(f?.data[1]).toMatchObject({ name: 'VariableCost' });
    expect(
      chartFigure('piechart', byBu, { customThresholdLine: 1 })?.layout.shapes,
    ).toBeUndefined();
  });

  it('returns nothing when there is no column to plot', () => {
    expect(
      chartFigure('piechart', { name: 't', columns: [{ name: 'x', type: 'long' }], rows: [[1]] }),
    ).toBeUndefined();
  });
});

describe('renderWorkbookHtml', () => {
  const workbook = loadWorkbook();
  const queries = listWorkbookQueries(workbook);

  it('renders tabs, parameters, text, tiles, tables, charts and errors', () => {
    const results = new Map<string, PreviewResult>([
      [
        'overview-headline',
        {
          table: {
            name: 't',
            columns: [
              { name: 'Metric', type: 'string' },
              { name: 'Value', type: 'real' },
            ],
            rows: [['BU requests', 1234]],
          },
        },
      ],
      ['subscription-base-vs-variable', { table: byBu }],
      ['subscription-cost-allocation', { table: byBu }],
      ['entra-usage-table', { error: "Unknown function 'foo'" }],
      ['entra-usage-chart', { table: { ...byBu, rows: [] } }],
    ]);
    const html = renderWorkbookHtml(workbook, {
      displayName: 'APIM <Costing>',
      results,
      now: new Date('2026-11-27T10:00:00Z'),
    });
    expect(html).toContain('<title>APIM &lt;Costing&gt;</title>');
    // Six tabs: the original's five plus Actual cost (issue 17).
    expect(html.match(/<button type="button" class="tab"/g)).toHaveLength(6);
    expect(html.match(/<section class="tab-panel"/g)).toHaveLength(6);
    expect(html).toContain('<span class="param-value" data-param="TimeRange">Last 30 days</span>');
    expect(html).toContain(
      '<div class="tile-title">BU requests</div><div class="tile-value">1,234</div>',
    );
    expect(html).toContain('<td class="num">60.5</td>');
    expect(html).toMatch(/<div class="chart" id="chart-1" data-chart="barchart" data-series="2">/);
    expect(html).toContain('Query failed: Unknown function &#39;foo&#39;');
    expect(html).toContain('No rows in the selected time range');
    // Every query item appears, run or not.
    for (const q of queries) expect(html).toContain(`data-name="${q.name}"`);
    expect(html.match(/>Not run\.</g)).toHaveLength(queries.length - results.size);
    const data = JSON.parse(
      /<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '[]',
    ) as unknown[];
    expect(data).toHaveLength(1);
  });

  it('renders tile subtitles, collapsible groups, threshold lines and grid row limits', () => {
    const tiles: KqlTable = {
      name: 't',
      columns: [
        { name: 'Metric', type: 'string' },
        { name: 'Value', type: 'long' },
        { name: 'Status', type: 'string' },
      ],
      rows: [['Throttled (429)', 5, 'rate limited - 45.5%']],
    };
    const many: KqlTable = {
      name: 't',
      columns: [{ name: 'n', type: 'long' }],
      rows: Array.from({ length: 300 }, (_v, i) => [i]),
    };
    const filled = loadWorkbook(
      buildWorkbookData(loadConfig({}), {
        appInsights: { name: 'appi-x', appId: '', resourceId: '' },
        logAnalytics: { name: 'log-x', workspaceId: '', resourceId: '' },
      }),
    );
    const html = renderWorkbookHtml(filled, {
      displayName: 'x',
      results: new Map<string, PreviewResult>([
        ['ai-tiles-errors', { table: tiles }],
        ['subscription-base-vs-variable', { table: byBu }],
        ['detail-requests', { table: many }],
        ['subscription-cost-allocation', { table: many }],
      ]),
    });
    expect(html).toContain(
      '<div class="tile-title">Throttled (429)</div><div class="tile-value">5</div><div class="tile-subtitle">rate limited - 45.5%</div>',
    );
    expect(html).toMatch(
      /<details class="item group collapsible" data-name="overview-guide-pricing"><summary class="group-title">Pricing reference<\/summary>/,
    );
    const data = JSON.parse(
      /<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '[]',
    ) as { figure: { layout: { shapes?: { y0: number }[] } } }[];
    // The base vs variable chart's line sits at the base monthly cost parameter's value.
    expect(data[0]?.figure.layout.shapes?.[0]?.y0).toBe(150.01);
    // The detail grid shows what its rowLimit allows; other grids stop at 200.
    const detail = html.slice(html.indexOf('data-name="detail-requests"'));
    expect(detail.slice(0, detail.indexOf('</table>')).match(/<tr>/g)).toHaveLength(301);
    expect(html).toContain('100 more rows not shown.');
  });

  it('keeps query text from closing the data script', () => {
    const results = new Map<string, PreviewResult>([
      [
        'subscription-base-vs-variable',
        { table: { ...byBu, rows: [['</script><script>alert(1)</script>', 1, 2]] } },
      ],
    ]);
    const html = renderWorkbookHtml(workbook, { displayName: 'x', results });
    expect(html).not.toContain('</script><script>alert(1)');
  });

  it('formats cells for reading', () => {
    expect(formatCell(1234567, 'long')).toBe('1,234,567');
    expect(formatCell(0.000123456789, 'real')).toBe('0.000123');
    expect(formatCell('2026-11-27T09:00:00.1234567Z', 'datetime')).toBe('2026-11-27 09:00:00 UTC');
    expect(formatCell({ a: 1 }, 'dynamic')).toBe('{"a":1}');
    expect(formatCell(null, 'string')).toBe('');
  });
});
