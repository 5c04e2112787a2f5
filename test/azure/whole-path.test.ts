/**
 * The whole azure path in the order the notebooks run it, on one target and one fake transport:
 * A2 deploy, B2/B3 cost export, B4 alerts, E1 log polling, E2 metrics, F workbook, then
 * clean-up.ipynb (dry run, delete). Every request goes through the injected transport.
 */
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../lib/artifacts/read-artifact.js';
import { bindParameters } from '../../lib/kql/query-files.js';
import { waitForRows } from '../../lib/verify/wait-for-rows.js';
import { workbookPlaceholders, WORKBOOK_PLACEHOLDERS } from '../../lib/pricing/pricing.js';
import { deployedTarget, EXPORT_PRINCIPAL, SUB, WORKSPACE_CUSTOMER_ID } from './arm-simulator.js';

describe('azure target: the whole path', () => {
  it('create.ipynb then clean-up.ipynb, request by request', async () => {
    const { fake, target, config, deployment } = await deployedTarget(
      { governance: { alertEmail: 'finops@contoso.com' } },
      { roleRetry: { attempts: 3, delayMs: 1 } },
    );
    const created = new Map<string, Record<string, unknown>>();
    const echo = (status: number) => (r: { path: string; body: unknown }) => {
      created.set(r.path.toLowerCase(), { id: r.path, ...(r.body as object) });
      return { status, body: { id: r.path, name: r.path.split('/').pop(), ...(r.body as object) } };
    };
    // B2/B3
    const exportPath = new RegExp(
      `^/subscriptions/${SUB}/providers/Microsoft\\.CostManagement/exports/apim-costing-export-1$`,
    );
    let exportExists = false;
    fake.on('GET', exportPath, () =>
      exportExists
        ? { status: 200, body: { id: 'x', name: 'apim-costing-export-1', properties: {} } }
        : { status: 404, body: { error: { code: 'NotFound', message: 'Export not found.' } } },
    );
    fake.on('PUT', exportPath, (r) => {
      exportExists = true;
      return {
        status: 201,
        body: {
          ...(r.body as object),
          id: r.path,
          name: 'apim-costing-export-1',
          identity: { type: 'SystemAssigned', principalId: EXPORT_PRINCIPAL },
        },
      };
    });
    fake.on('DELETE', exportPath, () => {
      exportExists = false;
      return { status: 200 };
    });
    fake.on('POST', /\/exports\/apim-costing-export-1\/run$/, { status: 200 });
    fake.on('PUT', /\/roleAssignments\/[^/]+$/, (r) => ({
      status: 201,
      body: { id: r.path, properties: r.body },
    }));
    // B4 and F
    fake.on(
      'PUT',
      /\/providers\/Microsoft\.Insights\/(actionGroups|scheduledQueryRules|workbooks)\/[^/]+$/i,
      echo(201),
    );
    // E1, E2
    fake.on('POST', new RegExp(`^/v1/workspaces/${WORKSPACE_CUSTOMER_ID}/query$`), (_r, call) => ({
      status: 200,
      body: {
        tables: [
          {
            name: 'PrimaryResult',
            columns: [
              { name: 'Source', type: 'string' },
              { name: 'Rows', type: 'long' },
            ],
            rows:
              call === 1
                ? []
                : [
                    ['ApiManagementGatewayLogs', 525],
                    ['ApiManagementGatewayLlmLog', 72],
                  ],
          },
        ],
      },
    }));
    fake.on('POST', /\/metrics:getBatch$/, { status: 200, body: { values: [] } });

    expect((await target.createCostExport()).status).toBe('done');
    expect((await target.runCostExport()).status).toBe('done');
    expect((await target.createBudgetAlerts()).status).toBe('done');
    const ingestion = bindParameters(readArtifact('kql', 'log-ingestion-check.kql'));
    const logs = await waitForRows(target, ingestion, {
      minRows: 2,
      initialIntervalMs: 5,
      maxIntervalMs: 10,
      timeoutMs: 10_000,
    });
    expect(logs.result.table.rows).toEqual([
      ['ApiManagementGatewayLogs', 525],
      ['ApiManagementGatewayLlmLog', 72],
    ]);
    expect((await target.queryMetric('caller-requests', { splitBy: 'CallerId' })).rows).toEqual([]);
    const values = workbookPlaceholders(config, {
      appInsightsId: deployment.appInsights.resourceId,
    });
    let data = readArtifact('workbook.json');
    for (const key of WORKBOOK_PLACEHOLDERS) data = data.split(key).join(values[key] ?? '');
    const published = await target.publishWorkbook({
      serializedData: data,
      displayName: 'APIM Costing & Showback (1)',
    });
    expect(published.url.endsWith('/workbook')).toBe(true);

    // clean-up.ipynb: everything the kit made exists and is tagged.
    const kitTags = { 'apim-costing-kit': '1' };
    const deleted: string[] = [];
    fake.on(
      'GET',
      new RegExp(`^/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/.+`, 'i'),
      (r) =>
        deleted.includes(r.path.toLowerCase())
          ? { status: 404, body: { error: { code: 'ResourceNotFound', message: 'gone' } } }
          : {
              status: 200,
              // Loggers and fragments carry the kit marker in their description instead of tags.
              body: {
                id: r.path,
                tags: kitTags,
                properties: { description: 'apim-costing-kit: x' },
              },
            },
    );
    fake.on(
      'DELETE',
      new RegExp(`^/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/.+`, 'i'),
      (r) => {
        deleted.push(r.path.toLowerCase());
        return { status: 200 };
      },
    );
    fake.on('GET', /\/resourceGroups\/rg-apim-costing-1\/resources$/i, () => ({
      status: 200,
      body: { value: [] },
    }));
    const rgPath = /^\/subscriptions\/[^/]+\/resourcegroups\/rg-apim-costing-1$/i;
    fake.on('DELETE', rgPath, () => {
      fake.on('GET', rgPath, {
        status: 404,
        body: {
          error: {
            code: 'ResourceGroupNotFound',
            message: "Resource group 'rg-apim-costing-1' could not be found.",
          },
        },
      });
      return { status: 200 };
    });

    const dryRun = await target.cleanUp();
    expect(dryRun.every((i) => i.action === 'would-delete')).toBe(true);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    const done = await target.cleanUp({ dryRun: false });
    expect(done.every((i) => i.action === 'deleted')).toBe(true);
    expect(done.map((i) => i.kind)).toContain('resource group');
    const again = await target.cleanUp({ dryRun: false });
    expect(again).toEqual([
      { kind: 'Cost Management export', name: 'apim-costing-export-1', action: 'already-gone' },
      {
        kind: 'resource group',
        name: 'rg-apim-costing-1',
        action: 'already-gone',
        reason: 'the resource group does not exist',
      },
    ]);

    expect(fake.unexpected).toEqual([]);
    // Every request was authenticated and carried an api-version (ARM) or went to a data plane.
    for (const r of fake.requests) {
      expect(r.headers.authorization).toBe('Bearer fake-token');
      if (r.host === 'management.azure.com')
        expect(r.apiVersion, `${r.method} ${r.path}`).toMatch(/^\d{4}-\d{2}-\d{2}(-preview)?$/);
    }
    expect(new Set(fake.requests.map((r) => r.host))).toEqual(
      new Set(['management.azure.com', 'api.loganalytics.io', 'eastus2.metrics.monitor.azure.com']),
    );
  });
});
