/**
 * Checks cell A2 runs before any ARM write (resource group included): what ARM would reject
 * deep inside a deployment, or what would silently overwrite someone else's entity on an
 * existing APIM. Every finding is one line that says what to do; all are reported together.
 * The outcome also decides the deployment plan: an APIM that exists is not re-PUT, and a
 * user's own service-level diagnostic is left alone.
 */
import type { ApiManagementServiceResource } from '@azure/arm-apimanagement';
import type { KitConfig } from '../config/types.js';
import type { OperationOptions } from '../target.js';
import { AzureRequestError } from '../errors.js';
import { STREAM_USAGE_FRAGMENT_ID } from '../artifacts/names.js';
import { armJson, type ArmSender, type AzureClients } from './azure-clients.js';
import { checkByoMonitoring } from './byo-preflight.js';
import { AzurePreflightError, hasStatus, parseArmError, toKitError } from './azure-errors.js';
import { KIT_TAG, type AzureResourceNames } from './resource-names.js';

/** Cognitive Services REST version of the raw calls (deleted accounts, models, purge). */
export const COGNITIVE_API_VERSION = '2025-06-01';

/**
 * Starts the description of the APIM entities the kit owns but cannot tag (logger, policy
 * fragments); `bicep/` writes the same prefix (a test ties them).
 */
export const KIT_MARKER = `${KIT_TAG}:`;

/**
 * Above this `apiVersionConstraint.minApiVersion`, Azure Monitor diagnostic settings of the
 * service can fail (issue 15, from the APIM diagnostic-settings documentation).
 */
export const MAX_MIN_API_VERSION = '2022-09-01-preview';

/** What the preflight decided about the deployment (lib/azure/preflight.ts). */
export interface DeploymentPlan {
  /** Create the APIM service (false when it exists already, so A2 does not re-PUT it). */
  createApim: boolean;
  /** Deploy the service-level azuremonitor diagnostic (false when the user's APIM has one). */
  deployServiceDiagnostic: boolean;
  /**
   * Who gets Monitoring Metrics Publisher on the allocation's data collection rule (the signed-in
   * user or service principal, from the ARM token); empty when the token does not say.
   */
  ingestionPrincipal: SignedInPrincipal;
}

/** The object id and principal type of the signed-in caller. */
export interface SignedInPrincipal {
  id: string;
  type: 'User' | 'ServicePrincipal';
}

/** The plan without a preflight: create what the configuration says the kit creates. */
export function defaultPlan(config: KitConfig): DeploymentPlan {
  return {
    createApim: !config.deployment.existingApim,
    deployServiceDiagnostic: true,
    ingestionPrincipal: { id: '', type: 'User' },
  };
}

/** What the preflight decided, and the notes to show (one line each). */
export interface PreflightResult {
  plan: DeploymentPlan;
  notes: string[];
}

/**
 * Runs every check; throws {@link AzurePreflightError} with one line per problem, else returns
 * the plan. Reads only.
 * @example const { plan, notes } = await preflight(config, clients, names, { signal });
 */
