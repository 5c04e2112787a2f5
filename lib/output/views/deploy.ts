/**
 * Cell A2's output: the deployment, endpoints and resources, BU and API keys masked.
 */
import { maskSecret } from '../../common/mask-secret.js';
import type { ApiEndpoint, Deployment } from '../../target.js';
import { showTable, type PlainTable } from '../tables.js';

/** The deployment as a two-column table (A2): endpoints, resources, BU keys masked. */
export function deploymentTable(d: Deployment): PlainTable {
  const rows: [string, string][] = [
    ['Target', d.target],
    ['Gateway URL', d.gatewayUrl],
    ...(d.apimGatewayUrl !== undefined
      ? [['APIM gateway (behind the public URL)', d.apimGatewayUrl] as [string, string]]
      : []),
    ['APIM', `${d.apimName} (${d.apimSku}), resource group ${d.resourceGroup}, ${d.location}`],
    ['Costing API', d.apis.costing.url],
    ['Entra ID API', withOwnKey(d.apis.entra)],
    ['Token-tracking API', withOwnKey(d.apis.tokenTracking)],
    ['AOAI gateway API', d.apis.aoai.url],
    ['App Insights', `${d.appInsights.name} (app id ${d.appInsights.appId})`],
    ['Log Analytics', `${d.logAnalytics.name} (workspace ${d.logAnalytics.workspaceId})`],
    ['Storage', `${d.storage.accountName} / ${d.storage.container}`],
    [
      'AOAI',
      d.aoai
        ? `${d.aoai.emulated ? 'emulated' : 'Azure OpenAI'} at ${d.aoai.backendUrl}: ${d.aoai.deployments
            .map((m) => `${m.deploymentName} (${m.modelVersion}, ${m.capacityKTpm}K TPM)`)
            .join(', ')}`
        : 'none deployed (D2 uses the mock response)',
    ],
    ...d.subscriptions.map((s): [string, string] => [
      `Subscription ${s.id}`,
      `${s.displayName}, key ${maskSecret(s.primaryKey)}`,
    ]),
  ];
  return { columns: ['Item', 'Value'], rows };
}

/** An API's URL and, when it has one, its own subscription (not a BU's), key masked. */
function withOwnKey(api: ApiEndpoint): string {
  return api.subscription
    ? `${api.url} (own subscription ${api.subscription.id}, key ${maskSecret(api.subscription.primaryKey)})`
    : api.url;
}

/** Shows the deployment (A2). */
export function showDeployment(d: Deployment): void {
  showTable(deploymentTable(d), { title: `Deployment (${d.target})` });
}
