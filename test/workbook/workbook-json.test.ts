import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import { modelPriceRows, PRICED_MODELS, WORKBOOK_PLACEHOLDERS } from '../../lib/pricing/pricing.js';
import { listWorkbookQueries, listWorkbookTabs } from '../../lib/workbook/list-queries.js';
import { brokenRules, collectParameters, walk, withValues } from '../../lib/workbook/parameters.js';
import { appIdNames } from '../../lib/workbook/publish-defaults.js';
import { readArtifact } from '../../lib/artifacts/read-artifact.js';
import { APIM_SKUS } from '../../lib/config/types.js';
import {
  buildWorkbookData,
  fillPlaceholders,
  findPlaceholders,
  loadWorkbook,
  type WorkbookItem,
} from '../../lib/workbook/workbook-json.js';
import { WorkbookError } from '../../lib/errors.js';
import { VALIDATED_PARAMETERS } from './original-items.js';

const workbook = loadWorkbook();

function allItems(): WorkbookItem[] {
  const items: WorkbookItem[] = [];
  walk(workbook.items, (item) => items.push(item));
  return items;
}

describe('workbook.json shape (plain Notebook/1.0 that Azure accepts)', () => {
  it('uses only the documented item types and versions', () => {
    const versions: Record<number, string> = {
      3: 'KqlItem/1.0',
      9: 'KqlParameterItem/1.0',
      11: 'LinkItem/1.0',
      12: 'NotebookGroup/1.0',
    };
    for (const item of allItems()) {
      expect([1, 3, 9, 11, 12], item.name).toContain(item.type);
      if (versions[item.type]) expect(item.content.version, item.name).toBe(versions[item.type]);
    }
  });

  it('gives every item a unique name', () => {
    const names = allItems().map((i) => i.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('makes every query a Logs query bound to the time range with a known visualization', () => {
    const known = [
      'table',
      'tiles',
      'piechart',
      'barchart',
      'categoricalbar',
      'timechart',
      'linechart',
      'areachart',
    ];
    for (const item of allItems().filter((i) => i.type === 3)) {
      expect(item.content.queryType, item.name).toBe(0);
      expect(item.content.resourceType, item.name).toBe('microsoft.operationalinsights/workspaces');
      expect(item.content.timeContextFromParameter, item.name).toBe('TimeRange');
      expect(known, item.name).toContain(item.content.visualization);
    }
  });

  // The original's five tabs, then Actual cost (issue 17: the allocated bill from ApimCostAllocation_CL).
  it('has the five tabs of the original workbook and Actual cost, each with text and queries', () => {
    expect(listWorkbookTabs(workbook).map((t) => t.label)).toEqual([
      'Overview',
      'Subscription-Based Costing',
      'Entra ID Application Costing',
      'AI Gateway Token/PTU',
      'Per-Request Detail',
      'Actual cost',
    ]);
    const queries = listWorkbookQueries(workbook);
    for (const tab of listWorkbookTabs(workbook)) {
      expect(queries.filter((q) => q.tab === tab.id).length, tab.label).toBeGreaterThan(0);
    }
  });

  it('declares the parameters with defaults', () => {
    const params = collectParameters(workbook);
    expect(params.get('TimeRange')).toMatchObject({
      kind: 'timeRange',
      value: 2_592_000_000,
      display: 'Last 30 days',
    });
    const expected: Record<string, string> = {
      SkuLabel: '__APIM_SKU__',
      BaseCost: '__BASE_MONTHLY_COST__',
      PerKRate: '__PER_K_RATE__',
      PromptTokenRate: '__PROMPT_TOKEN_RATE__',
      CompletionTokenRate: '__COMPLETION_TOKEN_RATE__',
      PtuCapacityTpm: '30000',
      AiApiIds: 'costing-aoai-gateway-api,costing-token-tracking-api',
      AppIdNames: '{}',
      MaxRows: '1000',
      DateTimeFormat: 'yyyy-MM-dd HH:mm:ss.fff',
    };
    for (const [name, value] of Object.entries(expected))
      expect(params.get(name)?.value, name).toBe(value);
    expect(params.get('selectedTab')?.value).toBe('overview');
    expect(params.get('SelectedBu')).toMatchObject({ kind: 'export', value: '*' });
  });

  it('has the AI Gateway tiles the original lists, in their groups', () => {
    const text = JSON.stringify(workbook);
    for (const tile of [
      'AI Requests (all subs)',
      'Successful (all 2xx)',
      'Successful (2xx, with tokens)',
      'Successful (no tokens)',
      'Throttled (429)',
      'Client Errors (4xx)',
      'Server Errors (5xx)',
      'Total Tokens',
    ]) {
      expect(text).toContain(tile);
    }
    const groups = allItems()
      .filter((i) => i.type === 12)
      .map((i) => i.content.title);
    expect(groups).toEqual(expect.arrayContaining(['APIM Inbound', 'AI Backend']));
  });

  it('uses exactly the publish-time placeholder set', () => {
    expect(findPlaceholders(workbook)).toEqual([...WORKBOOK_PLACEHOLDERS].sort());
    const appQueries = listWorkbookQueries(workbook).filter((q) =>
      q.template.includes('customMetrics'),
    );
    for (const q of appQueries)
      expect(q.template).toContain("app('__APP_INSIGHTS_ID__').customMetrics");
  });
});

describe('fillPlaceholders', () => {
  const config = loadConfig({ deployment: { apimSku: 'BasicV2' } });
  const appi = (name: string): { name: string; appId: string; resourceId: string } => ({
    name,
    appId: '00000000-0000-0000-0000-000000000001',
    resourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/${name}`,
  });
  const workspace = {
    name: 'log-x',
    workspaceId: '00000000-0000-0000-0000-000000000002',
    resourceId:
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-x',
  };

  it('fills every placeholder from pricing and the deployment', () => {
    const data = buildWorkbookData(config, {
      appInsights: appi('appi-x'),
      logAnalytics: workspace,
    });
    const filled = loadWorkbook(data);
    expect(filled.fallbackResourceIds).toEqual([workspace.resourceId]);
    expect(findPlaceholders(filled)).toEqual([]);
    const params = collectParameters(filled);
    expect(params.get('BaseCost')?.value).toBe('150.01');
    expect(params.get('PerKRate')?.value).toBe('0.003');
    expect(params.get('SkuLabel')?.value).toBe('Basic v2');
    // app() takes the component's resource id: a name is ambiguous across subscriptions.
    expect(data).toContain(`app('${appi('appi-x').resourceId}').customMetrics`);
  });

  it('points the AI API ids at the configured API prefix', () => {
    const custom = loadConfig({ deployment: { apiPrefix: 'acme-' } });
    const data = buildWorkbookData(custom, {
      appInsights: appi('appi-z'),
      logAnalytics: workspace,
    });
    expect(collectParameters(loadWorkbook(data)).get('AiApiIds')?.value).toBe(
      'acme-aoai-gateway-api,acme-token-tracking-api',
    );
  });

  it('names the missing placeholder and where to get it', () => {
    expect(() => fillPlaceholders(workbook, { __APIM_SKU__: 'Basic v2' })).toThrow(WorkbookError);
    expect(() =>
      fillPlaceholders(workbook, {
        __APIM_SKU__: 'x',
        __BASE_MONTHLY_COST__: '1',
        __PER_K_RATE__: '1',
        __PROMPT_TOKEN_RATE__: '1',
        __COMPLETION_TOKEN_RATE__: '1',
        __MODEL_PRICES__: modelPriceRows(),
      }),
    ).toThrow(
      'Workbook placeholders without a value: __APP_INSIGHTS_ID__. Pass the App Insights resource id (deployment.appInsights.resourceId, from cell A2).',
    );
  });

  it('refuses values that would break out of a KQL string', () => {
    expect(() =>
      fillPlaceholders(workbook, { __APP_INSIGHTS_ID__: "x').customMetrics | take 1 //" }),
    ).toThrow(/contains a quote/);
  });

  it('does not modify the loaded workbook', () => {
    const before = JSON.stringify(workbook);
    buildWorkbookData(config, { appInsights: appi('appi-y'), logAnalytics: workspace });
    expect(JSON.stringify(workbook)).toBe(before);
  });
});

describe('publish-time values', () => {
  const deployment = {
    appInsights: { name: 'appi-x', appId: '', resourceId: '' },
    logAnalytics: { name: 'log-x', workspaceId: '', resourceId: '' },
  };

  it('validates the rates as the original does, and every SKU and model default passes', () => {
    const params = collectParameters(workbook);
    for (const name of VALIDATED_PARAMETERS)
      expect(params.get(name)?.rules?.[0]?.regExp, name).toMatch(/^\^/);
    for (const apimSku of APIM_SKUS) {
      for (const model of PRICED_MODELS) {
        const config = loadConfig({
          deployment: { apimSku },
          models: [{ name: model, version: '2025-01-01', capacityKTpm: 10, requestsPerBu: 1 }],
        });
        const filled = collectParameters(loadWorkbook(buildWorkbookData(config, deployment)));
        for (const p of filled.values())
          expect(brokenRules(p), `${apimSku} ${model} ${p.name}`).toEqual([]);
      }
    }
    const bad = withValues(params, { BaseCost: '150,01', MaxRows: '0' });
    expect(brokenRules(bad.get('BaseCost')!)).toEqual([
      'Enter a plain decimal number with at most 2 decimals, such as 150.01.',
    ]);
    expect(brokenRules(bad.get('MaxRows')!)).toHaveLength(1);
  });

  it('refuses to publish a default its rule rejects, naming the parameter', () => {
    const text = readArtifact('workbook.json').replace('"value": "1000"', '"value": "all"');
    expect(() => buildWorkbookData(loadConfig({}), deployment, text)).toThrow(
      'Workbook parameter MaxRows would be published as "all", which its rule rejects: Enter a whole number from 1 to 999999.',
    );
  });

  it('names the simulated callers and fills the price table', () => {
    const config = loadConfig({});
    const filled = loadWorkbook(buildWorkbookData(config, deployment));
    const names = JSON.parse(String(collectParameters(filled).get('AppIdNames')?.value)) as Record<
      string,
      string
    >;
    expect(names).toEqual(Object.fromEntries(config.callers.map((c) => [c.appId, c.name])));
    expect(appIdNames([{ appId: 'a', name: `O'Brien "Ops" \\` }])).toBe(
      '{"a":"O\u2019Brien \u201dOps\u201d /"}',
    );
    expect(JSON.stringify(filled)).toContain(modelPriceRows());
    expect(() =>
      fillPlaceholders(workbook, { __MODEL_PRICES__: "'x', 1, 2, 'now']; evil" }),
    ).toThrow(/is not datatable rows/);
  });
});

describe('loadWorkbook', () => {
  it('rejects JSON that is not a workbook', () => {
    expect(() => loadWorkbook('{"items": []}')).toThrow(/Notebook\/1.0/);
    expect(() => loadWorkbook('{')).toThrow(/not valid JSON/);
    expect(() =>
      loadWorkbook('{"version":"Notebook/1.0","items":[{"type":3,"content":{}}]}'),
    ).toThrow(/needs a "name"/);
  });
});
