/**
 * `clean-up.ipynb` on Azure: deletes exactly what `create.ipynb` made, found by name (and, for
 * top-level resources, by the kit tag), with a dry-run listing first. It never deletes an APIM
 * service or resource group the kit did not create.
 */
import { forecastAlertRuleName } from './forecast-alerts.js';
import { BUDGET_NAMED_VALUES } from '../config/budget-limits.js';
import type { KitConfig } from '../config/types.js';
import type { CleanUpItem, CleanUpOptions } from '../target.js';
import { hasStatus, toKitError } from './azure-errors.js';
import { COGNITIVE_API_VERSION, KIT_MARKER } from './preflight.js';
import {
  hasKitTag,
  idForSdk,
  KIT_TAG,
  apimScope,
  resourceId,
  type AzureResourceNames,
} from './resource-names.js';
import {
  cleanUpExport,
  cleanUpResourceGroup,
  mainDeploymentParameters,
  purgeSoftDeleted,
  type Candidate,
  type CleanUpContext,
} from './clean-up-steps.js';

export type { CleanUpContext } from './clean-up-steps.js';

/** APIM REST version for the service and its child entities. */
const APIM_API_VERSION = '2024-05-01';

const SOFT_DELETE_NOTE =
  'soft-deleted by Azure for 48 hours; clean up with purgeSoftDeleted: true to reuse the name sooner';

