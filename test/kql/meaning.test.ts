/**
 * KQL checks of meaning, not syntax (issue 15): what Azure runs must mean what the kit assumes.
 * - `app()` / `workspace()` take ids: a component name is ambiguous across the subscriptions
 *   the reader can see, and the query then fails.
 * - An alert query counts its whole window: clock-hour bins split a window that straddles an
 *   hour, so a breach spread over two bins never fires.
 * - A query sent to an App Insights component uses only the tables that scope has, and a
 *   workspace query reaches classic App Insights tables only through `app()`.
 */
import { describe, expect, it } from 'vitest';
import { queryScope, APP_INSIGHTS_TABLES } from '../../lib/azure/log-queries.js';
import { BUDGET_ALERT_QUERY_FILE } from '../../lib/artifacts/names.js';
import { bindParameters, executeQuery, listQueryNames, loadQuery } from '../../lib/kql/index.js';
import { loadSchemas } from '../../lib/kql/global-state.js';
import { loadConfig } from '../../lib/config/load-config.js';
import { loadPricedQuery } from '../../lib/pricing/query-prices.js';
import { buildWorkbookData, loadWorkbook } from '../../lib/workbook/workbook-json.js';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';
import { MemorySource } from './memory-source.js';

/** Query code without comments and with string literals emptied (names in them do not count). */
function code(query: string): string {
  return query
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/@?'(?:[^'\\\n]|\\.)*'|@?"(?:[^"\\\n]|\\.)*"/g, "''");
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COMPONENT_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Insights\/components\/[^/]+$/i;
const WORKSPACE_ID =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

/** Arguments of app()/workspace() that are not ids, as `fn('arg')`. */
export function nonIdArguments(query: string): string[] {
  const out: string[] = [];
  for (const m of query.matchAll(/\b(app|workspace)\s*\(\s*(['"])([^'"]*)\2\s*\)/g)) {
    const [, fn, , arg = ''] = m;
    const id = fn === 'app' ? COMPONENT_ID : WORKSPACE_ID;
    if (!GUID.test(arg) && !id.test(arg)) out.push(`${fn ?? ''}('${arg}')`);
  }
  return out;
}

/** Tables a query names that its scope does not have. */
export function tablesOutsideScope(query: string, scope: 'workspace' | 'appInsights'): string[] {
  // app('...').table is a cross-resource reference the workspace resolves: not a workspace table.
  const own = code(query).replace(/\bapp\s*\(\s*''\s*\)\s*\.\s*\w+/g, ' ');
  const tables = [...loadSchemas().keys()].filter((t) => new RegExp(`\\b${t}\\b`).test(own));
  const classic = new Set(APP_INSIGHTS_TABLES);
  return tables.filter((t) => (scope === 'appInsights' ? !classic.has(t) : classic.has(t)));
}

/** The workbook as cell F (and main.bicep) deploys it, with its queries. */
function deployedWorkbookQueries(): { name: string; text: string }[] {
  const config = loadConfig({});
  const data = buildWorkbookData(config, {
    appInsights: {
      name: 'appi-apim-costing-1',
      appId: '00000000-0000-4000-8000-000000000001',
      resourceId:
        '/subscriptions/0b5f6c1e-2a4d-4c3b-9e8f-1a2b3c4d5e6f/resourceGroups/rg/providers/Microsoft.Insights/components/appi-apim-costing-1',
    },
    logAnalytics: {
      name: 'log-apim-costing-1',
      workspaceId: '00000000-0000-4000-8000-000000000002',
      resourceId:
        '/subscriptions/0b5f6c1e-2a4d-4c3b-9e8f-1a2b3c4d5e6f/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log-apim-costing-1',
    },
  });
  return listWorkbookQueries(loadWorkbook(data)).map((q) => ({ name: q.name, text: q.template }));
}

describe('app() and workspace() take ids', () => {
  it('in every kql/ file and every query of the deployed workbook', () => {
    const queries = [
      ...listQueryNames().map((n) => ({
        name: `kql/${n}.kql`,
        text: loadPricedQuery(n, loadConfig({}, {})).text,
      })),
      ...deployedWorkbookQueries(),
    ];
    const found = queries.filter((q) => /\b(app|workspace)\s*\(/.test(q.text));
    expect(found.length, 'the workbook reads customMetrics through app()').toBeGreaterThan(0);
    for (const q of queries) expect(nonIdArguments(q.text), q.name).toEqual([]);
  });

  it('rejects a component name', () => {
    expect(nonIdArguments("app('appi-apim-costing-1').customMetrics | count")).toEqual([
      "app('appi-apim-costing-1')",
    ]);
    expect(nonIdArguments("workspace('log-apim-costing-1').AppMetrics | count")).toEqual([
      "workspace('log-apim-costing-1')",
    ]);
  });
});

describe('alert queries aggregate their whole window', () => {
  it(`${BUDGET_ALERT_QUERY_FILE} fires for a breach that straddles a clock hour`, () => {
    const now = new Date('2026-11-27T10:30:00Z');
    const rows = (at: string, n: number): Record<string, unknown>[] =>
      Array.from({ length: n }, (_, i) => ({
        TimeGenerated: at,
        CorrelationId: `${at}-${i}`,
        ApimSubscriptionId: 'bu-hr',
        ResponseCode: 200,
      }));
    // 1,200 requests in the alert's last hour, 600 on each side of 10:00.
    const source = new MemorySource({
      ApiManagementGatewayLogs: [
        ...rows('2026-11-27T09:45:00Z', 600),
        ...rows('2026-11-27T10:15:00Z', 600),
      ] as never,
    });
    const query = bindParameters(loadQuery(BUDGET_ALERT_QUERY_FILE.replace(/\.kql$/, '')).source, {
      threshold: 1000,
      businessUnit: 'bu-hr',
    });
    const result = executeQuery(query, source, { now });
    const requests = result.table.columns.findIndex((c) => c.name === 'Requests');
    expect(result.table.rows.map((r) => r[requests])).toEqual([1200]);
  });

  it('bins no alert query by clock time', () => {
    const text = code(loadQuery(BUDGET_ALERT_QUERY_FILE.replace(/\.kql$/, '')).text);
    expect(text).not.toMatch(/\bbin\s*\(\s*TimeGenerated/);
  });
});

describe('a query uses only the tables of the scope it is sent to', () => {
  it('every kql/ file: App Insights queries only classic tables, workspace queries classic ones only through app()', () => {
    for (const name of listQueryNames()) {
      const text = loadPricedQuery(name, loadConfig({}, {})).text;
      expect(
        tablesOutsideScope(text, queryScope(text)),
        `kql/${name}.kql (${queryScope(text)})`,
      ).toEqual([]);
    }
  });

  it('every workbook query (the workbook runs in the workspace)', () => {
    for (const q of deployedWorkbookQueries())
      expect(tablesOutsideScope(q.text, 'workspace'), q.name).toEqual([]);
  });

  it('flags a workspace query that names customMetrics without app()', () => {
    const mixed =
      'ApiManagementGatewayLogs | join (customMetrics | project CorrelationId = tostring(name)) on CorrelationId';
    expect(queryScope(mixed)).toBe('workspace');
    expect(tablesOutsideScope(mixed, 'workspace')).toEqual(['customMetrics']);
    expect(tablesOutsideScope('ApiManagementGatewayLogs | count', 'appInsights')).toEqual([
      'ApiManagementGatewayLogs',
    ]);
  });
});
