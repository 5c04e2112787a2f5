/**
 * Recorded-shape answers for the whole azure path (PROTOCOLS sections 7 and 8): resource group,
 * deployments as long-running operations (201 + Azure-AsyncOperation, Running, Succeeded, final
 * GET with outputs), deployment operations, listSecrets, exports, role assignments, alerts,
 * workbooks, Log Analytics queries and the generic resource GET/DELETE of clean-up.
 */
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig, KitConfigInput } from '../../lib/config/types.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import { FakeAzure, armError, type RecordedRequest } from './fake-azure.js';
import { evaluatedOutputs, snapshotFor } from './snapshots.js';

export const SUB = '0b5f6c1e-2a4d-4c3b-9e8f-1a2b3c4d5e6f';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const WORKSPACE_CUSTOMER_ID = 'c1d2e3f4-0000-4000-8000-00000000abcd';
export const APP_ID = 'a1b2c3d4-0000-4000-8000-00000000ef01';
export const EXPORT_PRINCIPAL = '9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

/** An azure configuration with a fixed subscription (no account look-up needed). */
export function azureConfig(input: KitConfigInput = {}): KitConfig {
  return loadConfig(
    { target: 'azure', azure: { subscriptionId: SUB, tenantId: TENANT }, ...input },
    {},
  );
}

const rgPath = (rg: string): string => `/subscriptions/${SUB}/resourcegroups/${rg}`;

/** Template parameter values of a recorded deployment PUT. */
export function parametersOf(request: RecordedRequest): Record<string, unknown> {
  const params = (
    request.body as { properties: { parameters: Record<string, { value: unknown }> } }
  ).properties.parameters;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.value]));
}

/** The principal id of the APIM system-assigned identity in every simulated deployment. */
/** What ARM reports for the allocation's data collection endpoint and rule once created. */
export const LOGS_INGESTION_ENDPOINT =
  'https://dce-apim-costing-1-x1y2.eastus2-1.ingest.monitor.azure.com';
export const DCR_IMMUTABLE_ID = 'dcr-5f3a9c1e2b4d4e6f8a0b1c2d3e4f5a6b';
export const APIM_PRINCIPAL = '11111111-2222-4333-8444-555555555555';

/**
 * Outputs ARM would return for the kit's templates: those `bicep snapshot` predicted for the
 * matrix configuration with exactly these parameters, with the run-time values (gateway URL,
 * principal id, customer id, AppId, endpoint) of this simulated subscription.
 */
function outputsFor(
  deploymentName: string,
  p: Record<string, unknown>,
): Record<string, { type: string; value: unknown }> {
  const template = deploymentName.includes('-infra-') ? 'infra' : 'main';
  return evaluatedOutputs(snapshotFor(template, p), {
    apimPrincipalId: APIM_PRINCIPAL,
    workspaceCustomerId: WORKSPACE_CUSTOMER_ID,
    appInsightsAppId: APP_ID,
    logsIngestionEndpoint: LOGS_INGESTION_ENDPOINT,
    dataCollectionRuleImmutableId: DCR_IMMUTABLE_ID,
  });
}