/** Everything the kit may have made for this configuration, in deletion order. */
export function cleanUpCandidates(config: KitConfig, names: AzureResourceNames): Candidate[] {
  const id = (type: string, ...segments: string[]): string => resourceId(names, type, ...segments);
  // The APIM and its entities live in the APIM's resource group (another one for a user's APIM).
  const apimId = (type: string, ...segments: string[]): string =>
    resourceId(apimScope(names), type, ...segments);
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
    ...config.businessUnits
      .filter((bu) => config.budgets.businessUnits[bu.name]?.monthlyBudgetUsd !== undefined)
      .map((bu) => ({
        kind: 'alert rule',
        name: forecastAlertRuleName(names, bu.name),
        id: id('Microsoft.Insights/scheduledQueryRules', forecastAlertRuleName(names, bu.name)),
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
      id: apimId('Microsoft.ApiManagement/service/subscriptions', apim, bu.name),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    })),
    ...apiIds.map((apiId) => ({
      kind: 'APIM API',
      name: apiId,
      id: apimId('Microsoft.ApiManagement/service/apis', apim, apiId),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    })),
    ...names.policyFragmentIds.map((f) => ({
      kind: 'APIM policy fragment',
      name: f,
      id: apimId('Microsoft.ApiManagement/service/policyFragments', apim, f),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
      marker: true,
    })),
    // The budget fragment's named values (issue 18): untaggable by ARM tags, so tagged: false;
    // they carry the APIM tag 'apim-costing' and go with a kit-made APIM anyway.
    ...Object.values(BUDGET_NAMED_VALUES).map((nv) => ({
      kind: 'APIM named value',
      name: nv,
      id: apimId('Microsoft.ApiManagement/service/namedValues', apim, nv),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    })),
    // On a kit-made APIM it goes with the service; on the user's, only if the kit made it.
    ...(config.deployment.existingApim
      ? [
          {
            kind: 'APIM service diagnostic',
            name: 'azuremonitor',
            id: apimId('Microsoft.ApiManagement/service/diagnostics', apim, 'azuremonitor'),
            apiVersion: APIM_API_VERSION,
            tagged: false,
            ifMatch: true,
            deployedWhen: 'deployServiceDiagnostic',
          },
        ]
      : []),
    {
      kind: 'APIM backend',
      name: names.aoaiBackendId,
      id: apimId('Microsoft.ApiManagement/service/backends', apim, names.aoaiBackendId),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
    },
    {
      kind: 'APIM diagnostic setting',
      name: names.diagnosticSettingName,
      id: `${apimId('Microsoft.ApiManagement/service', apim)}/providers/Microsoft.Insights/diagnosticSettings/${names.diagnosticSettingName}`,
      apiVersion: '2021-05-01-preview',
      tagged: false,
    },
    {
      kind: 'APIM logger',
      name: names.apimLoggerName,
      id: apimId('Microsoft.ApiManagement/service/loggers', apim, names.apimLoggerName),
      apiVersion: APIM_API_VERSION,
      tagged: false,
      ifMatch: true,
      marker: true,
    },
    // Goes with its account; listed first so the report names what the user opened in Foundry.
    {
      kind: 'Foundry project',
      name: names.foundryProjectName,
      id: id(
        'Microsoft.CognitiveServices/accounts/projects',
        names.aiServicesName,
        names.foundryProjectName,
      ),
      apiVersion: COGNITIVE_API_VERSION,
      tagged: true,
    },
    {
      kind: 'Azure AI Services',
      name: names.aiServicesName,
      id: id('Microsoft.CognitiveServices/accounts', names.aiServicesName),
      apiVersion: COGNITIVE_API_VERSION,
      tagged: true,
      note: SOFT_DELETE_NOTE,
      softDeleted: {
        id: `/subscriptions/${names.subscriptionId}/providers/Microsoft.CognitiveServices/locations/${config.deployment.location}/resourceGroups/${names.resourceGroup}/deletedAccounts/${names.aiServicesName}`,
        apiVersion: COGNITIVE_API_VERSION,
      },
    },
    {
      kind: 'storage account',
      name: names.storageAccountName,
      id: id('Microsoft.Storage/storageAccounts', names.storageAccountName),
      apiVersion: '2025-06-01',
      tagged: true,
    },
    // A workspace or App Insights named in cell A1 is the user's: listed, never deleted.
    {
      kind: 'Application Insights',
      name: names.appInsights.name,
      id: names.appInsights.id,
      apiVersion: '2020-02-02',
      tagged: true,
      ...(names.appInsights.existing
        ? { keep: 'it is the existing Application Insights named in deployment.appInsightsId' }
        : {}),
    },
    {
      kind: 'Log Analytics workspace',
      name: names.workspace.name,
      id: names.workspace.id,
      apiVersion: '2025-07-01',
      tagged: true,
      ...(names.workspace.existing
        ? {
            keep: 'it is the existing Log Analytics workspace named in deployment.logAnalyticsWorkspaceId',
          }
        : {}),
    },
    // Deployment history: the two template deployments (tagged) and their modules (by name);
    // main and the modules on the APIM are in the APIM's resource group.
    ...[
      { name: names.mainDeploymentName, tagged: true, onApim: true },
      { name: names.infraDeploymentName, tagged: true, onApim: false },
      { name: 'apim-costing-foundry', tagged: false, onApim: false },
      { name: 'apim-costing-kit-resources', tagged: false, onApim: false },
      { name: 'apim-costing-apim-service', tagged: false, onApim: false },
      { name: 'apim-costing-apim-monitoring', tagged: false, onApim: true },
    ].map((d) => ({
      kind: 'deployment record',
      name: d.name,
      id: (d.onApim ? apimId : id)('Microsoft.Resources/deployments', d.name),
      apiVersion: '2025-04-01',
      tagged: d.tagged,
    })),
    {
      kind: 'APIM service',
      name: apim,
      id: apimId('Microsoft.ApiManagement/service', apim),
      apiVersion: APIM_API_VERSION,
      tagged: true,
      note: SOFT_DELETE_NOTE,
      softDeleted: {
        id: `/subscriptions/${names.subscriptionId}/providers/Microsoft.ApiManagement/locations/${config.deployment.location}/deletedservices/${apim}`,
        apiVersion: APIM_API_VERSION,
      },
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
  const kitParameters = await mainDeploymentParameters(context, abort);
  const softDeleted: { candidate: Candidate; deletedNow: boolean }[] = [];
  for (const [i, candidate] of candidates.entries()) {
    options.onProgress?.({
      message: `${dryRun ? 'Checking' : 'Removing'} ${candidate.kind} ${candidate.name}`,
      done: i,
      total: candidates.length,
    });
    let tags: Record<string, string> | undefined;
    let description: string;
    try {
      const found = await resources.resources.getById(
        idForSdk(candidate.id),
        candidate.apiVersion,
        abort,
      );
      tags = found.tags;
      const props = found.properties as { description?: unknown } | undefined;
      description = typeof props?.description === 'string' ? props.description : '';
    } catch (error) {
      if (hasStatus(error, 404)) {
        if (candidate.softDeleted !== undefined) softDeleted.push({ candidate, deletedNow: false });
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
    if (candidate.marker === true && !description.startsWith(KIT_MARKER)) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: `its description does not start with '${KIT_MARKER}', so the kit did not make it`,
      });
      continue;
    }
    if (candidate.deployedWhen !== undefined && kitParameters[candidate.deployedWhen] !== true) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: 'it was there before the kit (its deployment did not create it)',
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
    if (candidate.softDeleted !== undefined) softDeleted.push({ candidate, deletedNow: true });
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

  items.push(...(await purgeSoftDeleted(context, softDeleted, options, dryRun, abort)));
  items.push(await cleanUpResourceGroup(context, rgTags, scheduled, dryRun, abort));
  return items;
}
