/**
 * Names of everything the kit makes in Azure. They are derived from the configuration (and the
 * subscription, for globally unique names), never random, so a second run of `create.ipynb`
 * updates in place and `clean-up.ipynb` finds exactly what the first run made.
 */
import { BUDGET_FRAGMENT_ID } from '../config/budget-limits.js';
import { createHash } from 'node:crypto';
import type { KitConfig } from '../config/types.js';
import { BYO_RESOURCE_TYPES, parseResourceId, type ArmResourceRef } from '../config/byo.js';

/** The tag the kit puts on every resource (and resource group) it creates; value = config index. */
export const KIT_TAG = 'apim-costing-kit';

/** Built-in role: Storage Blob Data Contributor (PROTOCOLS 7.7). */
export const STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';

/** Resource names of one kit deployment. */
export interface AzureResourceNames {
  subscriptionId: string;
  resourceGroup: string;
  apimName: string;
  /** Resource group of the APIM service and its entities (the existing APIM's, else resourceGroup). */
  apimResourceGroup: string;
  workspaceName: string;
  appInsightsName: string;
  /** The Log Analytics workspace: the user's (`existing`, never deleted) or the kit's. */
  workspace: ArmResourceRef & { existing: boolean };
  /** The Application Insights component: the user's (`existing`, never deleted) or the kit's. */
  appInsights: ArmResourceRef & { existing: boolean };
  apimLoggerName: string;
  diagnosticSettingName: string;
  storageAccountName: string;
  costExportContainer: string;
  aiServicesName: string;
  /** Foundry project under the AI Services account (bicep/modules/foundry.bicep). */
  foundryProjectName: string;
  aoaiBackendId: string;
  workbookName: string;
  workbookDisplayName: string;
  costExportName: string;
  /** Data collection endpoint and rule of `ApimCostAllocation_CL` (cell E4 ingests through them). */
  dataCollectionEndpointName: string;
  dataCollectionRuleName: string;
  actionGroupName: string;
  actionGroupShortName: string;
  infraDeploymentName: string;
  mainDeploymentName: string;
  policyFragmentIds: readonly string[];
  /** Alert rule name of one BU. */
  alertRuleName(buName: string): string;
}

/**
 * A name-based (version 5 style, SHA-1) GUID: the same inputs always give the same GUID.
 * @example deterministicGuid('sub', 'rg', 'apim-costing-workbook')
 */
export function deterministicGuid(...parts: string[]): string {
  const bytes = createHash('sha1').update(parts.join('\u001f')).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The names of everything the kit makes for this configuration in this subscription.
 * @example const names = azureResourceNames(config, '00000000-0000-0000-0000-000000000000');
 */
export function azureResourceNames(config: KitConfig, subscriptionId: string): AzureResourceNames {
  const { index, resourceGroup } = config.deployment;
  // Storage and APIM names are global DNS names: a short hash keeps them unique per subscription/RG.
  const suffix = createHash('sha256')
    .update(`${subscriptionId.toLowerCase()}/${resourceGroup.toLowerCase()}/${index}`)
    .digest('hex')
    .slice(0, 8);
  const own = (type: string, name: string): ArmResourceRef & { existing: boolean } => ({
    id: resourceId({ subscriptionId, resourceGroup }, type, name),
    subscriptionId,
    resourceGroup,
    name,
    existing: false,
  });
  const byo = (
    given: string | undefined,
    type: string,
    name: string,
  ): ArmResourceRef & { existing: boolean } => {
    const ref = given === undefined ? undefined : parseResourceId(given, type);
    return ref === undefined ? own(type, name) : { ...ref, existing: true };
  };
  const workspace = byo(
    config.deployment.logAnalyticsWorkspaceId,
    BYO_RESOURCE_TYPES.logAnalyticsWorkspaceId,
    `log-apim-costing-${index}`,
  );
  const appInsights = byo(
    config.deployment.appInsightsId,
    BYO_RESOURCE_TYPES.appInsightsId,
    `appi-apim-costing-${index}`,
  );
  return {
    subscriptionId,
    resourceGroup,
    apimName: config.deployment.apimName ?? `apim-costing-${index}-${suffix}`,
    apimResourceGroup: config.deployment.apimResourceGroup ?? resourceGroup,
    workspaceName: workspace.name,
    appInsightsName: appInsights.name,
    workspace,
    appInsights,
    // Namespaced: `appinsights-logger` is a common name on existing services (issue 15).
    apimLoggerName: `apim-costing-logger-${index}`,
    diagnosticSettingName: 'apim-costing-logs',
    storageAccountName: `stcost${index}${suffix}`.slice(0, 24),
    costExportContainer: 'cost-exports',
    aiServicesName: `ais-costing-${index}-${suffix}`,
    foundryProjectName: `proj-apim-costing-${index}`,
    aoaiBackendId: 'aoai-backend',
    workbookName: deterministicGuid(
      subscriptionId.toLowerCase(),
      resourceGroup.toLowerCase(),
      'apim-costing-workbook',
      String(index),
    ),
    workbookDisplayName: `APIM Costing & Showback (${index})`,
    costExportName: `apim-costing-export-${index}`,
    dataCollectionEndpointName: `dce-apim-costing-${index}`,
    dataCollectionRuleName: `dcr-apim-costing-allocation-${index}`,
    actionGroupName: `ag-apim-costing-${index}`,
    actionGroupShortName: `apimcost${index}`.slice(0, 12),
    infraDeploymentName: `apim-costing-infra-${index}`,
    mainDeploymentName: `apim-costing-main-${index}`,
    // The budget fragment (issue 18) is deployed with the AOAI gateway (modules/budget-limits.bicep).
    policyFragmentIds: ['extract-caller-id', 'ensure-stream-include-usage', BUDGET_FRAGMENT_ID],
    alertRuleName: (buName: string) => `alert-apim-costing-${index}-${buName}`,
  };
}

/** The tags of every resource the kit creates: the user's tags plus the kit marker. */
export function kitTags(config: KitConfig): Record<string, string> {
  return { ...config.deployment.tags, [KIT_TAG]: String(config.deployment.index) };
}

/** Whether a resource's tags carry this configuration's kit marker. */
export function hasKitTag(
  tags: Readonly<Record<string, string>> | undefined,
  config: KitConfig,
): boolean {
  return tags?.[KIT_TAG] === String(config.deployment.index);
}

/** The names with the APIM's resource group: ids of the APIM service and its entities. */
export function apimScope(
  names: Pick<AzureResourceNames, 'subscriptionId' | 'apimResourceGroup'>,
): Pick<AzureResourceNames, 'subscriptionId' | 'resourceGroup'> {
  return { subscriptionId: names.subscriptionId, resourceGroup: names.apimResourceGroup };
}

/** ARM id of a resource-group resource. */
export function resourceId(
  names: Pick<AzureResourceNames, 'subscriptionId' | 'resourceGroup'>,
  type: string,
  ...nameSegments: string[]
): string {
  const [namespace, ...types] = type.split('/');
  let id = `/subscriptions/${names.subscriptionId}/resourceGroups/${names.resourceGroup}/providers/${namespace}`;
  types.forEach((t, i) => {
    id += `/${t}/${nameSegments[i] ?? ''}`;
  });
  return id;
}

/**
 * A resource id as the generated SDKs' `/{+resourceId}` and `/{scope}` URL templates expect it:
 * without the leading slash (with it, the request path would start with `//`).
 */
export function idForSdk(id: string): string {
  return id.replace(/^\/+/, '');
}
