/**
 * The names and ids the emulated resources carry in the log rows and the deployment (cell A2):
 * stable across runs, shaped like Azure's.
 */
import { createHash } from 'node:crypto';
import type { KitConfig } from '../config/types.js';

/** A stable GUID-shaped id derived from text (the emulated resources have no real ids). */
function stableGuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The emulated resources' names and ids for this configuration. */
export function resourceIds(config: KitConfig, apimName: string) {
  const subscriptionId = config.azure.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const rg = `/subscriptions/${subscriptionId}/resourceGroups/${config.deployment.resourceGroup}/providers`;
  const index = config.deployment.index;
  const workspaceName = `log-costing-local-${index}`;
  const appInsightsName = `appi-costing-local-${index}`;
  return {
    subscriptionId,
    apimResourceId: `${rg}/Microsoft.ApiManagement/service/${apimName}`.toUpperCase(),
    workspaceName,
    workspaceId: stableGuid(`workspace:${apimName}`),
    workspaceResourceId: `${rg}/Microsoft.OperationalInsights/workspaces/${workspaceName}`,
    appInsightsName,
    appInsightsAppId: stableGuid(`appinsights:${apimName}`),
    appInsightsResourceId: `${rg}/Microsoft.Insights/components/${appInsightsName}`,
    iKey: stableGuid(`ikey:${apimName}`),
    storageAccount: `stcostinglocal${index}`,
  };
}

const REGIONS: Record<string, string> = {
  eastus: 'East US',
  eastus2: 'East US 2',
  westus: 'West US',
  westus2: 'West US 2',
  westus3: 'West US 3',
  centralus: 'Central US',
  northcentralus: 'North Central US',
  southcentralus: 'South Central US',
  westeurope: 'West Europe',
  northeurope: 'North Europe',
  uksouth: 'UK South',
  swedencentral: 'Sweden Central',
  francecentral: 'France Central',
  germanywestcentral: 'Germany West Central',
  japaneast: 'Japan East',
  australiaeast: 'Australia East',
  canadaeast: 'Canada East',
};

/** The display name Azure logs for a region (`eastus2` is logged as `East US 2`). */
export function regionName(location: string): string {
  return REGIONS[location] ?? location;
}

/** The emulated resources the export bills, with Azure-shaped ids. */
export function billedResources(config: KitConfig, apimName: string) {
  const ids = resourceIds(config, apimName);
  const rg = `/subscriptions/${ids.subscriptionId}/resourceGroups/${config.deployment.resourceGroup}/providers`;
  const aoaiName = `aoai-costing-local-${config.deployment.index}`;
  return {
    subscriptionId: ids.subscriptionId,
    resourceGroup: config.deployment.resourceGroup,
    region: config.deployment.location,
    regionName: regionName(config.deployment.location),
    apim: { id: `${rg}/Microsoft.ApiManagement/service/${apimName}`, name: apimName },
    aoai: { id: `${rg}/Microsoft.CognitiveServices/accounts/${aoaiName}`, name: aoaiName },
    workspace: { id: ids.workspaceResourceId, name: ids.workspaceName },
    appInsights: { id: ids.appInsightsResourceId, name: ids.appInsightsName },
    storage: {
      id: `${rg}/Microsoft.Storage/storageAccounts/${ids.storageAccount}`,
      name: ids.storageAccount,
    },
  };
}
