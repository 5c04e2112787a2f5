/**
 * What clean-up looks for on Azure: everything the kit may have made for a configuration, by name
 * and resource group, in deletion order, with what it keeps (a user's APIM, workspace, App Insights).
 */
import { forecastAlertRuleName } from './forecast-alerts.js';
import { BUDGET_NAMED_VALUES } from '../config/budget-limits.js';
import type { KitConfig } from '../config/types.js';
import { ALLOCATION_TABLE } from '../common/focus.js';
import { COGNITIVE_API_VERSION } from './preflight.js';
import { apimScope, resourceId, type AzureResourceNames } from './resource-names.js';
import type { Candidate } from './clean-up-steps.js';

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
  // E4's ingestion path is deployed beside the workspace (the user's group when it is reused).
  const workspaceScope = {
    subscriptionId: names.workspace.subscriptionId,
    resourceGroup: names.workspace.resourceGroup,
  };
  const ingestionId = (type: string, ...segments: string[]): string =>
    resourceId(workspaceScope, type, ...segments);
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
    // Cell E4's ingestion path: the rule first (it names the endpoint), then the endpoint.
    {
      kind: 'data collection rule',
      name: names.dataCollectionRuleName,
      id: ingestionId('Microsoft.Insights/dataCollectionRules', names.dataCollectionRuleName),
      apiVersion: '2024-03-11',
      tagged: true,
    },
    {
      kind: 'data collection endpoint',
      name: names.dataCollectionEndpointName,
      id: ingestionId(
        'Microsoft.Insights/dataCollectionEndpoints',
        names.dataCollectionEndpointName,
      ),
      apiVersion: '2024-03-11',
      tagged: true,
    },
    // Deleting the table deletes its rows: a purge would leave the table, needs the Data Purger
    // role and takes days. Tables carry no tags; the name is the kit's own.
    {
      kind: 'custom table',
      name: ALLOCATION_TABLE,
      id: ingestionId(
        'Microsoft.OperationalInsights/workspaces/tables',
        names.workspace.name,
        ALLOCATION_TABLE,
      ),
      apiVersion: '2025-07-01',
      tagged: false,
      note: 'its allocation rows are deleted with it',
    },
    {
      kind: 'storage account',
      name: names.storageAccountName,
      id: id('Microsoft.Storage/storageAccounts', names.storageAccountName),
      apiVersion: '2025-06-01',
      tagged: true,
      note: `the Cost Management export files in container ${names.costExportContainer} are deleted with it`,
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
      { name: names.mainDeploymentName, tagged: true, at: apimId },
      { name: names.infraDeploymentName, tagged: true, at: id },
      { name: 'apim-costing-foundry', tagged: false, at: id },
      { name: 'apim-costing-kit-resources', tagged: false, at: id },
      { name: 'apim-costing-apim-service', tagged: false, at: id },
      { name: 'apim-costing-apim-monitoring', tagged: false, at: apimId },
      { name: 'cost-allocation', tagged: false, at: ingestionId },
    ].map((d) => ({
      kind: 'deployment record',
      name: d.name,
      id: d.at('Microsoft.Resources/deployments', d.name),
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