/** Answers for a successful deployment run: RG missing then created, both templates, keys. */
export function installDeployRoutes(
  fake: FakeAzure,
  config: KitConfig,
  opts: { failMain?: boolean } = {},
): void {
  const rg = config.deployment.resourceGroup;
  // main.json goes to the APIM's resource group (another one for a user's APIM there).
  const groups = [rg, config.deployment.apimResourceGroup ?? rg].map(rgPath).join('|');
  const depRe = new RegExp(
    `^(${groups})/providers/Microsoft\\.Resources/deployments/([^/]+)$`,
    'i',
  );
  const depName = (path: string): string => depRe.exec(path)?.[2] ?? '';
  const depId = (path: string): string =>
    path.replace(
      /^\/subscriptions\/[^/]+\/resourcegroups\//i,
      `/subscriptions/${SUB}/resourceGroups/`,
    );
  const puts = new Map<string, RecordedRequest>();
  const polls = new Map<string, number>();
  installPreflightRoutes(fake, config, () => apimCreated);
  installExportRoutes(fake);
  // The APIM service exists once an infra deployment that creates it has succeeded.
  let apimCreated = false;
  fake.on('GET', new RegExp(`^/subscriptions/${SUB}$`), {
    status: 200,
    body: {
      id: `/subscriptions/${SUB}`,
      subscriptionId: SUB,
      tenantId: TENANT,
      displayName: 'Contoso Dev',
      state: 'Enabled',
    },
  });
  // The resource group does not exist until the kit creates it.
  let group: Record<string, unknown> | undefined;
  fake.on('GET', new RegExp(`^${rgPath(rg)}$`, 'i'), () =>
    group === undefined
      ? armError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`)
      : { status: 200, body: group },
  );
  fake.on('PUT', new RegExp(`^${rgPath(rg)}$`, 'i'), (r) => {
    group = {
      id: `/subscriptions/${SUB}/resourceGroups/${rg}`,
      name: rg,
      type: 'Microsoft.Resources/resourceGroups',
      ...(r.body as object),
      properties: { provisioningState: 'Succeeded' },
    };
    return { status: 201, body: group };
  });
  fake.on('PUT', depRe, (r) => {
    const name = depName(r.path);
    puts.set(name, r);
    return {
      status: 201,
      headers: {
        'azure-asyncoperation': `https://management.azure.com${r.path}/operationStatuses/08584500?api-version=${r.apiVersion ?? ''}`,
        'retry-after': '0',
      },
      body: {
        id: depId(r.path),
        name,
        type: 'Microsoft.Resources/deployments',
        properties: { provisioningState: 'Accepted', mode: 'Incremental' },
      },
    };
  });
  const failing = (name: string): boolean => opts.failMain === true && name.includes('-main-');
  fake.on(
    'GET',
    /\/providers\/Microsoft\.Resources\/deployments\/[^/]+\/operationStatuses\/[^/]+$/i,
    (r) => {
      const name = /deployments\/([^/]+)\/operationStatuses/i.exec(r.path)?.[1] ?? '';
      const n = (polls.get(name) ?? 0) + 1;
      polls.set(name, n);
      if (n < 2) return { status: 200, body: { status: 'Running' } };
      if (failing(name)) {
        return {
          status: 200,
          body: {
            status: 'Failed',
            error: {
              code: 'DeploymentFailed',
              message:
                'At least one resource deployment operation failed. Please list deployment operations for details.',
            },
          },
        };
      }
      return { status: 200, body: { status: 'Succeeded' } };
    },
  );
  fake.on('GET', depRe, (r) => {
    const name = depName(r.path);
    const put = puts.get(name);
    if (put === undefined)
      return armError(404, 'DeploymentNotFound', `Deployment '${name}' could not be found.`);
    if (name.includes('-infra-') && !failing(name) && parametersOf(put).createApim === true)
      apimCreated = true;
    return {
      status: 200,
      body: {
        id: depId(r.path),
        name,
        properties: failing(name)
          ? {
              provisioningState: 'Failed',
              error: {
                code: 'DeploymentFailed',
                message: 'At least one resource deployment operation failed.',
              },
            }
          : {
              provisioningState: 'Succeeded',
              mode: 'Incremental',
              outputs: outputsFor(name, parametersOf(put)),
            },
      },
    };
  });
  fake.on('GET', /\/resourcegroups\/[^/]+\/deployments\/([^/]+)\/operations$/i, (r) => {
    const name = /deployments\/([^/]+)\/operations/i.exec(r.path)?.[1] ?? '';
    const done = (polls.get(name) ?? 0) >= 2;
    const ops = [
      op(
        'Microsoft.ApiManagement/service/apis',
        `apim/${config.deployment.apiPrefix}subscription-api`,
        'Succeeded',
      ),
      op('Microsoft.Storage/storageAccounts', 'stcost', done ? 'Succeeded' : 'Running'),
    ];
    if (failing(name) && done) {
      ops.push({
        ...op(
          'Microsoft.ApiManagement/service/policyFragments',
          'apim/extract-caller-id',
          'Failed',
        ),
        properties: {
          ...op('x', 'y', 'Failed').properties,
          targetResource: {
            resourceType: 'Microsoft.ApiManagement/service/policyFragments',
            resourceName: 'apim/extract-caller-id',
          },
          statusCode: 'BadRequest',
          statusMessage: {
            status: 'Failed',
            error: {
              code: 'ValidationError',
              message: "'set-variable' is not allowed in a fragment here",
            },
          },
        },
      });
    }
    return { status: 200, body: { value: ops } };
  });
  fake.on(
    'POST',
    /\/providers\/Microsoft\.ApiManagement\/service\/[^/]+\/subscriptions\/([^/]+)\/listSecrets$/i,
    (r) => {
      const sid = /subscriptions\/([^/]+)\/listSecrets/i.exec(r.path)?.[1] ?? '';
      return {
        status: 200,
        headers: { etag: '"AAAAAAAAAAA="' },
        body: {
          primaryKey: `pk-${sid}-0123456789abcdef`,
          secondaryKey: `sk-${sid}-fedcba9876543210`,
        },
      };
    },
  );
}

