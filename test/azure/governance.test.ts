/**
 * Cells B2-B4 on Azure: Cost Management export (create-or-recreate, identity, role assignment
 * with propagation retry, run now) and budget alerts (action group + one rule per BU).
 */
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../lib/artifacts/read-artifact.js';
import type { MonitorClient } from '@azure/arm-monitor';
import { createBudgetAlerts } from '../../lib/azure/budget-alerts.js';
import { deterministicGuid } from '../../lib/azure/resource-names.js';
import { armError } from './fake-azure.js';
import { deployedTarget, EXPORT_PRINCIPAL, exportRun, SUB } from './arm-simulator.js';
import { restOperationOf, validateBody } from './rest-definitions.js';

const EXPORT_PATH = new RegExp(
  `^/subscriptions/${SUB}/providers/Microsoft\\.CostManagement/exports/apim-costing-export-1$`,
);

function exportCreated(body: unknown): { status: number; body: unknown } {
  return {
    status: 201,
    body: {
      ...(body as object),
      id: `/subscriptions/${SUB}/providers/Microsoft.CostManagement/exports/apim-costing-export-1`,
      name: 'apim-costing-export-1',
      type: 'Microsoft.CostManagement/exports',
      eTag: '"1d9a2b3c"',
      identity: {
        type: 'SystemAssigned',
        principalId: EXPORT_PRINCIPAL,
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      },
    },
  };
}

