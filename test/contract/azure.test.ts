/**
 * The `CostingTarget` contract on the azure target, over the fake transport: ARM, Cost
 * Management, Azure Monitor and Log Analytics answer with the shapes their REST APIs document.
 */
import { createAzureTarget } from '../../lib/azure/azure-target.js';
import { FakeAzure, FakeCredential } from '../azure/fake-azure.js';
import {
  azureConfig,
  EXPORT_PRINCIPAL,
  installDeployRoutes,
  SUB,
  WORKSPACE_CUSTOMER_ID,
} from '../azure/arm-simulator.js';
import { installBudgetRoutes } from '../azure/arm-budget-routes.js';
import { describeTarget } from './describe-target.js';
import { installBlobRoutes } from '../azure/blob-routes.js';
import { exportRunBlobs, focusRow } from '../azure/export-blobs.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';

/** Routes for cells B2-F and clean-up's listing, on top of the deployment routes. */
function installCellRoutes(fake: FakeAzure): void {
  const exportPath = new RegExp(
    `^/subscriptions/${SUB}/providers/Microsoft\\.CostManagement/exports/apim-costing-export-1$`,
  );
  fake.on('GET', exportPath, {
    status: 404,
    body: { error: { code: 'NotFound', message: 'Export not found.' } },
  });
  fake.on('PUT', exportPath, (r) => ({
    status: 201,
    body: {
      ...(r.body as object),
      id: r.path,
      name: 'apim-costing-export-1',
      identity: { type: 'SystemAssigned', principalId: EXPORT_PRINCIPAL },
    },
  }));
  fake.on('POST', /\/exports\/apim-costing-export-1\/run$/, { status: 200 });
  fake.on('PUT', /\/roleAssignments\/[^/]+$/, (r) => ({
    status: 201,
    body: { id: r.path, properties: r.body },
  }));
  fake.on(
    'PUT',
    /\/providers\/Microsoft\.Insights\/(actionGroups|scheduledQueryRules|workbooks)\/[^/]+$/i,
    (r) => ({
      status: 201,
      body: { id: r.path, name: r.path.split('/').pop(), ...(r.body as object) },
    }),
  );
  fake.on('POST', new RegExp(`^/v1/workspaces/${WORKSPACE_CUSTOMER_ID}/query$`), {
    status: 200,
    body: {
      tables: [
        {
          name: 'PrimaryResult',
          columns: [
            { name: 'ApiId', type: 'string' },
            { name: 'Rows', type: 'long' },
          ],
          rows: [['costing-subscription-api', 3]],
        },
      ],
    },
  });
  // Clean-up reads each resource it would remove (the APIM service and the deployments have
  // their own routes in the deployment simulator).
  fake.on(
    'GET',
    new RegExp(
      `^/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/(?!Microsoft\\.Resources/deployments/|Microsoft\\.ApiManagement/service/[^/]+$).+`,
      'i',
    ),
    (r) => ({
      status: 200,
      body: {
        id: r.path,
        tags: { 'apim-costing-kit': '1' },
        // What the kit made carries its marker (the pre-deploy checks leave it alone).
        properties: { description: 'apim-costing-kit: made by the kit' },
      },
    }),
  );
  fake.on('GET', /\/resourceGroups\/rg-apim-costing-1\/resources$/i, {
    status: 200,
    body: { value: [] },
  });
}

describeTarget('azure (fake transport)', async () => {
  const config = azureConfig();
  const fake = new FakeAzure();
  installDeployRoutes(fake, config);
  installCellRoutes(fake);
  installBudgetRoutes(fake, config);
  // The storage account's Blob service: empty until B3's run writes a complete run into it.
  const blobs = new Map<string, string>();
  installBlobRoutes(fake, {
    account: azureResourceNames(config, SUB).storageAccountName,
    container: 'cost-exports',
    blobs,
  });
  fake.on('POST', /\/exports\/apim-costing-export-1\/run$/, () => {
    for (const [name, text] of exportRunBlobs('run-1', new Date().toISOString(), [
      focusRow('Microsoft.ApiManagement/service/apim', 'API Management unit hours', '2.40'),
    ]))
      blobs.set(name, text);
    return { status: 200 };
  });
  fake.on('POST', /^\/dataCollectionRules\/[^/]+\/streams\/[^/]+$/, { status: 204 });
  const target = createAzureTarget(config, {
    credential: new FakeCredential(),
    httpClient: fake,
    pollIntervalMs: 1,
    roleRetry: { attempts: 2, delayMs: 1 },
  });
  return {
    target,
    config,
    async dispose() {
      await target.close();
    },
  };
});
