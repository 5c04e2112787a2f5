/**
 * `clean-up.ipynb` on Azure: deletes exactly what `create.ipynb` made, found by name (and, for
 * top-level resources, by the kit tag), with a dry-run listing first. It never deletes an APIM
 * service or resource group the kit did not create.
 */
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { CostManagementClient } from '@azure/arm-costmanagement';
import type { KitConfig } from '../config/types.js';
import type { CleanUpItem, CleanUpOptions } from '../target.js';
import { hasStatus, toKitError } from './azure-errors.js';
import {
  hasKitTag,
  idForSdk,
  KIT_TAG,
  resourceId,
  type AzureResourceNames,
} from './resource-names.js';

/** APIM REST version for the service and its child entities. */
const APIM_API_VERSION = '2024-05-01';

/** One thing clean-up looks for. */
interface Candidate {
  kind: string;
  name: string;
  id: string;
  apiVersion: string;
  /** Top-level resources must carry the kit tag; APIM child entities have no tags. */
  tagged: boolean;
  /** APIM entities delete only with an `If-Match` header (`*` = unconditional). */
  ifMatch?: boolean;
  /** Never delete, with this reason (an APIM the user brought). */
  keep?: string;
  /** A note for the report when deleted. */
  note?: string;
}

/** What the clean-up works with. */
export interface CleanUpContext {
  config: KitConfig;
  names: AzureResourceNames;
  resources: ResourceManagementClient;
  costManagement: CostManagementClient;
}

/** Everything the kit may have made for this configuration, in deletion order. */
export function cleanUpCandidates(config: KitConfig, names: AzureResourceNames): Candidate[] {
  const id = (type: string, ...segments: string[]): string => resourceId(names, type, ...segments);
  const apim = names.apimName;
  const apiIds = ['subscription-api', 'entraid-api', 'token-tracking-api', 'aoai-gateway-api'].map(
    (s) => `${config.deployment.apiPrefix}${s}`,
  );
  const list: Candidate[] = [
    ...config.businessUnits.map((bu) => ({
      kind: 'alert rule',
      name: names.alertRuleName(bu.name),
      id: id('Microsoft.Insights/scheduledQueryRules', names.alertRuleName(bu.name)),
      apiVersion: '2023-12-01',
      tagged: true,
    })),
    {
      kind: 'action group',
      name: names.actionGroupName,
      id: id('Microsoft.Insights/actionGroups', names.actionGroupName),
      apiVersion: '2022-06-01',
      tagged: true,
    },
    {
      kind: 'workbook',
      name: names.workbookDisplayName,
      id: id('Microsoft.Insights/workbooks', names.workbookName),
      apiVersion: '2023-06-01',
      tagged: true,
    },
    ...config.businessUnits.map((bu) => ({
      kind: 'APIM subscription',
      name: bu.name,
      id: id('Microsoft.ApiManagement/service/subscriptions', apim, bu.name),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    })),
    ...apiIds.map((apiId) => ({
      kind: 'APIM API',
      name: apiId,
      id: id('Microsoft.ApiManagement/service/apis', apim, apiId),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    })),
    ...names.policyFragmentIds.map((f) => ({
      kind: 'APIM policy fragment',
      name: f,
      id: id('Microsoft.ApiManagement/service/policyFragments', apim, f),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    })),
    {
      kind: 'APIM backend',
      name: names.aoaiBackendId,
      id: id('Microsoft.ApiManagement/service/backends', apim, names.aoaiBackendId),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    },
    {
      kind: 'APIM diagnostic setting',
      name: names.diagnosticSettingName,
      id: `${id('Microsoft.ApiManagement/service', apim)}/providers/Microsoft.Insights/diagnosticSettings/${names.diagnosticSettingName}`,
      apiVersion: '2021-05-01-preview',
      tagged: false,
    },
    {
      kind: 'APIM logger',
      name: names.apimLoggerName,
      id: id('Microsoft.ApiManagement/service/loggers', apim, names.apimLoggerName),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    },
    {
      kind: 'Azure AI Services',
      name: names.aiServicesName,
      id: id('Microsoft.CognitiveServices/accounts', names.aiServicesName),
      apiVersion: '2024-10-01',
      tagged: true,
      note: 'soft-deleted by Azure for 48 hours; purge it in the portal to reuse the name sooner',
    },
    {
      kind: 'storage account',
      name: names.storageAccountName,
      id: id('Microsoft.Storage/storageAccounts', names.storageAccountName),
      apiVersion: '2023-05-01',
      tagged: true,
    },
    {
      kind: 'Application Insights',
      name: names.appInsightsName,
      id: id('Microsoft.Insights/components', names.appInsightsName),
      apiVersion: '2020-02-02',
      tagged: true,
    },
    {
      kind: 'Log Analytics workspace',
      name: names.workspaceName,
      id: id('Microsoft.OperationalInsights/workspaces', names.workspaceName),
      apiVersion: '2023-09-01',
      tagged: true,
    },
    // Deployment history: the two template deployments (tagged) and their modules (by name).
    ...[
      { name: names.mainDeploymentName, tagged: true },
      { name: names.infraDeploymentName, tagged: true },
      { name: 'apim-costing-foundry', tagged: false },
      { name: 'apim-costing-apim-service', tagged: false },
    ].map((d) => ({
      kind: 'deployment record',
      name: d.name,
      id: id('Microsoft.Resources/deployments', d.name),
      apiVersion: '2025-04-01',
      tagged: d.tagged,
    })),
    {
      kind: 'APIM service',
      name: apim,
      id: id('Microsoft.ApiManagement/service', apim),
      apiVersion: APIM_API_VERSION,
      tagged: true,
      note: 'soft-deleted by Azure for 48 hours; purge it in the portal to reuse the name sooner',
      ...(config.deployment.existingApim
        ? { keep: 'it is the existing APIM named in deployment.apimName; the kit never deletes it' }
        : {}),
    },
  ];
  return list;
}