/**
 * The read-only answers the preflight of cell A2 gets on a clean subscription: no APIM yet (until
 * infra creates it), nothing soft-deleted, no colliding logger, fragment or diagnostic, and every
 * configured model offered as GlobalStandard in the region. Tests override single routes.
 */
export function installPreflightRoutes(
  fake: FakeAzure,
  config: KitConfig,
  apimExists: () => boolean = () => false,
): void {
  const rg = config.deployment.apimResourceGroup ?? config.deployment.resourceGroup;
  const apimName = azureResourceNames(config, SUB).apimName;
  const apimId = `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${apimName}`;
  fake.on(
    'GET',
    new RegExp(`^${rgPath(rg)}/providers/Microsoft\\.ApiManagement/service/${apimName}$`, 'i'),
    () =>
      apimExists()
        ? { status: 200, body: apimServiceBody(apimId, config.deployment.apimSku) }
        : armError(
            404,
            'ResourceNotFound',
            `The Resource 'Microsoft.ApiManagement/service/${apimName}' under resource group '${rg}' was not found.`,
          ),
  );
  fake.on('GET', /\/providers\/Microsoft\.ApiManagement\/service\/[^/]+\/(workspaces|gateways)$/i, {
    status: 200,
    body: { value: [] },
  });
  fake.on(
    'GET',
    /\/providers\/Microsoft\.ApiManagement\/service\/[^/]+\/(loggers|policyFragments|diagnostics)\/[^/]+$/i,
    (r) =>
      armError(404, 'ResourceNotFound', `${r.path.split('/').slice(-2).join(' ')} was not found.`),
  );
  // Nothing is soft-deleted: the lists cell A2 reads, and the single entries clean-up's purge reads.
  fake.on(
    'GET',
    /^\/subscriptions\/[^/]+\/providers\/Microsoft\.(ApiManagement|CognitiveServices)\/locations\/.+\/(deletedservices|deletedAccounts)\/[^/]+$/i,
    armError(404, 'NotFound', 'The deleted resource was not found.'),
  );
  fake.on(
    'GET',
    new RegExp(`^/subscriptions/${SUB}/providers/Microsoft\\.ApiManagement/deletedservices$`, 'i'),
    {
      status: 200,
      body: { value: [] },
    },
  );
  fake.on(
    'GET',
    new RegExp(
      `^/subscriptions/${SUB}/providers/Microsoft\\.CognitiveServices/deletedAccounts$`,
      'i',
    ),
    { status: 200, body: { value: [] } },
  );
  fake.on(
    'GET',
    new RegExp(
      `^/subscriptions/${SUB}/providers/Microsoft\\.CognitiveServices/locations/[^/]+/models$`,
      'i',
    ),
    { status: 200, body: { value: config.models.map((m) => modelEntry(m.name, m.version)) } },
  );
}

/**
 * Cost Management around cells B2/B3 on a subscription where it works: the exports provider is
 * registered, and a run started now completes (run history in the 2025-03-01 shape).
 */
export function installExportRoutes(fake: FakeAzure): void {
  fake.on(
    'GET',
    new RegExp(`^/subscriptions/${SUB}/providers/Microsoft\\.CostManagementExports$`, 'i'),
    {
      status: 200,
      body: {
        id: `/subscriptions/${SUB}/providers/Microsoft.CostManagementExports`,
        namespace: 'Microsoft.CostManagementExports',
        registrationState: 'Registered',
        resourceTypes: [],
      },
    },
  );
  fake.on('GET', /\/providers\/Microsoft\.CostManagement\/exports\/[^/]+\/runHistory$/i, {
    status: 200,
    body: { value: [exportRun('Completed', new Date().toISOString())] },
  });
}

/**
 * Cell B2 on a subscription without the export yet: it is created with its identity, and the
 * role assignment succeeds at once. Returns the export's path.
 */