export async function preflight(
  config: KitConfig,
  clients: AzureClients,
  names: AzureResourceNames,
  options: OperationOptions = {},
): Promise<PreflightResult> {
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const problems: string[] = [];
  const notes: string[] = [];
  const plan = defaultPlan(config);
  const apim = await clients.apiManagement();
  const service = await found(
    () => apim.apiManagementService.get(names.apimResourceGroup, names.apimName, abort),
    `reading APIM service '${names.apimName}'`,
  );
  if (service === undefined) {
    if (config.deployment.existingApim) {
      throw new AzureRequestError(
        `APIM service '${names.apimName}' was not found in resource group '${names.apimResourceGroup}' (subscription ${names.subscriptionId}). ` +
          `Fix deployment.apimName and ${config.deployment.apimResourceGroup !== undefined ? 'deployment.apimResourceGroup' : "deployment.resourceGroup (or set deployment.apimResourceGroup to the APIM's group)"} in cell A1, or remove apimName to let the kit create one.`,
        404,
        'ResourceNotFound',
      );
    }
    for await (const deleted of apim.deletedServices.listBySubscription(abort)) {
      if (deleted.name?.toLowerCase() !== names.apimName.toLowerCase()) continue;
      problems.push(
        `The APIM name '${names.apimName}' is soft-deleted (kept until ${deleted.scheduledPurgeDate?.toISOString() ?? 'its purge date'}), so creating it would fail: run clean-up.ipynb with purgeSoftDeleted: true, wait until then, or change deployment.index.`,
      );
    }
  } else {
    await checkService(config, clients, names, service, plan, problems, notes, abort);
  }
  await checkByoMonitoring(clients.arm(), config, names, problems, notes, options.signal);
  if (config.features.enableFoundry) {
    const arm = clients.arm();
    await checkDeletedAiServices(arm, names, problems, options.signal);
    await checkModels(arm, config, names, problems, notes, options.signal);
  }
  if (problems.length > 0) throw new AzurePreflightError(problems);
  return { plan, notes };
}

async function checkService(
  config: KitConfig,
  clients: AzureClients,
  names: AzureResourceNames,
  service: ApiManagementServiceResource,
  plan: DeploymentPlan,
  problems: string[],
  notes: string[],
  abort: { abortSignal?: AbortSignal },
): Promise<void> {
  const apim = await clients.apiManagement();
  const rg = names.apimResourceGroup;
  const svc = names.apimName;
  const sku = service.sku.name;
  if (!config.deployment.existingApim) {
    // Made by an earlier run: PUT it again only to change what the configuration changed.
    if (sku === config.deployment.apimSku) plan.createApim = false;
    else
      notes.push(
        `APIM '${svc}' is SKU ${sku}; deployment.apimSku is ${config.deployment.apimSku}, so cell A2 updates the service (this can take long).`,
      );
  } else if (sku !== config.deployment.apimSku) {
    notes.push(
      `APIM '${svc}' is SKU ${sku}, but deployment.apimSku is ${config.deployment.apimSku}; prices follow deployment.apimSku, so set it to ${sku} in cell A1 for the right figures.`,
    );
  }
  if (sku === 'Consumption') {
    problems.push(
      `APIM '${svc}' is on the Consumption tier, which has no LLM logging and no long-running connections for streaming: use a classic or v2 tier (remove deployment.apimName to let the kit create a BasicV2 one).`,
    );
    return;
  }
  const minVersion = service.apiVersionConstraint?.minApiVersion;
  if (minVersion !== undefined && compareApiVersions(minVersion, MAX_MIN_API_VERSION) > 0) {
    problems.push(
      `APIM '${svc}' limits control-plane calls to api-version ${minVersion} or newer (apiVersionConstraint), and Azure Monitor diagnostic settings can then fail: lower it to ${MAX_MIN_API_VERSION} or less, or use another APIM.`,
    );
  }
  if (config.features.enableFoundry && !(service.identity?.type ?? '').includes('SystemAssigned')) {
    problems.push(
      `APIM '${svc}' has no system-assigned managed identity, which the model backend needs (features.enableFoundry): turn it on (APIM > Managed identities > System assigned), or set features.enableFoundry to false in cell A1.`,
    );
  }
  const workspaces = await count(() => apim.workspace.listByService(rg, svc, abort));
  if (workspaces > 0)
    notes.push(
      `APIM '${svc}' has ${workspaces} workspace(s): the kit deploys at service level, and requests to workspace APIs are not in its tabs.`,
    );
  const gateways = await count(() => apim.gateway.listByService(rg, svc, abort));
  if (gateways > 0)
    notes.push(
      `APIM '${svc}' has ${gateways} self-hosted gateway(s): the kit sends its traffic to the managed gateway; requests through self-hosted gateways are logged by those gateways, not in these tabs.`,
    );

  const logger = await found(
    () => apim.logger.get(rg, svc, names.apimLoggerName, abort),
    `reading APIM logger '${names.apimLoggerName}'`,
  );
  if (logger !== undefined && !(logger.description ?? '').startsWith(KIT_MARKER)) {
    problems.push(
      `APIM '${svc}' already has a logger '${names.apimLoggerName}' that the kit did not make: deploying would re-point it (and every diagnostic using it) to the kit's App Insights. Rename or remove it, or change deployment.index.`,
    );
  }
  for (const id of names.policyFragmentIds) {
    // Not deployed with forceStreamIncludeUsage false, so nothing of the user's is overwritten.
    if (id === STREAM_USAGE_FRAGMENT_ID && !config.features.forceStreamIncludeUsage) continue;
    const fragment = await found(
      () => apim.policyFragment.get(rg, svc, id, abort),
      `reading APIM policy fragment '${id}'`,
    );
    if (fragment !== undefined && !(fragment.description ?? '').startsWith(KIT_MARKER)) {
      problems.push(
        `APIM '${svc}' already has a policy fragment '${id}' that the kit did not make: deploying would overwrite it, and clean-up would delete it. Rename yours, or use another APIM.`,
      );
    }
  }
  if (config.deployment.existingApim) {
    const diagnostic = await found(
      () => apim.diagnostic.get(rg, svc, 'azuremonitor', abort),
      `reading the service-level diagnostic of '${svc}'`,
    );
    if (diagnostic !== undefined && !(await kitDeployedServiceDiagnostic(clients, names, abort))) {
      plan.deployServiceDiagnostic = false;
      notes.push(
        `APIM '${svc}' has its own service-level azuremonitor diagnostic: the kit keeps it, so gateway logs follow its settings (sampling, verbosity).`,
      );
    }
  }
}