/**
 * Lists (dry run, the default) or deletes what the kit made.
 * @returns one item per thing found: `would-delete`, `deleted`, `already-gone` or `kept` (with the reason).
 */
export async function cleanUpAzure(
  context: CleanUpContext,
  options: CleanUpOptions = {},
): Promise<CleanUpItem[]> {
  const dryRun = options.dryRun ?? true;
  const { config, names, resources } = context;
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const items: CleanUpItem[] = [];

  let rgTags: Record<string, string> | undefined;
  try {
    const rg = await resources.resourceGroups.get(names.resourceGroup, abort);
    rgTags = rg.tags ?? {};
  } catch (error) {
    if (!hasStatus(error, 404))
      throw toKitError(error, `reading resource group '${names.resourceGroup}'`);
  }

  items.push(await cleanUpExport(context, dryRun, options));
  if (rgTags === undefined) {
    items.push({
      kind: 'resource group',
      name: names.resourceGroup,
      action: 'already-gone',
      reason: 'the resource group does not exist',
    });
    return items;
  }

  const scheduled = new Set<string>();
  const candidates = cleanUpCandidates(config, names);
  for (const [i, candidate] of candidates.entries()) {
    options.onProgress?.({
      message: `${dryRun ? 'Checking' : 'Removing'} ${candidate.kind} ${candidate.name}`,
      done: i,
      total: candidates.length,
    });
    let tags: Record<string, string> | undefined;
    try {
      const found = await resources.resources.getById(
        idForSdk(candidate.id),
        candidate.apiVersion,
        abort,
      );
      tags = found.tags;
    } catch (error) {
      if (hasStatus(error, 404)) {
        items.push({ kind: candidate.kind, name: candidate.name, action: 'already-gone' });
        continue;
      }
      throw toKitError(error, `reading ${candidate.kind} '${candidate.name}'`);
    }
    if (candidate.keep !== undefined) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: candidate.keep,
      });
      continue;
    }
    if (candidate.tagged && !hasKitTag(tags, config)) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: `it has no '${KIT_TAG}=${config.deployment.index}' tag, so the kit did not create it`,
      });
      continue;
    }
    scheduled.add(candidate.id.toLowerCase());
    if (dryRun) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'would-delete',
        ...(candidate.note !== undefined ? { reason: candidate.note } : {}),
      });
      continue;
    }
    try {
      await resources.resources.deleteById(idForSdk(candidate.id), candidate.apiVersion, {
        ...abort,
        ...(candidate.ifMatch === true ? { requestOptions: { headers: { 'If-Match': '*' } } } : {}),
      });
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'deleted',
        ...(candidate.note !== undefined ? { reason: candidate.note } : {}),
      });
    } catch (error) {
      if (hasStatus(error, 404))
        items.push({ kind: candidate.kind, name: candidate.name, action: 'already-gone' });
      else throw toKitError(error, `deleting ${candidate.kind} '${candidate.name}'`);
    }
  }

  items.push(await cleanUpResourceGroup(context, rgTags, scheduled, dryRun, abort));
  return items;
}

