import { describe, expect, it } from 'vitest';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';
import {
  formatWorkbookDiagnostics,
  validateWorkbookQueries,
} from '../../lib/workbook/validate-queries.js';
import { loadConfig } from '../../lib/config/load-config.js';
import {
  buildWorkbookData,
  loadWorkbook,
  type WorkbookDocument,
} from '../../lib/workbook/workbook-json.js';

// The workbook as it is published: the price table placeholder is the rows of a datatable, so
// the file itself is only valid KQL once filled.
const workbook = loadWorkbook(
  buildWorkbookData(loadConfig({}), {
    appInsights: { name: 'appi-test', appId: '', resourceId: '' },
    logAnalytics: { name: 'log-test', workspaceId: '', resourceId: '' },
  }),
);

describe('every workbook query validates against the schemas', () => {
  const results = validateWorkbookQueries(listWorkbookQueries(workbook));

  // Six tabs: the original's five plus Actual cost (issue 17: the bill allocated by E4).
  it('lists at least one query on each of the six tabs', () => {
    const perTab = new Map<string, number>();
    for (const r of results) perTab.set(r.query.tabLabel, (perTab.get(r.query.tabLabel) ?? 0) + 1);
    expect([...perTab.keys()]).toEqual([
      'Overview',
      'Subscription-Based Costing',
      'Entra ID Application Costing',
      'AI Gateway Token/PTU',
      'Per-Request Detail',
      'Actual cost',
    ]);
  });

  // One test per query, so a failure names the tab and item.
  for (const r of results) {
    it(`${r.query.tabLabel} / ${r.query.name} has zero errors`, () => {
      expect(formatWorkbookDiagnostics([r])).toBe('');
    });
  }
});

describe('a broken query fails validation', () => {
  function withQuery(query: string): WorkbookDocument {
    const copy = JSON.parse(JSON.stringify(workbook)) as WorkbookDocument;
    const group = copy.items.find((i) => i.name === 'ai-group');
    group?.content.items?.push({
      type: 3,
      name: 'broken',
      content: { version: 'KqlItem/1.0', query, visualization: 'table' },
    });
    return copy;
  }

  it('reports an unknown column with its item name and position', () => {
    const results = validateWorkbookQueries(
      listWorkbookQueries(
        withQuery(
          'ApiManagementGatewayLogs\n| where TimeGenerated {TimeRange}\n| summarize count() by ApimSubscriptionIdd',
        ),
      ),
    );
    const broken = results.find((r) => r.query.name === 'broken');
    expect(broken?.query.tab).toBe('ai');
    expect(broken?.errors.length).toBeGreaterThan(0);
    const text = formatWorkbookDiagnostics(results);
    expect(text).toMatch(
      /^workbook\.json#broken:3:\d+ .*ApimSubscriptionIdd.*\(tab AI Gateway Token\/PTU\)$/,
    );
    expect(results.filter((r) => r.errors.length > 0)).toHaveLength(1);
  });

  it('reports a syntax error', () => {
    const results = validateWorkbookQueries(
      listWorkbookQueries(withQuery('ApiManagementGatewayLogs | summarize count( by ApiId')),
    );
    expect(results.find((r) => r.query.name === 'broken')?.errors.length).toBeGreaterThan(0);
  });
});