describe('azure target: cost export (cells B2, B3)', () => {
  it('creates the export with a system-assigned identity, then grants Storage Blob Data Contributor, retrying while the identity propagates', async () => {
    const { fake, target, deployment } = await deployedTarget(
      { governance: { costExportFrequency: 'Weekly' } },
      { now: () => new Date('2026-11-27T10:15:00Z'), roleRetry: { attempts: 5, delayMs: 1 } },
    );
    fake.on('GET', EXPORT_PATH, armError(404, 'NotFound', 'Export not found.'));
    fake.on('PUT', EXPORT_PATH, (r) => exportCreated(r.body));
    fake.on('PUT', /\/providers\/Microsoft\.Authorization\/roleAssignments\/[^/]+$/, (r, call) =>
      call < 3
        ? armError(
            400,
            'PrincipalNotFound',
            `Principal ${EXPORT_PRINCIPAL} does not exist in the directory 72f988bf-86f1-41af-91ab-2d7cd011db47.`,
          )
        : { status: 201, body: { id: r.path, name: r.path.split('/').pop(), properties: r.body } },
    );
    const progress: string[] = [];
    const outcome = await target.createCostExport({
      onProgress: (p) => progress.push(p.message),
    });
    expect(fake.unexpected).toEqual([]);

    const put = fake.find('PUT', EXPORT_PATH);
    expect(put).toHaveLength(1);
    expect(put[0]?.apiVersion).toBe('2025-03-01');
    const storageId = `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.Storage/storageAccounts/${deployment.storage.accountName}`;
    expect(put[0]?.body).toEqual({
      identity: { type: 'SystemAssigned' },
      location: 'global',
      properties: {
        definition: {
          type: 'FocusCost',
          timeframe: 'MonthToDate',
          dataSet: { granularity: 'Daily', configuration: { dataVersion: '1.0' } },
        },
        deliveryInfo: {
          destination: {
            type: 'AzureBlob',
            resourceId: storageId,
            container: 'cost-exports',
            rootFolderPath: 'apim-costing',
          },
        },
        schedule: {
          status: 'Active',
          recurrence: 'Weekly',
          recurrencePeriod: { from: '2026-11-28T00:00:00.000Z', to: '2027-11-28T00:00:00.000Z' },
        },
        format: 'Csv',
        partitionData: true,
        dataOverwriteBehavior: 'OverwritePreviousReport',
        compressionMode: 'None',
        exportDescription: 'APIM costing & showback: month-to-date FOCUS cost and usage',
      },
    });

    const roles = fake.find('PUT', /\/roleAssignments\//);
    expect(roles).toHaveLength(3);
    const roleName = deterministicGuid(
      storageId.toLowerCase(),
      EXPORT_PRINCIPAL,
      'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    );
    expect(roles[2]?.path).toBe(
      `${storageId}/providers/Microsoft.Authorization/roleAssignments/${roleName}`,
    );
    expect(roles[2]?.apiVersion).toBe('2022-04-01');
    expect(roles[2]?.body).toEqual({
      properties: {
        roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`,
        principalId: EXPORT_PRINCIPAL,
        principalType: 'ServicePrincipal',
      },
    });
    expect(progress).toContain('Waiting for the export identity to propagate (attempt 2/5)');
    expect(outcome).toEqual({
      status: 'done',
      summary:
        'Cost Management export apim-costing-export-1 created (FOCUS Weekly, CSV to cost-exports); Storage Blob Data Contributor granted to the export identity.',
      details: {
        exportId: `/subscriptions/${SUB}/providers/Microsoft.CostManagement/exports/apim-costing-export-1`,
        principalId: EXPORT_PRINCIPAL,
        storageAccount: deployment.storage.accountName,
      },
    });
  });

  it('recreates an existing export, and an existing role assignment (409) is fine', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('GET', EXPORT_PATH, {
      status: 200,
      body: { id: 'x', name: 'apim-costing-export-1', eTag: '"old"', properties: {} },
    });
    fake.on('DELETE', EXPORT_PATH, { status: 200 });
    fake.on('PUT', EXPORT_PATH, (r) => exportCreated(r.body));
    fake.on(
      'PUT',
      /\/roleAssignments\/[^/]+$/,
      armError(409, 'RoleAssignmentExists', 'The role assignment already exists.'),
    );
    const outcome = await target.createCostExport();
    const order = fake.requests
      .filter((r) => /exports\/apim-costing-export-1$/.test(r.path))
      .map((r) => r.method);
    expect(order).toEqual(['GET', 'DELETE', 'PUT']);
    expect(fake.find('DELETE', EXPORT_PATH)[0]?.apiVersion).toBe('2025-03-01');
    expect(outcome.status === 'done' && outcome.summary).toBe(
      'Cost Management export apim-costing-export-1 recreated (FOCUS Daily, CSV to cost-exports); Storage Blob Data Contributor was already granted.',
    );
  });

  it('gives up on an identity that never propagates, saying what to do', async () => {
    const { fake, target } = await deployedTarget({}, { roleRetry: { attempts: 3, delayMs: 1 } });
    fake.on('GET', EXPORT_PATH, armError(404, 'NotFound', 'Export not found.'));
    fake.on('PUT', EXPORT_PATH, (r) => exportCreated(r.body));
    fake.on(
      'PUT',
      /\/roleAssignments\/[^/]+$/,
      armError(400, 'PrincipalNotFound', 'Principal does not exist in the directory.'),
    );
    await expect(target.createCostExport()).rejects.toThrow(
      `The export identity ${EXPORT_PRINCIPAL} was still unknown to Azure RBAC after 3 attempts; wait a minute and run cell B2 again.`,
    );
    expect(fake.find('PUT', /\/roleAssignments\//)).toHaveLength(3);
  });

  it('runs the export now, waits for the run to complete, or names cell B2 when it does not exist', async () => {
    const { fake, target } = await deployedTarget();
    const run = new RegExp(
      `^/subscriptions/${SUB}/providers/Microsoft\\.CostManagement/exports/apim-costing-export-1/run$`,
    );
    const history = /\/exports\/apim-costing-export-1\/runHistory$/;
    fake.on('POST', run, { status: 200 });
    const submitted = new Date().toISOString();
    const states = ['Queued', 'InProgress', 'Completed'];
    fake.on('GET', history, (_r, call) => ({
      status: 200,
      body: {
        value: [
          // An older scheduled run does not count.
          exportRun('Failed', '2026-01-01T00:00:00Z', { executionType: 'Scheduled' }),
          exportRun(states[Math.min(call, 3) - 1] ?? 'Completed', submitted),
        ],
      },
    }));
    const progress: string[] = [];
    const outcome = await target.runCostExport({ onProgress: (p) => progress.push(p.message) });
    expect(fake.find('POST', run)[0]?.apiVersion).toBe('2025-03-01');
    expect(outcome).toEqual({
      status: 'done',
      summary:
        'Cost Management export apim-costing-export-1 ran: completed, file apim-costing/apim-costing-export-1/20261101-20261130/part_0_0001.csv.',
    });
    expect(progress).toEqual(['Export run queued', 'Export run inprogress']);
    const reads = fake.find('GET', history);
    expect(reads).toHaveLength(3);
    const op = restOperationOf(reads[0]!);
    expect(op?.source).toContain('Exports_GetExecutionHistory');
    expect(validateBody({ value: [exportRun('Completed', submitted)] }, op!.response!)).toEqual([]);

    fake.on('POST', run, armError(404, 'NotFound', "Export 'apim-costing-export-1' not found."));
    await expect(target.runCostExport()).rejects.toThrow(
      "Cost Management export 'apim-costing-export-1' does not exist yet: run cell B2 first.",
    );
  });

  it('reports a run that fails later as failed (problem 5)', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('POST', /\/exports\/apim-costing-export-1\/run$/, { status: 200 });
    fake.on('GET', /\/runHistory$/, {
      status: 200,
      body: {
        value: [
          exportRun('Failed', new Date().toISOString(), {
            error: {
              code: 'AuthorizationFailed',
              message: 'The export identity is not authorized to write to the storage account.',
            },
          }),
        ],
      },
    });
    await expect(target.runCostExport()).rejects.toThrow(
      "The Cost Management export run failed (Failed: AuthorizationFailed: The export identity is not authorized to write to the storage account.). If cell B2 ran just now, the export identity's Storage Blob Data Contributor role may still be propagating: wait a few minutes and run cell B3 again.",
    );
    // A run that never leaves the queue ends at timeoutMs with a clear line.
    fake.on('GET', /\/runHistory$/, { status: 200, body: { value: [] } });
    await expect(target.runCostExport({ timeoutMs: 20 })).rejects.toThrow(
      'The Cost Management export run is still Queued after 0 min; it goes on in Azure: run cell B3 again later to see how it ended.',
    );
  });

  it('registers Microsoft.CostManagementExports before creating the export when it is not (problem 5)', async () => {
    const { fake, target } = await deployedTarget({}, { roleRetry: { attempts: 3, delayMs: 1 } });
    const provider = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.CostManagementExports$/i;
    let registered = false;
    fake.on('GET', provider, (_r, call) => ({
      status: 200,
      body: {
        namespace: 'Microsoft.CostManagementExports',
        registrationState: !registered ? 'NotRegistered' : call > 2 ? 'Registered' : 'Registering',
      },
    }));
    fake.on('POST', /\/providers\/Microsoft\.CostManagementExports\/register$/i, () => {
      registered = true;
      return {
        status: 200,
        body: { namespace: 'Microsoft.CostManagementExports', registrationState: 'Registering' },
      };
    });
    fake.on('GET', EXPORT_PATH, armError(404, 'NotFound', 'Export not found.'));
    fake.on('PUT', EXPORT_PATH, (r) => exportCreated(r.body));
    fake.on('PUT', /\/roleAssignments\/[^/]+$/, (r) => ({ status: 201, body: { id: r.path } }));
    const progress: string[] = [];
    await target.createCostExport({
      onProgress: (p) => progress.push(p.message),
    });
    expect(progress[0]).toBe(
      'Registering resource provider Microsoft.CostManagementExports (needed once per subscription)',
    );
    const order = fake.requests
      .filter((r) => /CostManagementExports|exports\/apim-costing-export-1$/.test(r.path))
      .map((r) => `${r.method} ${r.path.split('/').pop() ?? ''}`);
    expect(order.indexOf('POST register')).toBeLessThan(order.indexOf('PUT apim-costing-export-1'));

    // Without the right to register, the user is told who can.
    const denied = await deployedTarget();
    denied.fake.on('GET', provider, {
      status: 200,
      body: { namespace: 'Microsoft.CostManagementExports', registrationState: 'NotRegistered' },
    });
    denied.fake.on(
      'POST',
      /\/register$/i,
      armError(
        403,
        'AuthorizationFailed',
        'The client does not have authorization to perform action register.',
      ),
    );
    await expect(denied.target.createCostExport()).rejects.toThrow(
      /Ask an owner of the subscription to register it \(az provider register --namespace Microsoft\.CostManagementExports\), then run the cell again\.$/,
    );
    expect(denied.fake.find('PUT', EXPORT_PATH)).toHaveLength(0);
  });
});

describe('azure target: budget alerts (cell B4)', () => {
  it('creates the action group and one scheduled query rule per BU from kql/budget-alert-threshold.kql', async () => {
    const { fake, target, config, deployment } = await deployedTarget({
      governance: { alertEmail: 'finops@contoso.com', alertThreshold: 750 },
    });
    fake.on('PUT', /\/providers\/Microsoft\.Insights\/actionGroups\/[^/]+$/i, (r) => ({
      status: 200,
      body: { id: r.path, name: r.path.split('/').pop(), ...(r.body as object) },
    }));
    fake.on('PUT', /\/providers\/Microsoft\.Insights\/scheduledQueryRules\/[^/]+$/i, (r) => ({
      status: 201,
      body: { id: r.path, name: r.path.split('/').pop(), ...(r.body as object) },
    }));
    const query = readArtifact('kql', 'budget-alert-threshold.kql');
    const outcome = await target.createBudgetAlerts();
    expect(fake.unexpected).toEqual([]);

    const group = fake.find('PUT', /\/actionGroups\/ag-apim-costing-1$/i);
    expect(group).toHaveLength(1);
    expect(group[0]?.apiVersion).toBe('2024-10-01-preview');
    expect(group[0]?.body).toMatchObject({
      location: 'global',
      tags: { 'apim-costing-kit': '1' },
      properties: {
        groupShortName: 'apimcost1',
        enabled: true,
        emailReceivers: [
          { name: 'budget-owner', emailAddress: 'finops@contoso.com', useCommonAlertSchema: true },
        ],
      },
    });

    const rules = fake.find('PUT', /\/scheduledQueryRules\//i);
    expect(rules.map((r) => r.path.split('/').pop())).toEqual(
      config.businessUnits.map((b) => `alert-apim-costing-1-${b.name}`),
    );
    expect(new Set(rules.map((r) => r.apiVersion))).toEqual(new Set(['2025-01-01-preview']));
    const hr = rules[0]?.body as {
      location: string;
      kind: string;
      properties: Record<string, unknown>;
    };
    expect(hr.location).toBe('eastus2');
    expect(hr.kind).toBe('LogAlert');
    expect(hr.properties).toMatchObject({
      severity: 2,
      enabled: true,
      scopes: [deployment.logAnalytics.resourceId],
      // Every 5 minutes over the last hour, as the original sample's rules.
      evaluationFrequency: 'PT5M',
      windowSize: 'PT1H',
      criteria: {
        allOf: [
          {
            timeAggregation: 'Count',
            operator: 'GreaterThan',
            threshold: 0,
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
          },
        ],
      },
      actions: {
        actionGroups: [
          `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.Insights/actionGroups/ag-apim-costing-1`,
        ],
        customProperties: { businessUnit: 'bu-hr' },
      },
    });
    // The query file, with its parameters bound for this BU and threshold.
    const sent = (hr.properties.criteria as { allOf: { query: string }[] }).allOf[0]?.query ?? '';
    expect(
      sent.startsWith('let threshold = long(750); let businessUnit = "bu-hr"; let lookback = 1h; '),
    ).toBe(true);
    expect(sent.endsWith(query)).toBe(true);
    expect(outcome).toEqual({
      status: 'done',
      summary:
        'Action group ag-apim-costing-1 (e-mail f***@contoso.com) and 6 alert rule(s) at 750 requests per BU per hour.',
      details: {
        actionGroup: 'ag-apim-costing-1',
        rules: config.businessUnits.map((b) => `alert-apim-costing-1-${b.name}`).join(', '),
      },
    });
  });

  it('reads the query file at call time when the cell passes none, and rejects a bad threshold', async () => {
    const { fake, target, config } = await deployedTarget({
      businessUnits: [{ name: 'bu-hr', displayName: 'HR', weight: 1 }],
      governance: { alertThreshold: 10 },
    });
    fake.on('PUT', /\/actionGroups\/[^/]+$/i, (r) => ({
      status: 200,
      body: { id: r.path, ...(r.body as object) },
    }));
    fake.on('PUT', /\/scheduledQueryRules\/[^/]+$/i, (r) => ({
      status: 200,
      body: { id: r.path, ...(r.body as object) },
    }));
    await target.createBudgetAlerts();
    const rule = fake.find('PUT', /\/scheduledQueryRules\//i)[0]?.body as {
      properties: { criteria: { allOf: { query: string }[] } };
    };
    expect(rule.properties.criteria.allOf[0]?.query).toContain('ApiManagementGatewayLogs');
    expect(fake.find('PUT', /\/actionGroups\//i)[0]?.body).toMatchObject({
      properties: { emailReceivers: [] },
    });
    // The configuration refuses a threshold of 0; the Azure layer checks what it is given too.
    const names = await target.resourceNames();
    await expect(
      createBudgetAlerts({} as MonitorClient, config, names, 'ws', {
        threshold: 0,
        query: 'x',
      }),
    ).rejects.toThrow(
      'The alert threshold must be a number of requests greater than 0 (got 0); fix governance.alertThreshold in cell A1.',
    );
  });
});
