/**
 * Bring-your-own infrastructure in cell A1 (issue 13, item 10): an existing APIM in another
 * resource group, reused Log Analytics and Application Insights, a public gateway URL; each bad
 * combination is named with its fix, and the same configuration validates on both targets.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import { parseResourceId } from '../../lib/config/byo.js';
import { describeConfig } from '../../lib/output/views/config.js';
import { ConfigError } from '../../lib/errors.js';
import type { KitConfigInput } from '../../lib/config/types.js';

const SUB = '0b5f6c1e-2a4d-4c3b-9e8f-1a2b3c4d5e6f';
const WORKSPACE = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/log-platform`;
const APP_INSIGHTS = `/subscriptions/${SUB}/resourceGroups/rg-mon/providers/Microsoft.Insights/components/appi-platform`;

const byo: NonNullable<KitConfigInput['deployment']> = {
  apimName: 'apim-platform',
  apimResourceGroup: 'rg-platform',
  logAnalyticsWorkspaceId: WORKSPACE,
  appInsightsId: APP_INSIGHTS,
  gatewayUrl: 'https://api.contoso.example/',
};

function problemsOf(input: KitConfigInput): { field: string; expected: string }[] {
  try {
    loadConfig(input, {});
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('bring-your-own infrastructure in cell A1', () => {
  it('keeps every BYO field, the gateway URL without its trailing slash', () => {
    const d = loadConfig({ target: 'azure', deployment: byo }, {}).deployment;
    expect(d).toMatchObject({
      apimName: 'apim-platform',
      existingApim: true,
      apimResourceGroup: 'rg-platform',
      resourceGroup: 'rg-apim-costing-1',
      logAnalyticsWorkspaceId: WORKSPACE,
      appInsightsId: APP_INSIGHTS,
      gatewayUrl: 'https://api.contoso.example',
    });
  });

  it('leaves them unset by default', () => {
    const d = loadConfig({}, {}).deployment;
    expect([d.apimResourceGroup, d.logAnalyticsWorkspaceId, d.appInsightsId, d.gatewayUrl]).toEqual(
      [undefined, undefined, undefined, undefined],
    );
  });

  it('refuses apimResourceGroup without an existing APIM name', () => {
    const [p, ...rest] = problemsOf({ deployment: { apimResourceGroup: 'rg-platform' } });
    expect(rest).toEqual([]);
    expect(p?.field).toBe('deployment.apimResourceGroup');
    expect(p?.expected).toMatch(/needs deployment\.apimName/);
  });

  it('refuses a workspace id that is not a Log Analytics workspace resource id', () => {
    for (const wrong of [
      APP_INSIGHTS,
      'log-platform',
      'c1d2e3f4-0000-4000-8000-00000000abcd',
      `${WORKSPACE}/tables/x`,
    ]) {
      const problems = problemsOf({ deployment: { logAnalyticsWorkspaceId: wrong } });
      expect(problems.map((p) => p.field)).toEqual(['deployment.logAnalyticsWorkspaceId']);
      expect(problems[0]?.expected).toContain('Microsoft.OperationalInsights/workspaces');
    }
  });

  it('refuses an App Insights id of another type', () => {
    const problems = problemsOf({ deployment: { appInsightsId: WORKSPACE } });
    expect(problems.map((p) => p.field)).toEqual(['deployment.appInsightsId']);
    expect(problems[0]?.expected).toContain('Microsoft.Insights/components');
  });

  it('refuses a gateway URL that is not https, or has a query, or is not a URL', () => {
    for (const [url, why] of [
      ['http://api.contoso.example', /https:\/\//],
      ['api.contoso.example', /absolute URL/],
      ['https://api.contoso.example/?code=1', /no query/],
      ['https://user:pw@api.contoso.example', /credentials/],
    ] as const) {
      const problems = problemsOf({ deployment: { gatewayUrl: url } });
      expect(
        problems.map((p) => p.field),
        url,
      ).toEqual(['deployment.gatewayUrl']);
      expect(problems[0]?.expected).toMatch(why);
    }
    // A path prefix (Front Door route) and http to this machine (a local proxy) are fine.
    for (const ok of ['https://fd.contoso.example/apim', 'http://127.0.0.1:8443'])
      expect(loadConfig({ deployment: { gatewayUrl: ok } }, {}).deployment.gatewayUrl).toBe(ok);
  });

  it('reports every bad BYO field at once', () => {
    const fields = problemsOf({
      deployment: {
        apimResourceGroup: 'rg-x',
        logAnalyticsWorkspaceId: 'x',
        gatewayUrl: 'ftp://x',
      },
    }).map((p) => p.field);
    expect(fields.sort()).toEqual([
      'deployment.apimResourceGroup',
      'deployment.gatewayUrl',
      'deployment.logAnalyticsWorkspaceId',
    ]);
  });

  it('parses resource ids case-insensitively, as ARM compares them', () => {
    expect(
      parseResourceId(WORKSPACE.toLowerCase(), 'Microsoft.OperationalInsights/workspaces'),
    ).toMatchObject({ subscriptionId: SUB, resourceGroup: 'rg-mon', name: 'log-platform' });
  });

  it('validates the same configuration on local, and says there that it is not used', () => {
    const local = loadConfig({ target: 'local', deployment: byo }, {});
    expect(local.deployment.apimResourceGroup).toBe('rg-platform');
    const text = describeConfig(local);
    expect(text).toContain('**On local:**');
    expect(text).toContain('not used');
    const azure = describeConfig(loadConfig({ target: 'azure', deployment: byo }, {}));
    expect(azure).not.toContain('**On local:**');
    expect(azure).toContain('https://api.contoso.example');
    expect(azure).toContain('`apim-platform` in `rg-platform`');
  });
});
