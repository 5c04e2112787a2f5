/**
 * Recorded-shape answers for the whole azure path (PROTOCOLS sections 7 and 8): resource group,
 * deployments as long-running operations (201 + Azure-AsyncOperation, Running, Succeeded, final
 * GET with outputs), deployment operations, listSecrets, exports, role assignments, alerts,
 * workbooks, Log Analytics queries and the generic resource GET/DELETE of clean-up.
 */
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig, KitConfigInput } from '../../lib/config/types.js';
import { FakeAzure, armError, type RecordedRequest } from './fake-azure.js';

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

/** Outputs ARM would return for the kit's templates, computed from the parameters sent. */
function outputsFor(
  deploymentName: string,
  p: Record<string, unknown>,
  rg: string,
): Record<string, { type: string; value: unknown }> {
  const id = (type: string, name: string): string =>
    `/subscriptions/${SUB}/resourceGroups/${rg}/providers/${type}/${name}`;
  const apimName = String(p.apimName);
  const gatewayUrl = `https://${apimName}.azure-api.net`;
  if (deploymentName.includes('-infra-')) {
    return {
      apimName: { type: 'String', value: apimName },
      gatewayUrl: { type: 'String', value: gatewayUrl },
      workspaceName: { type: 'String', value: p.workspaceName },
      workspaceResourceId: {
        type: 'String',
        value: id('Microsoft.OperationalInsights/workspaces', String(p.workspaceName)),
      },
      workspaceCustomerId: { type: 'String', value: WORKSPACE_CUSTOMER_ID },
      appInsightsName: { type: 'String', value: p.appInsightsName },
      appInsightsResourceId: {
        type: 'String',
        value: id('Microsoft.Insights/components', String(p.appInsightsName)),
      },
      appInsightsAppId: { type: 'String', value: APP_ID },
      apimLoggerName: { type: 'String', value: p.apimLoggerName },
      diagnosticSettingName: { type: 'String', value: 'apim-costing-logs' },
    };
  }
  const prefix = String(p.apiPrefix);
  const foundry = p.enableFoundry === true;
  const bus = p.businessUnits as { name: string }[];
  return {
    gatewayUrl: { type: 'String', value: gatewayUrl },
    apimName: { type: 'String', value: apimName },
    apimPrincipalId: { type: 'String', value: '11111111-2222-4333-8444-555555555555' },
    apis: {
      type: 'Object',
      value: {
        costing: {
          apiId: `${prefix}subscription-api`,
          path: `${prefix}subscription`,
          displayName: 'Costing: subscription-based',
        },
        entra: {
          apiId: `${prefix}entraid-api`,
          path: `${prefix}entraid`,
          displayName: 'Costing: Entra ID applications',
          deployed: p.enableEntraIdTracking,
          subscriptionName: `api-${prefix}entraid-api`,
        },
        tokenTracking: {
          apiId: `${prefix}token-tracking-api`,
          path: `${prefix}token-tracking`,
          displayName: 'Costing: AI token tracking (mock)',
          deployed: p.enableTokenTracking,
          subscriptionName: `api-${prefix}token-tracking-api`,
        },
        aoai: {
          apiId: `${prefix}aoai-gateway-api`,
          path: `${prefix}aoai-gateway`,
          displayName: 'Costing: AOAI gateway',
          deployed: foundry,
        },
      },
    },
    subscriptionNames: { type: 'Array', value: bus.map((b) => b.name) },
    appInsights: {
      type: 'Object',
      value: {
        name: p.appInsightsName,
        appId: APP_ID,
        resourceId: id('Microsoft.Insights/components', String(p.appInsightsName)),
      },
    },
    logAnalytics: {
      type: 'Object',
      value: {
        name: p.workspaceName,
        workspaceId: WORKSPACE_CUSTOMER_ID,
        resourceId: id('Microsoft.OperationalInsights/workspaces', String(p.workspaceName)),
      },
    },
    storage: {
      type: 'Object',
      value: {
        accountName: p.storageAccountName,
        container: 'cost-exports',
        resourceId: id('Microsoft.Storage/storageAccounts', String(p.storageAccountName)),
      },
    },
    aoai: {
      type: 'Object',
      value: {
        deployed: foundry,
        accountName: foundry ? p.aiServicesName : '',
        endpoint: foundry ? `https://${String(p.aiServicesName)}.cognitiveservices.azure.com/` : '',
        backendId: 'aoai-backend',
        deploymentNames: foundry ? (p.models as { name: string }[]).map((m) => m.name) : [],
      },
    },
    workbook: {
      type: 'Object',
      value: {
        name: p.workbookId,
        resourceId: id('Microsoft.Insights/workbooks', String(p.workbookId)),
      },
    },
  };
}

/** Answers for a successful deployment run: RG missing then created, both templates, keys. */
export function installDeployRoutes(
  fake: FakeAzure,
  config: KitConfig,
  opts: { failMain?: boolean } = {},
): void {
  const rg = config.deployment.resourceGroup;
  const depRe = new RegExp(
    `^${rgPath(rg)}/providers/Microsoft\\.Resources/deployments/([^/]+)$`,
    'i',
  );
  const puts = new Map<string, RecordedRequest>();
  const polls = new Map<string, number>();
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
    const name = depRe.exec(r.path)?.[1] ?? '';
    puts.set(name, r);
    return {
      status: 201,
      headers: {
        'azure-asyncoperation': `https://management.azure.com${rgPath(rg)}/providers/Microsoft.Resources/deployments/${name}/operationStatuses/08584500?api-version=${r.apiVersion ?? ''}`,
        'retry-after': '0',
      },
      body: {
        id: `${rgPath(rg)}/providers/Microsoft.Resources/deployments/${name}`,
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
    const name = depRe.exec(r.path)?.[1] ?? '';
    const put = puts.get(name);
    if (put === undefined)
      return armError(404, 'DeploymentNotFound', `Deployment '${name}' could not be found.`);
    return {
      status: 200,
      body: {
        id: `${rgPath(rg)}/providers/Microsoft.Resources/deployments/${name}`,
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
              outputs: outputsFor(name, parametersOf(put), rg),
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
