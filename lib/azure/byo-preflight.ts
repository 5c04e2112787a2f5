/**
 * The preflight of bring-your-own infrastructure (issue 13, item 10): the Log Analytics workspace
 * and Application Insights named in cell A1 exist where their ids say, before any ARM write.
 * The APIM's own check (it exists in `deployment.apimResourceGroup`) is in `preflight.ts`.
 */
import type { KitConfig } from '../config/types.js';
import { armJson, type ArmSender } from './azure-clients.js';
import { parseArmError } from './azure-errors.js';
import type { AzureResourceNames } from './resource-names.js';

/** REST versions of the reads (the versions the templates use). */
const WORKSPACE_API_VERSION = '2025-07-01';
const APP_INSIGHTS_API_VERSION = '2020-02-02';

/**
 * One problem per BYO resource that is missing or unreadable, and notes on what the kit leaves
 * as it is (it never changes the user's resources).
 */
export async function checkByoMonitoring(
  arm: ArmSender,
  config: KitConfig,
  names: AzureResourceNames,
  problems: string[],
  notes: string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const given = [
    {
      ref: names.workspace,
      field: 'deployment.logAnalyticsWorkspaceId',
      kind: 'Log Analytics workspace',
      apiVersion: WORKSPACE_API_VERSION,
    },
    {
      ref: names.appInsights,
      field: 'deployment.appInsightsId',
      kind: 'Application Insights',
      apiVersion: APP_INSIGHTS_API_VERSION,
    },
  ].filter((g) => g.ref.existing);
  for (const g of given) {
    const { status, body } = await armJson(arm, 'GET', g.ref.id, g.apiVersion, undefined, signal);
    if (status === 404 || status === 403) {
      const error = parseArmError(body);
      problems.push(
        `The ${g.kind} '${g.ref.name}' of ${g.field} ${status === 404 ? 'was not found' : 'cannot be read with your sign-in'} in resource group '${g.ref.resourceGroup}' (subscription ${g.ref.subscriptionId})${error !== undefined ? ` (${error.code})` : ''}: fix ${g.field} in cell A1 (copy the id from the resource's JSON View), ${status === 403 ? 'get Reader on it, ' : ''}or remove it to let the kit create one.`,
      );
      continue;
    }
    if (status !== 200) {
      const error = parseArmError(body);
      problems.push(
        `Reading the ${g.kind} of ${g.field} failed (${status}${error !== undefined ? `, ${error.code}: ${error.message}` : ''}): run cell A2 again.`,
      );
      continue;
    }
    const props = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
    if (g.kind === 'Application Insights' && props.CustomMetricsOptedInType !== 'WithDimensions')
      notes.push(
        `Application Insights '${g.ref.name}' keeps custom metrics without dimensions, so the Entra ID tab (caller-requests by CallerId) and E2 stay empty: turn on "Enable alerting on custom metric dimensions" (Usage and estimated costs > Custom metrics) there; the kit does not change your resource.`,
      );
  }
  if (config.deployment.gatewayUrl !== undefined)
    notes.push(
      `Traffic cells send to ${config.deployment.gatewayUrl} (deployment.gatewayUrl); it must route /${config.deployment.apiPrefix}* to APIM '${names.apimName}' and pass the api-key and Ocp-Apim-Subscription-Key headers through.`,
    );
}