/**
 * Whether the kit's last main deployment deployed the service-level diagnostic: the diagnostic
 * has no description or tags, so the kit's own deployment record says who made it.
 */
async function kitDeployedServiceDiagnostic(
  clients: AzureClients,
  names: AzureResourceNames,
  abort: { abortSignal?: AbortSignal },
): Promise<boolean> {
  const deployments = await clients.deployments();
  const record = await found(
    () => deployments.deployments.get(names.apimResourceGroup, names.mainDeploymentName, abort),
    `reading deployment '${names.mainDeploymentName}'`,
  );
  const parameters = record?.properties?.parameters as
    Record<string, { value?: unknown } | undefined> | undefined;
  return parameters?.deployServiceDiagnostic?.value === true;
}

async function checkDeletedAiServices(
  arm: ArmSender,
  names: AzureResourceNames,
  problems: string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const path = `/subscriptions/${names.subscriptionId}/providers/Microsoft.CognitiveServices/deletedAccounts`;
  for (const account of await listAll(
    arm,
    path,
    'listing soft-deleted Azure AI Services',
    signal,
  )) {
    if (String(account.name ?? '').toLowerCase() !== names.aiServicesName.toLowerCase()) continue;
    const until = (account.properties as { scheduledPurgeDate?: unknown } | undefined)
      ?.scheduledPurgeDate;
    problems.push(
      `The Azure AI Services name '${names.aiServicesName}' is soft-deleted (kept until ${typeof until === 'string' ? until : 'its purge date'}), so creating it would fail: run clean-up.ipynb with purgeSoftDeleted: true, wait until then, or change deployment.index.`,
    );
  }
}

interface ModelEntry {
  kind?: string;
  model?: {
    format?: string;
    name?: string;
    version?: string;
    lifecycleStatus?: string;
    skus?: { name?: string; deprecationDate?: string }[];
  };
}

