/**
 * Cells E1-E3 and F on Azure: log queries (workspace and App Insights), ingestion polling with
 * backoff and a 429 with Retry-After, workbook update on its own, portal links.
 */
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../lib/artifacts/read-artifact.js';
import { waitForRows } from '../../lib/verify/wait-for-rows.js';
import { workbookPlaceholders, WORKBOOK_PLACEHOLDERS } from '../../lib/pricing/pricing.js';
import { armError } from './fake-azure.js';
import { APP_ID, deployedTarget, SUB, TENANT, WORKSPACE_CUSTOMER_ID } from './arm-simulator.js';

const WORKSPACE_QUERY = new RegExp(`^/v1/workspaces/${WORKSPACE_CUSTOMER_ID}/query$`);

function table(rows: unknown[][]): { status: number; body: unknown } {
  return {
    status: 200,
    body: {
      tables: [
        {
          name: 'PrimaryResult',
          columns: [
            { name: 'TimeGenerated', type: 'datetime' },
            { name: 'ApimSubscriptionId', type: 'string' },
            { name: 'Requests', type: 'long' },
            { name: 'TraceRecords', type: 'dynamic' },
          ],
          rows,
        },
      ],
    },
  };
}

describe('azure target: log queries and ingestion polling (cells E1, E2)', () => {
  it('queries the workspace and maps the result (datetimes as ISO strings, dynamic as JSON)', async () => {
    const { fake, target } = await deployedTarget();
    fake.on(
      'POST',
      WORKSPACE_QUERY,
      table([['2026-11-27T10:00:00Z', 'bu-hr', 12, '[{"message":"IncludeUsageInjected"}]']]),
    );
    const result = await target.queryLogs(
      "ApiManagementGatewayLogs | where ApimSubscriptionId startswith 'bu-'",
      { timespan: 'PT2H' },
    );
    const sent = fake.find('POST', WORKSPACE_QUERY)[0];
    expect(sent?.host).toBe('api.loganalytics.io');
    expect(sent?.body).toEqual({
      query: "ApiManagementGatewayLogs | where ApimSubscriptionId startswith 'bu-'",
      timespan: 'PT2H',
    });
    expect(sent?.headers.authorization).toBe('Bearer fake-token');
    expect(result).toEqual({
      status: 'success',
      table: {
        name: 'PrimaryResult',
        columns: [
          { name: 'TimeGenerated', type: 'datetime' },
          { name: 'ApimSubscriptionId', type: 'string' },
          { name: 'Requests', type: 'long' },
          { name: 'TraceRecords', type: 'dynamic' },
        ],
        rows: [['2026-11-27T10:00:00.000Z', 'bu-hr', 12, [{ message: 'IncludeUsageInjected' }]]],
      },
    });
  });

  it('sends App Insights classic tables to the App Insights resource, and maps a partial result', async () => {
    const { fake, target, deployment } = await deployedTarget();
    const resourceQuery = new RegExp(
      `^/v1${deployment.appInsights.resourceId.replace(/\./g, '\\.')}/query$`,
    );
    fake.on('POST', resourceQuery, {
      status: 200,
      body: {
        tables: [{ name: 'PrimaryResult', columns: [{ name: 'Rows', type: 'long' }], rows: [[4]] }],
        error: { code: 'PartialError', message: 'Query result was truncated.' },
      },
    });
    const query = readArtifact('kql', 'metric-ingestion-check.kql');
    const result = await target.queryLogs(
      `let lookback = 1d; let metricName = 'caller-requests'; ${query}`,
    );
    expect(fake.find('POST', resourceQuery)).toHaveLength(1);
    expect(fake.find('POST', WORKSPACE_QUERY)).toHaveLength(0);
    expect((fake.find('POST', resourceQuery)[0]?.body as { timespan: string }).timespan).toBe(
      'P30D',
    );
    expect(result).toEqual({
      status: 'partial',
      table: { name: 'PrimaryResult', columns: [{ name: 'Rows', type: 'long' }], rows: [[4]] },
      error: 'PartialError: Query result was truncated.',
    });
    // `app('...')` references stay on the workspace (cross-resource query).
    fake.on('POST', WORKSPACE_QUERY, table([]));
    await target.queryLogs(`app('${APP_ID}').customMetrics | count`);
    expect(fake.find('POST', WORKSPACE_QUERY)).toHaveLength(1);
  });

  it('a bad query names the service error; a bad timespan is refused before sending', async () => {
    const { fake, target } = await deployedTarget();
    fake.on(
      'POST',
      WORKSPACE_QUERY,
      armError(
        400,
        'BadArgumentError',
        "'summarize' operator: Failed to resolve column named 'Nope'",
      ),
    );
    await expect(
      target.queryLogs('ApiManagementGatewayLogs | summarize count() by Nope'),
    ).rejects.toThrow(
      "Log Analytics rejected the query (BadArgumentError): 'summarize' operator: Failed to resolve column named 'Nope'",
    );
    await expect(target.queryLogs('X', { timespan: 'two hours' })).rejects.toThrow(
      "Invalid timespan 'two hours': use an ISO 8601 duration like PT1H or 'start/end' ISO dates.",
    );
  });

  it('polls until rows arrive, with backoff and progress, riding out a 429 with Retry-After', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('POST', WORKSPACE_QUERY, (_r, call) => {
      if (call === 1)
        return {
          status: 429,
          headers: { 'retry-after': '1' },
          body: { error: { code: 'TooManyRequests', message: 'Rate limit exceeded' } },
        };
      if (call <= 3) return table([]);
      return table([
        ['2026-11-27T10:00:00Z', 'bu-hr', 300, null],
        ['2026-11-27T10:00:00Z', 'bu-finance', 225, null],
      ]);
    });
    const progress: string[] = [];
    const started = Date.now();
    const outcome = await waitForRows(
      target,
      'ApiManagementGatewayLogs | summarize Requests = count() by ApimSubscriptionId',
      {
        minRows: 500,
        countColumn: 'Requests',
        timespan: '2026-11-27T09:00:00Z/2026-11-27T11:00:00Z',
        initialIntervalMs: 20,
        maxIntervalMs: 30,
        timeoutMs: 20_000,
        onProgress: (p) => progress.push(p.message),
      },
    );
    expect(outcome.count).toBe(525);
    // The run's window goes to every query.
    expect(
      fake.find('POST', WORKSPACE_QUERY).map((r) => (r.body as { timespan: string }).timespan),
    ).toEqual(Array(4).fill('2026-11-27T09:00:00.000Z/2026-11-27T11:00:00.000Z'));
    expect(outcome.attempts).toBe(3);
    expect(fake.find('POST', WORKSPACE_QUERY)).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(progress[0]).toMatch(
      /^Waiting for ingestion: 0 of 500 row\(s\) after \d+ s; next check in 0 s$/,
    );
    expect(progress.at(-1)).toMatch(/^525 row\(s\) after \d+ s$/);
  });

  it('gives up after the overall timeout with what arrived', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('POST', WORKSPACE_QUERY, table([['2026-11-27T10:00:00Z', 'bu-hr', 1, null]]));
    await expect(
      waitForRows(target, 'ApiManagementGatewayLogs', {
        minRows: 5,
        initialIntervalMs: 10,
        maxIntervalMs: 20,
        timeoutMs: 60,
      }),
    ).rejects.toThrow(
      /^Only 1 of 5 row\(s\) arrived after \d+ s \(\d+ queries\)\. Ingestion can take 5-10 minutes: run the cell again, or check that the traffic cells succeeded\.$/,
    );
    const calls = fake.find('POST', WORKSPACE_QUERY).length;
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(8);
  });
});

