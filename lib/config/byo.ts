/**
 * Bring-your-own infrastructure (issue 13, item 10): an existing APIM in any resource group, its
 * Log Analytics workspace and Application Insights, and the public gateway URL of an APIM behind
 * Front Door or Application Gateway. Parsed and checked here, once, for both targets.
 */
import type { ConfigProblem } from '../errors.js';

/** An ARM resource named by its id: where it lives and its name. */
export interface ArmResourceRef {
  /** The resource id as given (`/subscriptions/.../providers/<type>/<name>`). */
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

/** The resource types a BYO id may name, by config field. */
export const BYO_RESOURCE_TYPES = {
  logAnalyticsWorkspaceId: 'Microsoft.OperationalInsights/workspaces',
  appInsightsId: 'Microsoft.Insights/components',
} as const;

const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * The subscription, resource group and name of a resource id of `type` (case-insensitive, as
 * ARM compares ids), or `undefined` when `id` is not one.
 * @example parseResourceId('/subscriptions/<guid>/resourceGroups/rg/providers/Microsoft.Insights/components/appi', 'Microsoft.Insights/components')
 */
export function parseResourceId(id: string, type: string): ArmResourceRef | undefined {
  const [namespace, resourceType] = type.split('/');
  const pattern = new RegExp(
    `^/subscriptions/(${GUID})/resourceGroups/([-\\w._()]{1,90})/providers/${namespace}/${resourceType}/([-\\w._()]{1,260})$`,
    'i',
  );
  const m = pattern.exec(id);
  if (m === null) return undefined;
  return { id, subscriptionId: m[1] ?? '', resourceGroup: m[2] ?? '', name: m[3] ?? '' };
}

/** The BYO fields of `deployment` as the schema leaves them. */
export interface ByoInput {
  apimName?: string | undefined;
  apimResourceGroup?: string | undefined;
  logAnalyticsWorkspaceId?: string | undefined;
  appInsightsId?: string | undefined;
  gatewayUrl?: string | undefined;
}

/**
 * The problems of the BYO combination: the APIM's resource group only with an existing APIM, ids
 * of the right resource type, an https gateway URL without query or fragment.
 */
export function byoProblems(d: ByoInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (d.apimResourceGroup !== undefined && d.apimName === undefined)
    problems.push({
      field: 'deployment.apimResourceGroup',
      received: JSON.stringify(d.apimResourceGroup),
      expected:
        'needs deployment.apimName (the existing APIM in that resource group); remove apimResourceGroup to let the kit create an APIM in deployment.resourceGroup',
    });
  for (const [field, type] of Object.entries(BYO_RESOURCE_TYPES) as [
    keyof typeof BYO_RESOURCE_TYPES,
    string,
  ][]) {
    const id = d[field];
    if (id !== undefined && parseResourceId(id, type) === undefined)
      problems.push({
        field: `deployment.${field}`,
        received: JSON.stringify(id),
        expected: `must be the resource id of a ${type} resource: /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/${type}/<name> (portal: the resource's Properties or JSON View)`,
      });
  }
  if (d.gatewayUrl !== undefined) {
    const problem = gatewayUrlProblem(d.gatewayUrl);
    if (problem !== undefined)
      problems.push({
        field: 'deployment.gatewayUrl',
        received: JSON.stringify(d.gatewayUrl),
        expected: problem,
      });
  }
  return problems;
}

/** The gateway URL without its trailing slashes (the cells append `/<api path>`). */
export function normalizeGatewayUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

function gatewayUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL like https://api.contoso.com (the public address of Front Door or Application Gateway in front of APIM)';
  }
  // Plain http only to this machine: a local reverse proxy in front of APIM (and the kit's tests).
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    return 'must start with https:// (the APIs of the kit accept https only; plain http is allowed only for 127.0.0.1, a local proxy)';
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return 'must have no query, fragment or credentials: only the scheme, host and an optional path prefix';
  return undefined;
}

/**
 * What the local target says about BYO settings: it accepts them (the same cell A1 works on both
 * targets) and uses none, since the emulator is the APIM and its log store the workspace.
 * `undefined` when none is set.
 */
export function byoNoteOnLocal(d: ByoInput): string | undefined {
  const set = (
    [
      'apimName',
      'apimResourceGroup',
      'logAnalyticsWorkspaceId',
      'appInsightsId',
      'gatewayUrl',
    ] as const
  ).filter((k) => d[k] !== undefined);
  if (set.length === 0) return undefined;
  return `deployment.${set.join(', deployment.')} checked and not used on the local target: the emulator on 127.0.0.1 is the APIM, its log store the workspace and App Insights (set target: 'azure' to use them).`;
}

/** {@link byoNoteOnLocal} as the end of a progress line: `. Note: ...`, or `''`. */
export function byoSuffixOnLocal(d: ByoInput): string {
  const note = byoNoteOnLocal(d);
  return note === undefined ? '' : `. Note: ${note}`;
}
