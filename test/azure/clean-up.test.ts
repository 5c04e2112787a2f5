/**
 * clean-up.ipynb on Azure: a dry-run listing first, then deleting exactly what the kit made
 * (by name, and by the kit tag for top-level resources); never an APIM or resource group it did
 * not create; already-gone things are fine and reported.
 */
import { describe, expect, it } from 'vitest';
import { createAzureTarget } from '../../lib/azure/azure-target.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import type { KitConfig } from '../../lib/config/types.js';
import { FakeAzure, FakeCredential, armError } from './fake-azure.js';
import type { CleanUpItem } from '../../lib/target.js';
import { azureConfig, SUB } from './arm-simulator.js';
import { restOperationOf } from './rest-definitions.js';

const KIT = { 'apim-costing-kit': '1' };

/** A resource group holding `existing` (path -> tags, `null` = a child entity without tags). */
function installResourceGroup(
  fake: FakeAzure,
  config: KitConfig,
  rgTags: Record<string, string> | undefined,
  existing: Map<string, Record<string, string> | null>,
  descriptions: Map<string, string> = new Map(),
  deploymentParameters: Record<string, { value: unknown }> = {},
): void {
  const rg = config.deployment.resourceGroup;
  fake.on('GET', new RegExp(`^/subscriptions/${SUB}$`), {
    status: 200,
    body: { subscriptionId: SUB, state: 'Enabled' },
  });
  const rgRe = new RegExp(`^/subscriptions/${SUB}/resourcegroups/${rg}$`, 'i');
  fake.on(
    'GET',
    rgRe,
    rgTags === undefined
      ? armError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`)
      : {
          status: 200,
          body: {
            id: `/subscriptions/${SUB}/resourceGroups/${rg}`,
            name: rg,
            location: 'eastus2',
            tags: rgTags,
          },
        },
  );
  fake.on(
    'GET',
    /\/providers\/Microsoft\.CostManagement\/exports\/[^/]+$/,
    armError(404, 'NotFound', 'Export not found.'),
  );
  const byPath = (path: string): string | undefined =>
    [...existing.keys()].find((k) => k.toLowerCase() === path.toLowerCase());
  fake.on(
    'GET',
    new RegExp(`^/subscriptions/${SUB}/resourceGroups/${rg}/providers/.+`, 'i'),
    (r) => {
      const key = byPath(r.path);
      if (key === undefined)
        return armError(
          404,
          'ResourceNotFound',
          `The Resource '${r.path.split('/providers/')[1] ?? ''}' was not found.`,
        );
      const tags = existing.get(key);
      // Loggers and fragments cannot be tagged: the kit's carry its marker in the description.
      const marked = /\/(loggers|policyFragments)\//i.test(key);
      return {
        status: 200,
        body: {
          id: key,
          name: key.split('/').pop(),
          ...(tags !== null ? { tags } : {}),
          properties: {
            ...(marked
              ? { description: descriptions.get(key) ?? 'apim-costing-kit: made by the kit' }
              : {}),
            ...(key.includes('/Microsoft.Resources/deployments/')
              ? { parameters: deploymentParameters }
              : {}),
          },
        },
      };
    },
  );
  // Soft-deleted APIM services and AI Services live at subscription scope until purged.
  const softDeletedRe = new RegExp(
    `^/subscriptions/${SUB}/providers/Microsoft\\.(ApiManagement|CognitiveServices)/locations/.+/(deletedservices|deletedAccounts)/[^/]+$`,
    'i',
  );
  fake.on('GET', softDeletedRe, (r) =>
    byPath(r.path) === undefined
      ? armError(404, 'NotFound', 'Not soft-deleted.')
      : {
          status: 200,
          body: {
            id: r.path,
            name: r.path.split('/').pop(),
            properties: { scheduledPurgeDate: '2026-11-29T10:00:00Z' },
          },
        },
  );
  fake.on('DELETE', softDeletedRe, (r) => {
    const key = byPath(r.path);
    if (key === undefined) return armError(404, 'NotFound', 'Not soft-deleted.');
    existing.delete(key);
    return { status: 200 };
  });
  fake.on('GET', new RegExp(`^/subscriptions/${SUB}/resourceGroups/${rg}/resources$`, 'i'), () => ({
    status: 200,
    body: {
      value: [...existing.keys()]
        .filter((k) => k.split('/').length === 9 && !k.includes('/Microsoft.Resources/'))
        .map((id) => ({
          id,
          name: id.split('/').pop(),
          type: id.split('/').slice(6, 8).join('/'),
        })),
    },
  }));
  fake.on(
    'DELETE',
    new RegExp(`^/subscriptions/${SUB}/resourceGroups/${rg}/providers/.+`, 'i'),
    (r) => {
      const key = byPath(r.path);
      if (key === undefined) return armError(404, 'ResourceNotFound', 'gone');
      existing.delete(key);
      if (
        key.endsWith(`/service/${config.deployment.apimName ?? ''}`) ||
        /\/Microsoft\.ApiManagement\/service\/[^/]+$/.test(key)
      ) {
        // The APIM service deletes as a long-running operation: 202 + Location, then 200.
        return {
          status: 202,
          headers: {
            location: `https://management.azure.com/subscriptions/${SUB}/providers/Microsoft.ApiManagement/locations/eastus2/operationResults/del-1?api-version=2024-05-01`,
            'retry-after': '0',
          },
        };
      }
      return { status: 200 };
    },
  );
  fake.on('GET', /\/operationResults\/del-1$/, { status: 200, body: {} });
  // Resource group deletion is long-running too.
  fake.on('DELETE', rgRe, {
    status: 202,
    headers: {
      location: `https://management.azure.com/subscriptions/${SUB}/operationresults/rg-del-1?api-version=2025-04-01`,
      'retry-after': '0',
    },
  });
  fake.on('GET', /\/operationresults\/rg-del-1$/, { status: 200 });
}

