/**
 * Invariants of the templates as the Bicep compiler evaluates them (`bicep snapshot`, committed
 * in bicep/snapshots/ and validated by npm run check:bicep), for every configuration of the
 * matrix: what Azure would be asked to create, not just what compiles.
 */
import { describe, expect, it } from 'vitest';
import { KIT_MARKER } from '../../lib/azure/preflight.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import { APIM_PRINCIPAL } from './arm-simulator.js';
import {
  evaluatedOutputs,
  loadSnapshot,
  MATRIX,
  matrixConfig,
  snapshotFor,
  type PredictedResource,
} from './snapshots.js';

const mains = MATRIX.configurations.filter((e) => e.templates.includes('main'));
const infras = MATRIX.configurations.filter((e) => e.templates.includes('infra'));
const ofType = (resources: PredictedResource[], type: string): PredictedResource[] =>
  resources.filter((r) => r.type === type);
const policyText = (r: PredictedResource): string => String(r.properties?.value ?? '');

describe.each(mains)('bicep snapshot of main.bicep: $name', (entry) => {
  const config = matrixConfig(entry);
  const names = azureResourceNames(config, MATRIX.subscriptionId);
  const snapshot = loadSnapshot(`${entry.name}.main`);
  const resources = snapshot.predictedResources;
  const apiIds = ofType(resources, 'Microsoft.ApiManagement/service/apis').map(
    (r) => r.name.split('/')[1] ?? '',
  );

  it('has no compiler diagnostics and deploys the APIs of its features, with its prefix', () => {
    expect(snapshot.diagnostics).toEqual([]);
    const prefix = config.deployment.apiPrefix;
    expect(apiIds.sort()).toEqual(
      [
        'subscription-api',
        ...(config.features.enableEntraIdTracking ? ['entraid-api'] : []),
        ...(config.features.enableTokenTracking ? ['token-tracking-api'] : []),
        ...(config.features.enableFoundry ? ['aoai-gateway-api'] : []),
      ]
        .map((s) => `${prefix}${s}`)
        .sort(),
    );
    expect(
      ofType(resources, 'Microsoft.ApiManagement/service/subscriptions').map(
        (r) => r.name.split('/')[1],
      ),
    ).toEqual([
      ...config.businessUnits.map((b) => b.name),
      // The Entra ID and token-tracking APIs carry their own API-scoped keys, as the original.
      ...(config.features.enableEntraIdTracking ? [`api-${prefix}entraid-api`] : []),
      ...(config.features.enableTokenTracking ? [`api-${prefix}token-tracking-api`] : []),
    ]);
  });

  it('deploys the service-level azuremonitor diagnostic unless the plan keeps the user one', () => {
    const service = ofType(resources, 'Microsoft.ApiManagement/service/diagnostics');
    if (entry.plan?.deployServiceDiagnostic === false) {
      expect(service).toEqual([]);
      return;
    }
    expect(service.map((r) => r.name)).toEqual([`${names.apimName}/azuremonitor`]);
    expect(service[0]?.properties?.loggerId).toBe(
      `/subscriptions/${MATRIX.subscriptionId}/resourceGroups/${names.apimResourceGroup}/providers/Microsoft.ApiManagement/service/${names.apimName}/loggers/azuremonitor`,
    );
  });

  it('deploys every fragment and backend a deployed policy references', () => {
    const policies = [
      ...ofType(resources, 'Microsoft.ApiManagement/service/apis/policies'),
      ...ofType(resources, 'Microsoft.ApiManagement/service/apis/operations/policies'),
      ...ofType(resources, 'Microsoft.ApiManagement/service/policyFragments'),
    ].map(policyText);
    const fragments = ofType(resources, 'Microsoft.ApiManagement/service/policyFragments').map(
      (r) => r.name.split('/')[1],
    );
    const backends = ofType(resources, 'Microsoft.ApiManagement/service/backends').map(
      (r) => r.name.split('/')[1],
    );
    const referenced = (attribute: string): string[] => [
      ...new Set(
        policies.flatMap((p) =>
          [...p.matchAll(new RegExp(`${attribute}="([^"]+)"`, 'g'))].map((m) => m[1] ?? ''),
        ),
      ),
    ];
    expect(referenced('fragment-id').filter((id) => !fragments.includes(id))).toEqual([]);
    expect(referenced('backend-id').filter((id) => !backends.includes(id))).toEqual([]);
    // Descriptions carry the marker the preflight and clean-up recognise the kit's fragments by.
    for (const f of ofType(resources, 'Microsoft.ApiManagement/service/policyFragments'))
      expect(String(f.properties?.description)).toMatch(new RegExp(`^${KIT_MARKER}`));
  });

  it('deploys the stream include_usage fragment and its includes exactly when forceStreamIncludeUsage is on', () => {
    const on = config.features.forceStreamIncludeUsage;
    const fragments = ofType(resources, 'Microsoft.ApiManagement/service/policyFragments').map(
      (r) => r.name.split('/')[1],
    );
    expect(fragments.includes('ensure-stream-include-usage')).toBe(on);
    const including = ofType(resources, 'Microsoft.ApiManagement/service/apis/policies')
      .filter((r) => policyText(r).includes('fragment-id="ensure-stream-include-usage"'))
      .map((r) => r.name.split('/')[1]);
    const aiApis = apiIds.filter((id) => /(token-tracking|aoai-gateway)-api$/.test(id));
    expect(including.sort()).toEqual(on ? aiApis.sort() : []);
  });

  it('logs LLM messages only on the AI APIs, and on each of them', () => {
    const diagnostics = ofType(resources, 'Microsoft.ApiManagement/service/apis/diagnostics');
    const llm = diagnostics
      .filter((d) => d.properties?.largeLanguageModel !== undefined)
      .map((d) => d.name.split('/')[1]);
    const aiApis = apiIds.filter((id) => /(token-tracking|aoai-gateway)-api$/.test(id));
    expect(llm.sort()).toEqual(aiApis.sort());
    for (const d of diagnostics.filter((x) => x.properties?.largeLanguageModel !== undefined)) {
      expect(d.name.endsWith('/azuremonitor')).toBe(true);
      expect(d.properties?.largeLanguageModel).toMatchObject({ logs: 'enabled' });
    }
  });

  it("passes the App Insights component's resource id to every app() of the workbook", () => {
    const [workbook] = ofType(resources, 'Microsoft.Insights/workbooks');
    const data = String(workbook?.properties?.serializedData);
    const args = [...new Set([...data.matchAll(/app\(\s*'([^']*)'\s*\)/g)].map((m) => m[1]))];
    // The kit's App Insights and workspace, or the user's (bring-your-own, issue 13).
    expect(args).toEqual([names.appInsights.id]);
    expect(JSON.parse(data)).toMatchObject({ fallbackResourceIds: [names.workspace.id] });
  });

  it('gives every role assignment a principalType', () => {
    const roles = ofType(resources, 'Microsoft.Authorization/roleAssignments');
    // Foundry's role for the APIM identity; Monitoring Metrics Publisher on the allocation's
    // data collection rule when the deployer's object id is known.
    const publisher = (
      entry.plan as { ingestionPrincipal?: { id: string; type: string } } | undefined
    )?.ingestionPrincipal;
    const onRule = roles.filter((r) => String(r.id).includes('/dataCollectionRules/'));
    expect(roles.length).toBe((config.features.enableFoundry ? 1 : 0) + (publisher?.id ? 1 : 0));
    expect(onRule.map((r) => r.properties?.principalType)).toEqual(
      publisher?.id ? [publisher.type] : [],
    );
    for (const r of roles.filter((x) => !onRule.includes(x)))
      expect(r.properties?.principalType).toBe('ServicePrincipal');
  });

  it('outputs what cell A2 reads, once the run-time values are known', () => {
    const outputs = evaluatedOutputs(snapshot, {
      apimPrincipalId: APIM_PRINCIPAL,
      workspaceCustomerId: 'c',
      appInsightsAppId: 'a',
    });
    expect(outputs.gatewayUrl?.value).toBe(`https://${names.apimName}.azure-api.net`);
    expect(outputs.apimPrincipalId?.value).toBe(APIM_PRINCIPAL);
    expect(outputs.subscriptionNames?.value).toEqual(config.businessUnits.map((b) => b.name));
  });
});

describe.each(infras)('bicep snapshot of infra.bicep: $name', (entry) => {
  const config = matrixConfig(entry);
  const names = azureResourceNames(config, MATRIX.subscriptionId);
  const resources = loadSnapshot(`${entry.name}.infra`).predictedResources;

  it('sends GatewayLogs and GatewayLlmLogs to resource-specific tables (Dedicated)', () => {
    const [setting] = ofType(resources, 'Microsoft.Insights/diagnosticSettings');
    expect(setting?.properties).toMatchObject({
      logAnalyticsDestinationType: 'Dedicated',
      logs: [
        { category: 'GatewayLogs', enabled: true },
        { category: 'GatewayLlmLogs', enabled: true },
      ],
    });
  });

  it('creates the APIM service only when the plan says so, and namespaces its logger', () => {
    const createApim = !config.deployment.existingApim && entry.plan?.createApim !== false;
    expect(ofType(resources, 'Microsoft.ApiManagement/service').map((r) => r.name)).toEqual(
      createApim ? [names.apimName] : [],
    );
    const [logger] = ofType(resources, 'Microsoft.ApiManagement/service/loggers');
    expect(logger?.name).toBe(`${names.apimName}/apim-costing-logger-${config.deployment.index}`);
    expect(String(logger?.properties?.description)).toMatch(new RegExp(`^${KIT_MARKER}`));
  });
});

describe('bicep snapshot of cost-export.bicep', () => {
  const resources = loadSnapshot(MATRIX.costExport.name).predictedResources;
  it('exports with a compressionMode of the REST definition, and a typed role assignment', () => {
    const [exportResource] = ofType(resources, 'Microsoft.CostManagement/exports');
    expect(['gzip', 'snappy', 'None']).toContain(exportResource?.properties?.compressionMode);
    const roles = ofType(resources, 'Microsoft.Authorization/roleAssignments');
    expect(roles).toHaveLength(1);
    expect(roles[0]?.properties?.principalType).toBe('ServicePrincipal');
  });
});

describe('the ARM simulator', () => {
  it('answers only configurations that were snapshotted', () => {
    expect(() => snapshotFor('main', { apimName: 'not-in-the-matrix' })).toThrow(
      /^No main snapshot was made for these parameters: add the configuration to bicep\/snapshots\/matrix\.json and run npm run build:bicep/,
    );
  });
});
