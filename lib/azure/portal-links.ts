/**
 * Azure portal links of what the kit deployed (cell E3 and the end of cell F).
 */
import type { Deployment, PortalLink } from '../target.js';
import { apimScope, resourceId, type AzureResourceNames } from './resource-names.js';

/**
 * Foundry portal URL of a Foundry project (or account): `wsid` is its ARM id, `tid` the tenant,
 * so the portal opens the right directory and the project with its model deployments.
 */
export function foundryPortalUrl(id: string, tenantId?: string): string {
  return `https://ai.azure.com/resource/overview?wsid=${id}${tenantId !== undefined ? `&tid=${tenantId}` : ''}`;
}

/** Portal URL of one resource id (with the tenant, so the portal opens the right directory). */
export function portalResourceUrl(id: string, tenantId?: string): string {
  return `https://portal.azure.com/#${tenantId !== undefined ? `@${tenantId}` : ''}/resource${id}`;
}

/**
 * Links to the resource group, APIM, App Insights, Log Analytics, storage, the workbook and,
 * with Foundry, the project (Foundry portal and Azure portal) and the AI Services account.
 * @example portalLinks(deployment, names).map((l) => `${l.label}: ${l.url}`)
 */
export function portalLinks(
  deployment: Deployment,
  names: AzureResourceNames,
  tenantId?: string,
): PortalLink[] {
  const rgId = `/subscriptions/${names.subscriptionId}/resourceGroups/${names.resourceGroup}`;
  const link = (label: string, id: string, suffix = ''): PortalLink => ({
    label,
    url: `${portalResourceUrl(id, tenantId)}${suffix}`,
  });
  const foundry = deployment.aoai?.foundry;
  const foundryLinks: PortalLink[] =
    foundry === undefined
      ? []
      : [
          {
            label: `Foundry project ${foundry.projectName} (Foundry portal)`,
            url: foundryPortalUrl(foundry.projectId, tenantId),
          },
          link(`Foundry project ${foundry.projectName} (Azure portal)`, foundry.projectId),
          link('Azure AI Services (model deployments)', foundry.accountId),
        ];
  return [
    link('Resource group', rgId),
    link(
      'API Management',
      resourceId(apimScope(names), 'Microsoft.ApiManagement/service', deployment.apimName),
    ),
    link('Application Insights', deployment.appInsights.resourceId),
    link('Log Analytics', deployment.logAnalytics.resourceId, '/logs'),
    link(
      'Storage (cost exports)',
      resourceId(names, 'Microsoft.Storage/storageAccounts', deployment.storage.accountName),
    ),
    link(
      'Workbook',
      resourceId(names, 'Microsoft.Insights/workbooks', names.workbookName),
      '/workbook',
    ),
    ...foundryLinks,
    {
      label: 'Cost Management exports',
      url: `https://portal.azure.com/#view/Microsoft_Azure_CostManagement/Menu/~/exports/scope/${encodeURIComponent(`/subscriptions/${names.subscriptionId}`)}`,
    },
  ];
}