describe('azure target: clean-up', () => {
  it('lists first (dry run by default), then deletes exactly what the kit made', async () => {
    const config = azureConfig();
    const names = azureResourceNames(config, SUB);
    const base = `/subscriptions/${SUB}/resourceGroups/${names.resourceGroup}/providers`;
    const apim = `${base}/Microsoft.ApiManagement/service/${names.apimName}`;
    const existing = new Map<string, Record<string, string> | null>([
      [`${base}/Microsoft.Insights/scheduledQueryRules/alert-apim-costing-1-bu-hr`, KIT],
      [`${base}/Microsoft.Insights/scheduledQueryRules/alert-apim-costing-1-bu-finance`, KIT],
      [`${base}/Microsoft.Insights/actionGroups/ag-apim-costing-1`, KIT],
      [`${base}/Microsoft.Insights/workbooks/${names.workbookName}`, KIT],
      ...config.businessUnits.map((b) => [`${apim}/subscriptions/${b.name}`, null] as const),
      [`${apim}/apis/costing-subscription-api`, null],
      [`${apim}/apis/costing-entraid-api`, null],
      [`${apim}/apis/costing-token-tracking-api`, null],
      [`${apim}/policyFragments/extract-caller-id`, null],
      [`${apim}/policyFragments/ensure-stream-include-usage`, null],
      [`${apim}/providers/Microsoft.Insights/diagnosticSettings/apim-costing-logs`, null],
      [`${apim}/loggers/apim-costing-logger-1`, null],
      [`${base}/Microsoft.CognitiveServices/accounts/${names.aiServicesName}`, KIT],
      [`${base}/Microsoft.Insights/dataCollectionRules/dcr-apim-costing-allocation-1`, KIT],
      [`${base}/Microsoft.Insights/dataCollectionEndpoints/dce-apim-costing-1`, KIT],
      [
        `${base}/Microsoft.OperationalInsights/workspaces/log-apim-costing-1/tables/ApimCostAllocation_CL`,
        null,
      ],
      [`${base}/Microsoft.Storage/storageAccounts/${names.storageAccountName}`, KIT],
      // Same name, but not tagged by the kit: someone else's, kept.
      [`${base}/Microsoft.Insights/components/appi-apim-costing-1`, { owner: 'platform-team' }],
      [`${base}/Microsoft.OperationalInsights/workspaces/log-apim-costing-1`, KIT],
      [`${base}/Microsoft.Resources/deployments/apim-costing-main-1`, KIT],
      [`${base}/Microsoft.Resources/deployments/apim-costing-infra-1`, KIT],
      [`${base}/Microsoft.Resources/deployments/apim-costing-apim-service`, null],
      [apim, KIT],
    ]);
    const fake = new FakeAzure();
    installResourceGroup(fake, config, KIT, existing);
    fake.on('GET', /\/providers\/Microsoft\.CostManagement\/exports\/apim-costing-export-1$/, {
      status: 200,
      body: { id: 'x', name: 'apim-costing-export-1', properties: {} },
    });
    fake.on('DELETE', /\/providers\/Microsoft\.CostManagement\/exports\/apim-costing-export-1$/, {
      status: 200,
    });
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    });

    const listing = await target.cleanUp();
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(
      listing.filter((i) => i.action === 'would-delete').map((i) => `${i.kind}: ${i.name}`),
    ).toEqual([
      'Cost Management export: apim-costing-export-1',
      'alert rule: alert-apim-costing-1-bu-hr',
      'alert rule: alert-apim-costing-1-bu-finance',
      'action group: ag-apim-costing-1',
      'workbook: APIM Costing & Showback (1)',
      ...config.businessUnits.map((b) => `APIM subscription: ${b.name}`),
      'APIM API: costing-subscription-api',
      'APIM API: costing-entraid-api',
      'APIM API: costing-token-tracking-api',
      'APIM policy fragment: extract-caller-id',
      'APIM policy fragment: ensure-stream-include-usage',
      'APIM diagnostic setting: apim-costing-logs',
      'APIM logger: apim-costing-logger-1',
      `Azure AI Services: ${names.aiServicesName}`,
      'data collection rule: dcr-apim-costing-allocation-1',
      'data collection endpoint: dce-apim-costing-1',
      'custom table: ApimCostAllocation_CL',
      `storage account: ${names.storageAccountName}`,
      'Log Analytics workspace: log-apim-costing-1',
      'deployment record: apim-costing-main-1',
      'deployment record: apim-costing-infra-1',
      'deployment record: apim-costing-apim-service',
      `APIM service: ${names.apimName}`,
    ]);
    expect(listing.find((i) => i.kind === 'Application Insights')).toEqual({
      kind: 'Application Insights',
      name: 'appi-apim-costing-1',
      action: 'kept',
      reason: "it has no 'apim-costing-kit=1' tag, so the kit did not create it",
    });
    expect(listing.find((i) => i.name === 'costing-aoai-gateway-api')?.action).toBe('already-gone');
    expect(listing.at(-1)).toEqual({
      kind: 'resource group',
      name: 'rg-apim-costing-1',
      action: 'kept',
      reason: 'it still holds 1 resource(s) the kit did not delete: appi-apim-costing-1',
    });
    // Reads carry the api-version of each resource type.
    expect(
      fake.find('GET', /\/scheduledQueryRules\/alert-apim-costing-1-bu-hr$/)[0]?.apiVersion,
    ).toBe('2023-12-01');
    expect(fake.find('GET', /\/apis\/costing-subscription-api$/)[0]?.apiVersion).toBe('2024-05-01');
    expect(fake.find('GET', /\/diagnosticSettings\/apim-costing-logs$/)[0]?.apiVersion).toBe(
      '2021-05-01-preview',
    );

    const done = await target.cleanUp({ dryRun: false });
    expect(fake.unexpected).toEqual([]);
    const deletes = fake.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path.split('/').pop())).toEqual([
      'apim-costing-export-1',
      'alert-apim-costing-1-bu-hr',
      'alert-apim-costing-1-bu-finance',
      'ag-apim-costing-1',
      names.workbookName,
      ...config.businessUnits.map((b) => b.name),
      'costing-subscription-api',
      'costing-entraid-api',
      'costing-token-tracking-api',
      'extract-caller-id',
      'ensure-stream-include-usage',
      'apim-costing-logs',
      'apim-costing-logger-1',
      names.aiServicesName,
      'dcr-apim-costing-allocation-1',
      'dce-apim-costing-1',
      'ApimCostAllocation_CL',
      names.storageAccountName,
      'log-apim-costing-1',
      'apim-costing-main-1',
      'apim-costing-infra-1',
      'apim-costing-apim-service',
      names.apimName,
    ]);
    expect(deletes.some((r) => r.path.endsWith('appi-apim-costing-1'))).toBe(false);
    // APIM entities need If-Match (`*`: unconditional); other resources do not get it.
    const apimChildren = deletes.filter((r) =>
      /\/service\/[^/]+\/(subscriptions|apis|policyFragments|backends|loggers)\//.test(r.path),
    );
    expect(apimChildren).toHaveLength(config.businessUnits.length + 3 + 2 + 1);
    expect(apimChildren.every((r) => r.headers['if-match'] === '*')).toBe(true);
    expect(deletes.filter((r) => r.headers['if-match'] !== undefined)).toHaveLength(
      apimChildren.length,
    );
    expect(fake.find('GET', /\/operationResults\/del-1$/)).toHaveLength(1);
    expect(done.filter((i) => i.action === 'deleted')).toHaveLength(deletes.length);
    // The custom table's rows go with the table; the export files with the storage account.
    expect(done.find((i) => i.kind === 'custom table')?.reason).toBe(
      'its allocation rows are deleted with it',
    );
    expect(done.find((i) => i.kind === 'storage account')?.reason).toBe(
      'the Cost Management export files in container cost-exports are deleted with it',
    );
    expect(fake.find('DELETE', /\/tables\/ApimCostAllocation_CL$/)[0]?.apiVersion).toBe(
      '2025-07-01',
    );
    expect(done.find((i) => i.kind === 'Azure AI Services')?.reason).toBe(
      'soft-deleted by Azure for 48 hours; clean up with purgeSoftDeleted: true to reuse the name sooner',
    );
    expect(done.at(-1)?.action).toBe('kept');
    expect([...existing.keys()]).toEqual([
      `${base}/Microsoft.Insights/components/appi-apim-costing-1`,
    ]);
  });

  it('a clean-up of something already gone is fine and reported', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installResourceGroup(fake, config, undefined, new Map());
    const items = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
    }).cleanUp({ dryRun: false });
    expect(items).toEqual([
      { kind: 'Cost Management export', name: 'apim-costing-export-1', action: 'already-gone' },
      {
        kind: 'resource group',
        name: 'rg-apim-costing-1',
        action: 'already-gone',
        reason: 'the resource group does not exist',
      },
    ]);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);

    // The group is there but the kit's resources are gone: each one reported, nothing deleted.
    const empty = new FakeAzure();
    installResourceGroup(empty, config, KIT, new Map());
    const items2 = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: empty,
    }).cleanUp({ dryRun: false });
    expect(items2.slice(0, -1).every((i) => i.action === 'already-gone')).toBe(true);
    expect(items2.at(-1)).toEqual({
      kind: 'resource group',
      name: 'rg-apim-costing-1',
      action: 'deleted',
    });
    expect(empty.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `/subscriptions/${SUB}/resourcegroups/rg-apim-costing-1`,
    ]);
  });

  it('never deletes an existing APIM or a resource group the kit did not create', async () => {
    const config = azureConfig({
      deployment: { apimName: 'apim-contoso-shared', resourceGroup: 'rg-shared' },
    });
    const base = `/subscriptions/${SUB}/resourceGroups/rg-shared/providers`;
    const apim = `${base}/Microsoft.ApiManagement/service/apim-contoso-shared`;
    // Even if someone put the kit tag on it, an APIM named in apimName is never deleted.
    const existing = new Map<string, Record<string, string> | null>([
      [apim, KIT],
      [`${apim}/apis/costing-subscription-api`, null],
    ]);
    const fake = new FakeAzure();
    installResourceGroup(fake, config, { costCenter: '42' }, existing);
    const items = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    }).cleanUp({ dryRun: false });
    expect(items.find((i) => i.kind === 'APIM service')).toEqual({
      kind: 'APIM service',
      name: 'apim-contoso-shared',
      action: 'kept',
      reason: 'it is the existing APIM named in deployment.apimName; the kit never deletes it',
    });
    expect(items.find((i) => i.name === 'costing-subscription-api')?.action).toBe('deleted');
    expect(items.at(-1)).toEqual({
      kind: 'resource group',
      name: 'rg-shared',
      action: 'kept',
      reason: 'the kit did not create this resource group',
    });
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `${apim}/apis/costing-subscription-api`,
    ]);
  });

  it("keeps a logger or fragment of the kit's name that the kit did not make, and the user's service diagnostic", async () => {
    const config = azureConfig({
      deployment: { apimName: 'apim-contoso-shared', resourceGroup: 'rg-shared' },
    });
    const base = `/subscriptions/${SUB}/resourceGroups/rg-shared/providers`;
    const apim = `${base}/Microsoft.ApiManagement/service/apim-contoso-shared`;
    const existing = new Map<string, Record<string, string> | null>([
      [`${apim}/policyFragments/extract-caller-id`, null],
      [`${apim}/policyFragments/ensure-stream-include-usage`, null],
      [`${apim}/loggers/apim-costing-logger-1`, null],
      [`${apim}/diagnostics/azuremonitor`, null],
      [`${base}/Microsoft.Resources/deployments/apim-costing-main-1`, KIT],
    ]);
    const descriptions = new Map([
      [`${apim}/policyFragments/extract-caller-id`, 'Our own fragment'],
    ]);
    const run = async (
      deployServiceDiagnostic: boolean,
    ): Promise<{ items: CleanUpItem[]; deleted: string[] }> => {
      const fake = new FakeAzure();
      installResourceGroup(fake, config, { costCenter: '42' }, new Map(existing), descriptions, {
        deployServiceDiagnostic: { value: deployServiceDiagnostic },
      });
      const items = await createAzureTarget(config, {
        credential: new FakeCredential(),
        httpClient: fake,
        pollIntervalMs: 1,
      }).cleanUp({ dryRun: false });
      return {
        items,
        deleted: fake.requests
          .filter((r) => r.method === 'DELETE')
          .map((r) => r.path.split('/').pop() ?? ''),
      };
    };
    const keptDiagnostic = await run(false);
    expect(keptDiagnostic.items.find((i) => i.name === 'extract-caller-id')).toEqual({
      kind: 'APIM policy fragment',
      name: 'extract-caller-id',
      action: 'kept',
      reason: "its description does not start with 'apim-costing-kit:', so the kit did not make it",
    });
    expect(keptDiagnostic.items.find((i) => i.kind === 'APIM service diagnostic')).toEqual({
      kind: 'APIM service diagnostic',
      name: 'azuremonitor',
      action: 'kept',
      reason: 'it was there before the kit (its deployment did not create it)',
    });
    expect(keptDiagnostic.deleted).toEqual([
      'ensure-stream-include-usage',
      'apim-costing-logger-1',
      'apim-costing-main-1',
    ]);
    // When the kit's deployment made it, clean-up removes it.
    expect((await run(true)).deleted).toContain('azuremonitor');
  });

  it('purges soft-deleted APIM and AI Services names only when asked to', async () => {
    const config = azureConfig();
    const names = azureResourceNames(config, SUB);
    const subProviders = `/subscriptions/${SUB}/providers`;
    const deletedApim = `${subProviders}/Microsoft.ApiManagement/locations/eastus2/deletedservices/${names.apimName}`;
    const deletedAis = `${subProviders}/Microsoft.CognitiveServices/locations/eastus2/resourceGroups/rg-apim-costing-1/deletedAccounts/${names.aiServicesName}`;
    // An earlier clean-up deleted both: only their soft-deleted entries are left.
    const leftovers = (): Map<string, Record<string, string> | null> =>
      new Map([
        [deletedApim, null],
        [deletedAis, null],
      ]);
    const run = async (options: { dryRun: boolean; purgeSoftDeleted?: boolean }) => {
      const fake = new FakeAzure();
      const existing = leftovers();
      installResourceGroup(fake, config, KIT, existing);
      const items = await createAzureTarget(config, {
        credential: new FakeCredential(),
        httpClient: fake,
        pollIntervalMs: 1,
      }).cleanUp(options);
      return { fake, items: items.filter((i) => i.kind.startsWith('soft-deleted')), existing };
    };

    const plain = await run({ dryRun: false });
    expect(plain.items).toEqual([
      {
        kind: 'soft-deleted Azure AI Services',
        name: names.aiServicesName,
        action: 'kept',
        reason:
          'Azure keeps it until 2026-11-29T10:00:00Z, and the name cannot be reused meanwhile; clean up with purgeSoftDeleted: true to purge it',
      },
      {
        kind: 'soft-deleted APIM service',
        name: names.apimName,
        action: 'kept',
        reason:
          'Azure keeps it until 2026-11-29T10:00:00Z, and the name cannot be reused meanwhile; clean up with purgeSoftDeleted: true to purge it',
      },
    ]);
    expect(plain.fake.find('DELETE', /deleted(services|Accounts)/i)).toEqual([]);

    const listing = await run({ dryRun: true, purgeSoftDeleted: true });
    expect(listing.items.map((i) => i.action)).toEqual(['would-delete', 'would-delete']);
    expect(listing.fake.find('DELETE', /.*/)).toEqual([]);

    const purged = await run({ dryRun: false, purgeSoftDeleted: true });
    expect(purged.items.map((i) => `${i.action}: ${i.reason ?? ''}`)).toEqual([
      'deleted: purged: the name can be used again',
      'deleted: purged: the name can be used again',
    ]);
    const purges = purged.fake.find('DELETE', /deleted(services|Accounts)/i);
    expect(purges.map((r) => [r.path, r.apiVersion])).toEqual([
      [deletedAis, '2025-06-01'],
      [deletedApim, '2024-05-01'],
    ]);
    expect(restOperationOf(purges[0]!)?.source).toContain('DeletedAccounts_Purge');
    expect([...purged.existing.keys()]).toEqual([]);
  });
});
