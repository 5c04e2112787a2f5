import { describe, expect, it } from 'vitest';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';
import {
  collectParameters,
  durationLabel,
  substituteParameters,
  timespanLiteral,
} from '../../lib/workbook/parameters.js';
import { loadWorkbook } from '../../lib/workbook/workbook-json.js';

const doc = loadWorkbook(
  JSON.stringify({
    version: 'Notebook/1.0',
    items: [
      {
        type: 9,
        name: 'p',
        content: {
          version: 'KqlParameterItem/1.0',
          parameters: [
            { name: 'TimeRange', type: 4, value: { durationMs: 14_400_000 } },
            { name: 'Rate', type: 1, value: '0.003' },
            {
              name: 'Apis',
              type: 2,
              multiSelect: true,
              quote: "'",
              delimiter: ',',
              value: ['a-api', 'b-api'],
            },
          ],
        },
      },
      {
        type: 11,
        name: 'tabs',
        content: {
          version: 'LinkItem/1.0',
          style: 'tabs',
          links: [
            { cellValue: 'tab', linkTarget: 'parameter', linkLabel: 'One', subTarget: 'one' },
            { cellValue: 'tab', linkTarget: 'parameter', linkLabel: 'Two', subTarget: 'two' },
          ],
        },
      },
      {
        type: 12,
        name: 'g2',
        conditionalVisibility: { parameterName: 'tab', comparison: 'isEqualTo', value: 'two' },
        content: {
          version: 'NotebookGroup/1.0',
          items: [
            {
              type: 12,
              name: 'inner',
              content: {
                version: 'NotebookGroup/1.0',
                items: [
                  {
                    type: 3,
                    name: 'q',
                    content: {
                      version: 'KqlItem/1.0',
                      title: 'Over {TimeRange}',
                      query:
                        'T | where TimeGenerated {TimeRange} | where Api in ({Apis}) | extend r = todouble(\'{Rate}\'), d = dynamic({"x": 1})',
                    },
                  },
                ],
              },
            },
          ],
        },
      },
    ],
  }),
);
const params = collectParameters(doc);
const now = new Date('2026-11-27T10:00:00Z');

describe('substituteParameters', () => {
  it('expands a time range to its query form in queries and its label in text', () => {
    expect(substituteParameters('where T {TimeRange}', params, { context: 'query' })).toBe(
      'where T > ago(4h)',
    );
    expect(substituteParameters('Range: {TimeRange}', params, { context: 'text' })).toBe(
      'Range: Last 4 hours',
    );
    expect(
      substituteParameters('{TimeRange:start}..{TimeRange:end}', params, { context: 'query', now }),
    ).toBe('2026-11-27T06:00:00.000Z..2026-11-27T10:00:00.000Z');
    expect(
      substituteParameters('{TimeRange:value} {TimeRange:label}', params, { context: 'query' }),
    ).toBe('14400000 Last 4 hours');
  });

  it('replaces inside quoted strings and quotes multi-select drop-downs', () => {
    expect(
      substituteParameters("todouble('{Rate}') in ({Apis})", params, { context: 'query' }),
    ).toBe("todouble('0.003') in ('a-api', 'b-api')");
  });

  it('leaves unknown names, unknown options and KQL braces alone', () => {
    const text = 'dynamic({"x": 1}) {Unknown} {Rate:bogus}';
    expect(substituteParameters(text, params, { context: 'query' })).toBe(text);
  });

  it('formats durations as the portal and Kusto do', () => {
    expect(durationLabel(86_400_000)).toBe('Last 24 hours');
    expect(durationLabel(3_600_000)).toBe('Last hour');
    expect(durationLabel(604_800_000)).toBe('Last 7 days');
    expect(timespanLiteral(86_400_000)).toBe('1d');
    expect(timespanLiteral(1_800_000)).toBe('30m');
    expect(timespanLiteral(1500)).toBe('1500ms');
  });
});

describe('listWorkbookQueries', () => {
  it('finds nested query items, their tab and resolved text', () => {
    const [q, ...rest] = listWorkbookQueries(doc);
    expect(rest).toEqual([]);
    expect(q).toMatchObject({
      tab: 'two',
      tabLabel: 'Two',
      name: 'q',
      groups: ['g2', 'inner'],
      title: 'Over Last 4 hours',
      visualization: 'table',
    });
    expect(q?.query).toBe(
      "T | where TimeGenerated > ago(4h) | where Api in ('a-api', 'b-api') | extend r = todouble('0.003'), d = dynamic({\"x\": 1})",
    );
    expect(q?.parameters.sort()).toEqual(['Apis', 'Rate', 'TimeRange']);
  });

  it('resolves every parameter reference in the kit workbook', () => {
    for (const query of listWorkbookQueries()) {
      expect(query.query, query.name).not.toMatch(/\{[A-Za-z_]+(:[a-z]+)?\}/);
      expect(query.query, query.name).toContain('> ago(30d)');
    }
  });
});
