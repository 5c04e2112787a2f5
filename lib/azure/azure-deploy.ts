/**
 * Cell A2 on Azure: resource group, `infra.json` (APIM when the kit creates it, Log Analytics,
 * App Insights, logger, diagnostic setting), `main.json` (APIs, policies, subscriptions,
 * storage, workbook, optional Foundry), then the BU keys through `listSecrets`.
 */
import { formatTokenLimits, tokenLimitEntries } from '../config/budget-limits.js';
import { z } from 'zod';
import type { KitConfig } from '../config/types.js';
import type {
  ApiEndpoint,
  ApiSubscription,
  BuSubscription,
  Deployment,
  OperationOptions,
} from '../target.js';
import { readArtifact } from '../artifacts/read-artifact.js';
import { ArtifactError } from '../errors.js';
import { buildWorkbookData } from '../workbook/workbook-json.js';
import type { AzureClients } from './azure-clients.js';
import { listApiKeys, listBuKeys } from './api-subscription-keys.js';
import { hasStatus, toKitError } from './azure-errors.js';
import {
  deployTemplate,
  ensureResourceGroup,
  outputValue,
  type TemplateOutputs,
  type TemplateParameters,
} from './arm-deployment.js';
import { defaultPlan, preflight, type DeploymentPlan } from './preflight.js';
import { signedInPrincipal } from './signed-in-principal.js';
import { azureResourceNames, kitTags, type AzureResourceNames } from './resource-names.js';

/** What the azure deploy step learned besides the `Deployment` itself. */
export interface AzureDeploymentState {
  deployment: Deployment;
  names: AzureResourceNames;
  /** Whether this run created the resource group (clean-up may then remove it when empty). */
  createdResourceGroup: boolean;
  /** APIM principal id (system-assigned identity). */
  apimPrincipalId: string;
  storageResourceId: string;
  workbookResourceId: string;
  /** The Logs Ingestion target of `ApimCostAllocation_CL`, when the deployment has its DCR. */
  allocationIngestion?: { endpoint: string; ruleId: string; stream: string };
}

/** Options of {@link deployToAzure}. */
export interface DeployToAzureOptions extends OperationOptions {
  /** Poll interval of the ARM deployments. @default 5000 */
  pollIntervalMs?: number;
}

const infraOutputs = z.object({
  apimName: z.string(),
  gatewayUrl: z.string(),
  workspaceName: z.string(),
  workspaceResourceId: z.string(),
  workspaceCustomerId: z.string(),
  appInsightsName: z.string(),
  appInsightsResourceId: z.string(),
  appInsightsAppId: z.string(),
});

const apiOutput = z.object({
  apiId: z.string(),
  path: z.string(),
  displayName: z.string(),
  deployed: z.boolean().optional(),
  /** The API's own subscription (scope: this API alone), when the template makes one. */
  subscriptionName: z.string().optional(),
});
const mainOutputs = z.object({
  gatewayUrl: z.string(),
  apimName: z.string(),
  apimPrincipalId: z.string(),
  apis: z.object({
    costing: apiOutput,
    entra: apiOutput,
    tokenTracking: apiOutput,
    aoai: apiOutput,
  }),
  subscriptionNames: z.array(z.string()),
  appInsights: z.object({ name: z.string(), appId: z.string(), resourceId: z.string() }),
  logAnalytics: z.object({ name: z.string(), workspaceId: z.string(), resourceId: z.string() }),
  storage: z.object({ accountName: z.string(), container: z.string(), resourceId: z.string() }),
  aoai: z.object({
    deployed: z.boolean(),
    accountName: z.string(),
    endpoint: z.string(),
    backendId: z.string(),
    deploymentNames: z.array(z.string()),
    // The Foundry project (issue 13); absent from deployments made before it existed.
    accountId: z.string().default(''),
    projectName: z.string().default(''),
    projectId: z.string().default(''),
    projectEndpoint: z.string().default(''),
  }),
  workbook: z.object({ name: z.string(), resourceId: z.string() }),
  // The allocation's Logs Ingestion target; absent from deployments made before it existed.
  costAllocation: z
    .object({ endpoint: z.string(), ruleId: z.string(), stream: z.string() })
    .optional(),
});

/** Parameters of `bicep/infra.json` for this configuration. */
export function infraParameters(
  config: KitConfig,
  names: AzureResourceNames,
  plan: DeploymentPlan = defaultPlan(config),
): TemplateParameters {
  return params({
    location: config.deployment.location,
    apimName: names.apimName,
    createApim: plan.createApim,
    apimSku: config.deployment.apimSku,
    apimResourceGroup: names.apimResourceGroup,
    workspaceRef: ref(names.workspace),
    createWorkspace: !names.workspace.existing,
    appInsightsRef: ref(names.appInsights),
    createAppInsights: !names.appInsights.existing,
    apimLoggerName: names.apimLoggerName,
    tags: kitTags(config),
  });
}

/** Where a resource lives, as the templates' `resourceRef` type takes it. */
function ref(r: AzureResourceNames['workspace']): Record<string, string> {
  return { subscriptionId: r.subscriptionId, resourceGroup: r.resourceGroup, name: r.name };
}