async function cleanUpExport(
  context: CleanUpContext,
  dryRun: boolean,
  options: CleanUpOptions,
): Promise<CleanUpItem> {
  const { names, costManagement } = context;
  const scope = `subscriptions/${names.subscriptionId}`;
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const item = { kind: 'Cost Management export', name: names.costExportName };
  try {
    await costManagement.exports.get(scope, names.costExportName, abort);
  } catch (error) {
    if (hasStatus(error, 404)) return { ...item, action: 'already-gone' };
    throw toKitError(error, `reading Cost Management export '${names.costExportName}'`);
  }
  if (dryRun) return { ...item, action: 'would-delete' };
  try {
    await costManagement.exports.delete(scope, names.costExportName, abort);
  } catch (error) {
    if (hasStatus(error, 404)) return { ...item, action: 'already-gone' };
    throw toKitError(error, `deleting Cost Management export '${names.costExportName}'`);
  }
  return { ...item, action: 'deleted' };
}

/** The resource group goes only when the kit created it and nothing else is left in it. */
async function cleanUpResourceGroup(
  context: CleanUpContext,
  rgTags: Record<string, string>,
  scheduled: Set<string>,
  dryRun: boolean,
  abort: { abortSignal?: AbortSignal },
): Promise<CleanUpItem> {
  const { config, names, resources } = context;
  const item = { kind: 'resource group', name: names.resourceGroup };
  if (!hasKitTag(rgTags, config))
    return { ...item, action: 'kept', reason: 'the kit did not create this resource group' };
  const others: string[] = [];
  try {
    for await (const r of resources.resources.listByResourceGroup(names.resourceGroup, abort)) {
      const id = (r.id ?? '').toLowerCase();
      // In a dry run, what is scheduled still exists; after deletion, soft-deleted leftovers do not list.
      if (!(dryRun && scheduled.has(id))) others.push(r.name ?? id);
    }
  } catch (error) {
    throw toKitError(error, `listing resource group '${names.resourceGroup}'`);
  }
  if (others.length > 0) {
    return {
      ...item,
      action: 'kept',
      reason: `it still holds ${others.length} resource(s) the kit did not delete: ${others.slice(0, 5).join(', ')}`,
    };
  }
  if (dryRun)
    return {
      ...item,
      action: 'would-delete',
      reason: 'the kit created it and nothing else is in it',
    };
  try {
    await resources.resourceGroups.delete(names.resourceGroup, abort);
  } catch (error) {
    if (hasStatus(error, 404)) return { ...item, action: 'already-gone' };
    throw toKitError(error, `deleting resource group '${names.resourceGroup}'`);
  }
  return { ...item, action: 'deleted' };
}