describe('azure target: ingestion polling cancellation', () => {
  it('an aborted signal stops the polling between attempts', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('POST', WORKSPACE_QUERY, table([]));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    await expect(
      waitForRows(target, 'ApiManagementGatewayLogs', {
        initialIntervalMs: 60_000,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake.find('POST', WORKSPACE_QUERY)).toHaveLength(1);
  });
});

describe('azure target: workbook update and portal links (cells E3, F)', () => {
  it('re-publishes workbook.json under the GUID main.bicep used, without redeploying', async () => {
    const { fake, target, config, deployment, mainParameters } = await deployedTarget();
    fake.on('PUT', /\/providers\/Microsoft\.Insights\/workbooks\/[^/]+$/, (r) => ({
      status: 200,
      body: { id: r.path, name: r.path.split('/').pop(), ...(r.body as object) },
    }));
    const values = workbookPlaceholders(config, {
      appInsightsId: deployment.appInsights.resourceId,
    });
    let serializedData = readArtifact('workbook.json');
    for (const key of WORKBOOK_PLACEHOLDERS)
      serializedData = serializedData.split(key).join(values[key] ?? '');
    const deploymentsBefore = fake.find('PUT', /\/deployments\//i).length;
    const published = await target.publishWorkbook({
      serializedData,
      displayName: 'APIM Costing & Showback (1)',
    });

    const put = fake.find('PUT', /\/workbooks\//);
    expect(put).toHaveLength(1);
    const id = `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.Insights/workbooks/${String(mainParameters.workbookId)}`;
    expect(put[0]?.path).toBe(id);
    expect(put[0]?.apiVersion).toBe('2023-06-01');
    expect(put[0]?.body).toEqual({
      location: 'eastus2',
      kind: 'shared',
      tags: { 'apim-costing-kit': '1' },
      properties: {
        displayName: 'APIM Costing & Showback (1)',
        serializedData,
        sourceId: deployment.logAnalytics.resourceId,
        category: 'workbook',
        version: 'Notebook/1.0',
      },
    });
    expect(fake.find('PUT', /\/deployments\//i)).toHaveLength(deploymentsBefore);
    expect(published).toEqual({
      id,
      url: `https://portal.azure.com/#@${TENANT}/resource${id}/workbook`,
      links: await target.portalLinks(),
    });

    await expect(
      target.publishWorkbook({ serializedData: readArtifact('workbook.json'), displayName: 'x' }),
    ).rejects.toThrow(
      /^The workbook still contains the placeholder __[A-Z_]+__: fill every placeholder before publishing/,
    );
    expect(fake.find('PUT', /\/workbooks\//)).toHaveLength(1);
  });

  it('lists portal links of what was deployed', async () => {
    const { target, deployment } = await deployedTarget();
    const links = await target.portalLinks();
    expect(links.map((l) => l.label)).toEqual([
      'Resource group',
      'API Management',
      'Application Insights',
      'Log Analytics',
      'Storage (cost exports)',
      'Workbook',
      'Foundry project proj-apim-costing-1 (Foundry portal)',
      'Foundry project proj-apim-costing-1 (Azure portal)',
      'Azure AI Services (model deployments)',
      'Cost Management exports',
    ]);
    expect(links[0]?.url).toBe(
      `https://portal.azure.com/#@${TENANT}/resource/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1`,
    );
    expect(links[1]?.url).toBe(
      `https://portal.azure.com/#@${TENANT}/resource/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.ApiManagement/service/${deployment.apimName}`,
    );
  });
});

describe('azure target: App Insights metric queries (cell E2)', () => {
  it('reads caller-requests split by CallerId from the regional metrics endpoint', async () => {
    const { fake, target, deployment } = await deployedTarget();
    const batch = new RegExp(`^/subscriptions/${SUB}/metrics:getBatch$`);
    fake.on('POST', batch, {
      status: 200,
      body: {
        values: [
          {
            starttime: '2026-11-26T10:00:00Z',
            endtime: '2026-11-27T10:00:00Z',
            interval: 'PT1H',
            namespace: 'apim-costing',
            resourceregion: 'eastus2',
            resourceid: deployment.appInsights.resourceId,
            value: [
              {
                id: `${deployment.appInsights.resourceId}/providers/Microsoft.Insights/metrics/caller-requests`,
                type: 'Microsoft.Insights/metrics',
                name: { value: 'caller-requests', localizedValue: 'caller-requests' },
                unit: 'Count',
                errorCode: 'Success',
                timeseries: [
                  {
                    metadatavalues: [
                      {
                        name: { value: 'callerid', localizedValue: 'callerid' },
                        value: '11111111-1111-4111-8111-111111111111',
                      },
                    ],
                    data: [
                      { timeStamp: '2026-11-27T09:00:00Z', total: 40 },
                      { timeStamp: '2026-11-27T10:00:00Z' },
                    ],
                  },
                  {
                    metadatavalues: [
                      {
                        name: { value: 'callerid', localizedValue: 'callerid' },
                        value: '22222222-2222-4222-8222-222222222222',
                      },
                    ],
                    data: [{ timeStamp: '2026-11-27T09:00:00Z', total: 100 }],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    const table = await target.queryMetric('caller-requests', {
      splitBy: 'CallerId',
      now: new Date('2026-11-27T10:00:00Z'),
    });
    const sent = fake.find('POST', batch)[0];
    expect(sent?.host).toBe('eastus2.metrics.monitor.azure.com');
    expect(sent?.apiVersion).toBe('2024-02-01');
    expect(
      Object.fromEntries([...(sent?.query.entries() ?? [])].filter(([k]) => k !== 'api-version')),
    ).toEqual({
      starttime: '2026-11-26T10:00:00.000Z',
      endtime: '2026-11-27T10:00:00.000Z',
      interval: 'PT1H',
      metricnamespace: 'apim-costing',
      metricnames: 'caller-requests',
      aggregation: 'Total',
      filter: "CallerId eq '*'",
    });
    expect(sent?.body).toEqual({ resourceids: [deployment.appInsights.resourceId] });
    expect(table).toEqual({
      name: 'caller-requests',
      columns: [
        { name: 'TimeGenerated', type: 'datetime' },
        { name: 'CallerId', type: 'string' },
        { name: 'Total', type: 'real' },
      ],
      rows: [
        ['2026-11-27T09:00:00.000Z', '11111111-1111-4111-8111-111111111111', 40],
        ['2026-11-27T09:00:00.000Z', '22222222-2222-4222-8222-222222222222', 100],
      ],
    });
  });
});