/** Each configured model must be deployable as GlobalStandard in the region (model lifecycle). */
async function checkModels(
  arm: ArmSender,
  config: KitConfig,
  names: AzureResourceNames,
  problems: string[],
  notes: string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const location = config.deployment.location;
  const path = `/subscriptions/${names.subscriptionId}/providers/Microsoft.CognitiveServices/locations/${location}/models`;
  const entries = (await listAll(
    arm,
    path,
    `listing the models of ${location}`,
    signal,
  )) as ModelEntry[];
  const now = Date.now();
  for (const wanted of config.models) {
    const sameName = entries.filter(
      (e) => e.model?.name === wanted.name && (e.model.format ?? 'OpenAI') === 'OpenAI',
    );
    const offered = [...new Set(sameName.map((e) => e.model?.version ?? '?'))].sort();
    const match = sameName.find((e) => e.model?.version === wanted.version)?.model;
    const fix = `fix models in cell A1 (or deployment.location)`;
    if (match === undefined) {
      problems.push(
        `Model ${wanted.name} ${wanted.version} cannot be deployed in ${location}: ${offered.length > 0 ? `offered versions are ${offered.join(', ')}` : 'the region does not offer it'}; ${fix}.`,
      );
      continue;
    }
    const sku = (match.skus ?? []).find((s) => s.name === 'GlobalStandard');
    const skuGone = sku?.deprecationDate !== undefined && Date.parse(sku.deprecationDate) <= now;
    if (match.lifecycleStatus === 'Deprecated' || sku === undefined || skuGone) {
      const why =
        match.lifecycleStatus === 'Deprecated'
          ? 'it is retired'
          : sku === undefined
            ? 'it has no GlobalStandard SKU there'
            : `its GlobalStandard SKU was deprecated on ${sku.deprecationDate ?? '?'}`;
      problems.push(
        `Model ${wanted.name} ${wanted.version} cannot be deployed in ${location} (${why}); ${fix}.`,
      );
    } else if (match.lifecycleStatus === 'Deprecating') {
      notes.push(
        `Model ${wanted.name} ${wanted.version} is being deprecated in ${location}${sku.deprecationDate !== undefined ? ` (GlobalStandard until ${sku.deprecationDate})` : ''}: plan a newer version.`,
      );
    }
  }
}

/** Compares two ARM api-versions by date; a GA version is newer than a preview of the same date. */
export function compareApiVersions(a: string, b: string): number {
  const key = (v: string): string => `${v.slice(0, 10)}${v.length > 10 ? '0' : '1'}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** A GET that may 404: the value, or `undefined` when it is not there. */
async function found<T>(get: () => Promise<T>, action: string): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw toKitError(error, action);
  }
}

async function count<T>(list: () => AsyncIterable<T>): Promise<number> {
  let n = 0;
  try {
    for await (const _ of list()) n += 1;
  } catch (error) {
    // Tiers without workspaces or self-hosted gateways answer 400/404: nothing to report.
    if (hasStatus(error, 400) || hasStatus(error, 404)) return 0;
    throw toKitError(error, 'listing APIM workspaces and gateways');
  }
  return n;
}

/** Every `value` of a raw ARM list, following `nextLink` (at most 20 pages). */
async function listAll(
  arm: ArmSender,
  path: string,
  action: string,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let next: string | undefined = path;
  for (let page = 0; next !== undefined && page < 20; page += 1) {
    const url = new URL(next, 'https://management.azure.com');
    const version = url.searchParams.get('api-version') ?? COGNITIVE_API_VERSION;
    url.searchParams.delete('api-version');
    // armJson adds `?api-version=`; a nextLink's other parameters (skip tokens) follow it.
    const rest = url.searchParams.toString();
    const { status, body } = await armJson(
      arm,
      'GET',
      url.pathname,
      rest === '' ? version : `${version}&${rest}`,
      undefined,
      signal,
    );
    if (status !== 200) {
      const arm = parseArmError(body);
      throw new AzureRequestError(
        `Azure request failed while ${action} (${status}${arm !== undefined ? `, ${arm.code}: ${arm.message}` : ''}); run cell A2 again.`,
        status,
        arm?.code,
      );
    }
    const record = (body ?? {}) as { value?: unknown; nextLink?: unknown };
    if (Array.isArray(record.value)) out.push(...(record.value as Record<string, unknown>[]));
    next =
      typeof record.nextLink === 'string' && record.nextLink !== '' ? record.nextLink : undefined;
  }
  return out;
}