/**
 * Parameters of `bicep/main.json`. The workbook is built here exactly as cell F builds it
 * (`buildWorkbookData`: prices from `lib/pricing`, the App Insights resource id for `app()`,
 * AI API ids of the prefix, the workspace as fallback resource), so both deploy the same JSON.
 */
export function mainParameters(
  config: KitConfig,
  names: AzureResourceNames,
  plan: DeploymentPlan = defaultPlan(config),
): TemplateParameters {
  const workbookData = buildWorkbookData(config, {
    appInsights: { name: names.appInsights.name, appId: '', resourceId: names.appInsights.id },
    logAnalytics: { name: names.workspace.name, workspaceId: '', resourceId: names.workspace.id },
  });
  return params({
    location: config.deployment.location,
    apimName: names.apimName,
    kitResourceGroup: names.resourceGroup,
    apiPrefix: config.deployment.apiPrefix,
    appInsightsRef: ref(names.appInsights),
    workspaceRef: ref(names.workspace),
    apimLoggerName: names.apimLoggerName,
    businessUnits: config.businessUnits.map((bu) => ({
      name: bu.name,
      displayName: bu.displayName,
    })),
    enableEntraIdTracking: config.features.enableEntraIdTracking,
    enableTokenTracking: config.features.enableTokenTracking,
    enableFoundry: config.features.enableFoundry,
    models: config.features.enableFoundry
      ? config.models.map((m) => ({
          name: m.name,
          version: m.version,
          capacityKTpm: m.capacityKTpm,
        }))
      : [],
    aiServicesName: names.aiServicesName,
    foundryProjectName: names.foundryProjectName,
    storageAccountName: names.storageAccountName,
    workbookId: names.workbookName,
    workbookDisplayName: names.workbookDisplayName,
    workbookData,
    deployServiceDiagnostic: plan.deployServiceDiagnostic,
    tags: kitTags(config),
    budgetTokenLimits: formatTokenLimits(tokenLimitEntries(config)),
    budgetEstimatePromptTokens: config.budgets.estimatePromptTokens,
    forceStreamIncludeUsage: config.features.forceStreamIncludeUsage,
    costAllocationEndpointName: names.dataCollectionEndpointName,
    costAllocationRuleName: names.dataCollectionRuleName,
    costAllocationPrincipalId: plan.ingestionPrincipal.id,
    costAllocationPrincipalType: plan.ingestionPrincipal.type,
  });
}

/** A compiled template from `bicep/` (committed; `npm run build:bicep` regenerates it). */
export function loadTemplate(name: 'infra' | 'main' | 'cost-export'): unknown {
  try {
    return JSON.parse(readArtifact('bicep', `${name}.json`)) as unknown;
  } catch (error) {
    throw new ArtifactError(
      `The compiled template bicep/${name}.json is missing or unreadable: run npm run build:bicep.`,
      { cause: error },
    );
  }
}

/**
 * Deploys the kit to Azure and returns everything cell A2 exposes.
 * @example const state = await deployToAzure(config, clients, { onProgress: (p) => line.update(p.message) });
 */
export async function deployToAzure(
  config: KitConfig,
  clients: AzureClients,
  options: DeployToAzureOptions = {},
): Promise<AzureDeploymentState> {
  const subscriptionId = await clients.subscriptionId();
  const names = azureResourceNames(config, subscriptionId);
  // Before any ARM write: what would fail inside ARM, or overwrite someone else's entity.
  const { plan, notes } = await preflight(config, clients, names, options);
  plan.ingestionPrincipal = await signedInPrincipal(clients.credential, options.signal);
  for (const note of notes) options.onProgress?.({ message: `Note: ${note}` });
  const resources = await clients.resources();
  const createdResourceGroup = await ensureResourceGroup(
    resources,
    names.resourceGroup,
    config.deployment.location,
    kitTags(config),
    options,
  );

  const deployments = await clients.deployments();
  const rejectionHint = `Check deployment.location ('${config.deployment.location}') and deployment.apimSku ('${config.deployment.apimSku}') in cell A1, then run cell A2 again.`;
  const failureHint =
    'Fix the cause above (ARM says which resource and why), then run cell A2 again: deployments are incremental.';
  const common = { ...options, rejectionHint, failureHint, tags: kitTags(config) };
  // infra goes to the kit's resource group, main to the APIM's (they differ for a user's APIM
  // in another group); each template scopes its modules to the other group where needed.
  const deployAndRead = async <T>(
    schema: z.ZodType<T>,
    deploymentName: string,
    template: 'infra' | 'main',
    parameters: Parameters<typeof deployTemplate>[4],
  ): Promise<T> =>
    parse(
      schema,
      await deployTemplate(
        deployments,
        template === 'main' ? names.apimResourceGroup : names.resourceGroup,
        deploymentName,
        loadTemplate(template),
        parameters,
        common,
      ),
      deploymentName,
    );
  const infra = await deployAndRead(
    infraOutputs,
    names.infraDeploymentName,
    'infra',
    infraParameters(config, names, plan),
  );
  const main = await deployAndRead(
    mainOutputs,
    names.mainDeploymentName,
    'main',
    mainParameters(config, names, plan),
  );
  const subscriptions = await listBuKeys(config, clients, names, options);
  const apiKeys = await listApiKeys(clients, names, main.apis, options);
  return assembleState(
    config,
    names,
    main,
    subscriptions,
    apiKeys,
    createdResourceGroup,
    infra.appInsightsName,
  );
}

