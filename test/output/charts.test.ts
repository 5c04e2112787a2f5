import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { barFigure, lineFigure, pieFigure, PLOTLY_MIME } from '../../lib/output/charts.js';
import { runNotebook } from '../../lib/internal/notebook-runner.js';
import { tableHtml, tableText } from '../../lib/output/tables.js';
import type { KqlTable } from '../../lib/target.js';

const t: KqlTable = {
  name: 'r',
  columns: [
    { name: 'BU', type: 'string' },
    { name: 'Model', type: 'string' },
    { name: 'Tokens', type: 'long' },
  ],
  rows: [
    ['hr', 'gpt-4o-mini', 10],
    ['hr', 'gpt-5-mini', 20],
    ['finance', 'gpt-4o-mini', 30],
  ],
};

describe('figures from query results', () => {
  it('builds one bar trace per y column, summing repeated x values', () => {
    const fig = barFigure(t, { x: 'BU', y: ['Tokens'], title: 'Tokens' });
    expect(fig.data).toEqual([{ type: 'bar', name: 'Tokens', x: ['hr', 'finance'], y: [30, 30] }]);
    expect(fig.layout).toMatchObject({ barmode: 'group', title: { text: 'Tokens' } });
  });
  it('splits long-format data into one trace per series value, stacked', () => {
    const fig = barFigure(t, { x: 'BU', y: ['Tokens'], series: 'Model', stacked: true });
    expect(fig.data.map((d) => [d.name, d.x, d.y])).toEqual([
      ['gpt-4o-mini', ['hr', 'finance'], [10, 30]],
      ['gpt-5-mini', ['hr'], [20]],
    ]);
    expect(fig.layout?.barmode).toBe('stack');
  });
  it('builds pies and lines', () => {
    expect(pieFigure(t, { x: 'BU', y: ['Tokens'] }).data[0]).toMatchObject({
      type: 'pie',
      labels: ['hr', 'finance'],
      values: [30, 30],
    });
    expect(lineFigure(t, { x: 'BU', y: ['Tokens'] }).data[0]).toMatchObject({
      type: 'scatter',
      mode: 'lines+markers',
    });
  });
  it('names a missing column', () => {
    expect(() => barFigure(t, { x: 'Nope', y: ['Tokens'] })).toThrow(
      "Column 'Nope' is not in the result (columns: BU, Model, Tokens).",
    );
  });
  it('renders text tables aligned', () => {
    expect(tableText(t)).toBe(
      [
        'BU       Model        Tokens',
        '-------  -----------  ------',
        'hr       gpt-4o-mini  10',
        'hr       gpt-5-mini   20',
        'finance  gpt-4o-mini  30',
      ].join('\n'),
    );
  });
});

describe('charts in a notebook output', () => {
  it('sends the Plotly MIME bundle with an HTML fallback that loads plotly.js instead of carrying it', async () => {
    const run = await runNotebook(path.join(__dirname, '..', 'fixtures', 'charts.ipynb'), {
      rootDir: path.join(__dirname, '..', '..'),
    });
    const displays = run.cells[0]!.outputs.filter((o) => o.kind === 'display');
    expect(displays).toHaveLength(3);
    const [bar, pie, table] = displays.map((d) => (d.kind === 'display' ? d.data : {}));
    expect(Object.keys(bar!).sort()).toEqual([PLOTLY_MIME, 'text/html', 'text/plain'].sort());
    expect(bar![PLOTLY_MIME]).toMatchObject({
      data: [{ type: 'bar', x: ['hr', 'finance'], y: [3, 5] }],
    });
    const lib = '* plotly.js';
    for (const chart of [bar!, pie!]) {
      const html = String(chart['text/html']);
      expect(html).not.toContain(lib);
      expect(html.length).toBeLessThan(20_000);
      expect(html).toContain('Plotly.newPlot');
      expect(html).toContain('kernelspecs/');
      expect(html).toContain('"kernelspec":"tslab","bundleFile":"plotly-basic.min.js"');
    }
    // Where scripts do not run, the chart's data stays readable.
    expect(String(bar!['text/html'])).toMatch(
      /<table><thead><tr><th><\/th><th>Requests<\/th><\/tr><\/thead><tbody><tr><td>hr<\/td><td>3<\/td><\/tr><tr><td>finance<\/td><td>5<\/td>/,
    );
    expect(String(table!['text/html'])).toContain('<table');
    expect(String(table!['text/html'])).toContain('finance');
  });
});

describe('HTML tables', () => {
  it('escapes cell text once and shows integers without decimals', () => {
    const html = tableHtml(
      {
        columns: ['Name', 'N'],
        rows: [
          ['x<y & z', 1162],
          ['pi', 3.14159265],
        ],
      },
      { title: 'T & U' },
    );
    expect(html).toContain('<strong>T &#38; U</strong>');
    expect(html).toContain('>x&lt;y &amp; z<');
    expect(html).toContain('>1162<');
    expect(html).toContain('>3.141593<');
  });
});