export function installExportCreation(fake: FakeAzure): RegExp {
  const exportPath = new RegExp(
    `^/subscriptions/${SUB}/providers/Microsoft\\.CostManagement/exports/apim-costing-export-1$`,
  );
  fake.on('GET', exportPath, armError(404, 'NotFound', 'Export not found.'));
  fake.on('PUT', exportPath, (r) => ({
    status: 201,
    body: {
      ...(r.body as object),
      identity: { type: 'SystemAssigned', principalId: EXPORT_PRINCIPAL },
    },
  }));
  fake.on('PUT', /\/roleAssignments\/[^/]+$/, (r) => ({ status: 201, body: { id: r.path } }));
  return exportPath;
}

/** One ExportRun of the run history (definition ExportRun, costmanagement.exports.json 2025-03-01). */
export function exportRun(
  status: string,
  submittedTime: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: `/subscriptions/${SUB}/providers/Microsoft.CostManagement/exports/apim-costing-export-1/Run/${submittedTime}`,
    name: 'run',
    type: 'Microsoft.CostManagement/reports/Run',
    properties: {
      executionType: 'OnDemand',
      status,
      submittedBy: 'user@contoso.com',
      submittedTime,
      ...(status === 'Completed'
        ? { fileName: 'apim-costing/apim-costing-export-1/20261101-20261130/part_0_0001.csv' }
        : {}),
      ...extra,
    },
  };
}

/** One entry of the Models_List answer (REST definition in rest-definitions.ts). */
export function modelEntry(
  name: string,
  version: string,
  lifecycleStatus = 'GenerallyAvailable',
  skus: { name: string; deprecationDate?: string }[] = [
    { name: 'GlobalStandard', deprecationDate: '2099-01-01T00:00:00Z' },
    { name: 'Standard' },
  ],
): Record<string, unknown> {
  return {
    kind: 'OpenAI',
    skuName: 'S0',
    model: { format: 'OpenAI', name, version, lifecycleStatus, skus },
  };
}

/** An APIM service as ARM returns it (GET Microsoft.ApiManagement/service). */
export function apimServiceBody(
  id: string,
  sku: string,
  extra: { identity?: unknown; properties?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const name = id.split('/').pop() ?? '';
  return {
    id,
    name,
    type: 'Microsoft.ApiManagement/service',
    location: 'eastus2',
    sku: { name: sku, capacity: 1 },
    identity:
      'identity' in extra
        ? extra.identity
        : {
            type: 'SystemAssigned',
            principalId: APIM_PRINCIPAL,
            tenantId: TENANT,
          },
    properties: {
      publisherEmail: 'noreply@example.com',
      publisherName: 'APIM Costing',
      gatewayUrl: `https://${name}.azure-api.net`,
      ...extra.properties,
    },
  };
}

function op(
  resourceType: string,
  resourceName: string,
  state: string,
): { id: string; operationId: string; properties: Record<string, unknown> } {
  return {
    id: `op-${resourceName}`,
    operationId: resourceName,
    properties: {
      provisioningOperation: 'Create',
      provisioningState: state,
      timestamp: '2026-11-27T10:00:00Z',
      duration: 'PT5S',
      targetResource: { id: `/x/${resourceName}`, resourceType, resourceName },
    },
  };
}

/** A target that has run cell A2 against the fake, with its transport and the main parameters. */
export async function deployedTarget(
  input: KitConfigInput = {},
  targetOptions: Partial<import('../../lib/azure/azure-target.js').AzureTargetOptions> = {},
): Promise<{
  fake: FakeAzure;
  config: KitConfig;
  target: import('../../lib/azure/azure-target.js').AzureCostingTarget;
  deployment: import('../../lib/target.js').Deployment;
  mainParameters: Record<string, unknown>;
}> {
  const { createAzureTarget } = await import('../../lib/azure/azure-target.js');
  const { FakeCredential } = await import('./fake-azure.js');
  const config = azureConfig(input);
  const fake = new FakeAzure();
  installDeployRoutes(fake, config);
  const target = createAzureTarget(config, {
    credential: new FakeCredential(),
    httpClient: fake,
    pollIntervalMs: 1,
    ...targetOptions,
  });
  const deployment = await target.deploy();
  const mainPut = fake.find('PUT', /\/deployments\/apim-costing-main-1$/i)[0];
  if (mainPut === undefined) throw new Error('main deployment was not sent');
  return { fake, config, target, deployment, mainParameters: parametersOf(mainPut) };
}