/**
 * The state of an earlier deployment (after a kernel restart): outputs of the last `main`
 * deployment plus fresh keys; `undefined` when there is none.
 */
export async function loadExistingDeployment(
  config: KitConfig,
  clients: AzureClients,
  options: OperationOptions = {},
): Promise<AzureDeploymentState | undefined> {
  const subscriptionId = await clients.subscriptionId();
  const names = azureResourceNames(config, subscriptionId);
  const deployments = await clients.deployments();
  let outputs: TemplateOutputs;
  try {
    const found = await deployments.deployments.get(
      names.apimResourceGroup,
      names.mainDeploymentName,
      options.signal !== undefined ? { abortSignal: options.signal } : {},
    );
    if (found.properties?.provisioningState !== 'Succeeded') return undefined;
    outputs = (found.properties.outputs ?? {}) as TemplateOutputs;
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw toKitError(error, `reading deployment '${names.mainDeploymentName}'`);
  }
  const main = parse(mainOutputs, outputs, names.mainDeploymentName);
  const subscriptions = await listBuKeys(config, clients, names, options);
  const apiKeys = await listApiKeys(clients, names, main.apis, options);
  return assembleState(config, names, main, subscriptions, apiKeys, false, main.appInsights.name);
}

function assembleState(
  config: KitConfig,
  names: AzureResourceNames,
  main: z.infer<typeof mainOutputs>,
  subscriptions: BuSubscription[],
  apiKeys: ReadonlyMap<string, ApiSubscription>,
  createdResourceGroup: boolean,
  appInsightsName: string,
): AzureDeploymentState {
  // Behind Front Door or Application Gateway the traffic cells send to the public URL
  // (deployment.gatewayUrl); everything else goes through ARM, which never uses it.
  const apimGatewayUrl = main.gatewayUrl.replace(/\/+$/, '');
  const gatewayUrl = config.deployment.gatewayUrl ?? apimGatewayUrl;
  const endpoint = (api: z.infer<typeof apiOutput>): ApiEndpoint => {
    const own = apiKeys.get(api.apiId);
    return {
      apiId: api.apiId,
      path: api.path,
      url: `${gatewayUrl}/${api.path}`,
      name: api.displayName,
      ...(own ? { subscription: own } : {}),
    };
  };
  const deployment: Deployment = {
    target: 'azure',
    gatewayUrl,
    ...(gatewayUrl !== apimGatewayUrl ? { apimGatewayUrl } : {}),
    apimName: main.apimName,
    apimSku: config.deployment.apimSku,
    resourceGroup: names.resourceGroup,
    location: config.deployment.location,
    apis: {
      costing: endpoint(main.apis.costing),
      entra: endpoint(main.apis.entra),
      tokenTracking: endpoint(main.apis.tokenTracking),
      aoai: endpoint(main.apis.aoai),
    },
    subscriptions,
    aoai: main.aoai.deployed
      ? {
          backendUrl: `${main.aoai.endpoint.replace(/\/?$/, '/')}openai`,
          deployments: config.models.map((m) => ({
            deploymentName: m.name,
            modelName: m.name,
            modelVersion: m.version,
            capacityKTpm: m.capacityKTpm,
          })),
          emulated: false,
          ...(main.aoai.projectId !== ''
            ? {
                foundry: {
                  projectName: main.aoai.projectName,
                  projectId: main.aoai.projectId,
                  projectEndpoint: main.aoai.projectEndpoint,
                  accountId: main.aoai.accountId,
                },
              }
            : {}),
        }
      : undefined,
    appInsights: {
      name: main.appInsights.name || appInsightsName,
      appId: main.appInsights.appId,
      resourceId: main.appInsights.resourceId,
    },
    logAnalytics: main.logAnalytics,
    storage: { accountName: main.storage.accountName, container: main.storage.container },
  };
  return {
    deployment,
    names,
    createdResourceGroup,
    apimPrincipalId: main.apimPrincipalId,
    storageResourceId: main.storage.resourceId,
    workbookResourceId: main.workbook.resourceId,
    // The schema keeps only endpoint, ruleId and stream of the output.
    ...(main.costAllocation !== undefined ? { allocationIngestion: main.costAllocation } : {}),
  };
}

function params(values: Record<string, unknown>): TemplateParameters {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v }]));
}

function parse<T>(schema: z.ZodType<T>, outputs: TemplateOutputs, deploymentName: string): T {
  const values = Object.fromEntries(Object.keys(outputs).map((k) => [k, outputValue(outputs, k)]));
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') ?? '?';
    throw new ArtifactError(
      `Deployment '${deploymentName}' returned outputs the kit does not expect (at '${field}'): the committed template is out of date; run npm run build:bicep.`,
    );
  }
  return parsed.data;
}
