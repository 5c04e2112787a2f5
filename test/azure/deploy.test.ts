import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAzureTarget } from '../../lib/azure/azure-target.js';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { MissingStepError } from '../../lib/errors.js';
import type { ProgressEvent } from '../../lib/target.js';
import { FakeAzure, FakeCredential } from './fake-azure.js';
import {
  azureConfig,
  installDeployRoutes,
  parametersOf,
  SUB,
  WORKSPACE_CUSTOMER_ID,
  APP_ID,
} from './arm-simulator.js';

describe('azure target: deploy (cell A2)', () => {
  it('builds without I/O and asks for cell A2 before a deployment exists', () => {
    const fake = new FakeAzure();
    const target = createAzureTarget(azureConfig(), {
      credential: new FakeCredential(),
      httpClient: fake,
    });
    expect(target.kind).toBe('azure');
    expect(() => target.requireDeployment()).toThrow(MissingStepError);
    expect(() => target.requireDeployment()).toThrow(
      'The Azure deployment is not available yet: run cell A2 first.',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('creates the resource group, deploys infra then main as long-running operations, and reads the BU keys', async () => {
    const config = azureConfig({ governance: { alertEmail: 'owner@contoso.com' } });
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    const credential = new FakeCredential();
    const target = createAzureTarget(config, { credential, httpClient: fake, pollIntervalMs: 1 });
    const progress: ProgressEvent[] = [];
    const deployment = await target.deploy({ onProgress: (p) => progress.push(p) });
    expect(fake.unexpected).toEqual([]);

    // Subscription check, then the resource group: GET 404, PUT with the kit tag.
    const sub = fake.find('GET', new RegExp(`^/subscriptions/${SUB}$`));
    expect(sub[0]?.apiVersion).toBe('2022-12-01');
    const rgPut = fake.find('PUT', /\/resourcegroups\/rg-apim-costing-1$/i)[0];
    expect(rgPut?.apiVersion).toBe('2025-04-01');
    expect(rgPut?.body).toEqual({ location: 'eastus2', tags: { 'apim-costing-kit': '1' } });

    // Two deployments, in order, incremental, with the committed templates.
    const puts = fake.find('PUT', /\/providers\/Microsoft\.Resources\/deployments\//i);
    expect(puts.map((r) => r.path.split('/').pop())).toEqual([
      'apim-costing-infra-1',
      'apim-costing-main-1',
    ]);
    for (const put of puts) {
      expect(put.apiVersion).toBe('2026-06-01');
      expect((put.body as { properties: { mode: string } }).properties.mode).toBe('Incremental');
    }
    const infraTemplate = JSON.parse(
      readFileSync(artifactPath('bicep', 'infra.json'), 'utf8'),
    ) as unknown;
    const mainTemplate = JSON.parse(
      readFileSync(artifactPath('bicep', 'main.json'), 'utf8'),
    ) as unknown;
    expect((puts[0]?.body as { properties: { template: unknown } }).properties.template).toEqual(
      infraTemplate,
    );
    expect((puts[1]?.body as { properties: { template: unknown } }).properties.template).toEqual(
      mainTemplate,
    );
    const infra = parametersOf(puts[0]!);
    expect(infra).toMatchObject({
      createApim: true,
      apimSku: 'BasicV2',
      location: 'eastus2',
      apimResourceGroup: 'rg-apim-costing-1',
      createWorkspace: true,
      workspaceRef: {
        subscriptionId: SUB,
        resourceGroup: 'rg-apim-costing-1',
        name: 'log-apim-costing-1',
      },
      createAppInsights: true,
      appInsightsRef: {
        subscriptionId: SUB,
        resourceGroup: 'rg-apim-costing-1',
        name: 'appi-apim-costing-1',
      },
    });
    const main = parametersOf(puts[1]!);
    expect(main).toMatchObject({
      apiPrefix: 'costing-',
      enableFoundry: true,
      tags: { 'apim-costing-kit': '1' },
    });
    // The prices reach Azure inside the workbook, built as cell F builds it (issue 15).
    const workbookValues = Object.fromEntries(
      (
        JSON.parse(String(main.workbookData)) as {
          items: { content: { parameters?: { name: string; value: unknown }[] } }[];
        }
      ).items.flatMap((i) => (i.content.parameters ?? []).map((p) => [p.name, p.value])),
    );
    expect(Object.values(workbookValues)).toEqual(
      expect.arrayContaining(['Basic v2', '150.01', '0.003', '0.00025', '0.002']),
    );
    expect(main.businessUnits).toEqual(
      config.businessUnits.map((b) => ({ name: b.name, displayName: b.displayName })),
    );
    expect(main.models).toEqual([
      { name: 'gpt-4o-mini', version: '2024-07-18', capacityKTpm: 10 },
      { name: 'gpt-4.1-nano', version: '2025-04-14', capacityKTpm: 10 },
      { name: 'gpt-5-mini', version: '2025-08-07', capacityKTpm: 10 },
    ]);
    expect(String(main.workbookId)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    // Every parameter sent is declared by the template (ARM rejects unknown ones).
    const declared = Object.keys(
      (mainTemplate as { parameters: Record<string, unknown> }).parameters,
    );
    expect(Object.keys(main).filter((k) => !declared.includes(k))).toEqual([]);

    // The LRO was polled through its Azure-AsyncOperation URL until Succeeded.
    expect(fake.find('GET', /operationStatuses/i).length).toBeGreaterThanOrEqual(4);
    // Keys through listSecrets, one POST per BU, then one per API-scoped subscription (the
    // Entra ID and token-tracking APIs' own), api-version 2024-05-01 (PROTOCOLS 7.2).
    const secrets = fake.find('POST', /\/listSecrets$/i);
    expect(secrets.map((r) => r.path.split('/').at(-2))).toEqual([
      ...config.businessUnits.map((b) => b.name),
      'api-costing-entraid-api',
      'api-costing-token-tracking-api',
    ]);
    expect(new Set(secrets.map((r) => r.apiVersion))).toEqual(new Set(['2024-05-01']));
    expect(secrets[0]?.path).toMatch(
      new RegExp(
        `^/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft\\.ApiManagement/service/apim-costing-1-[0-9a-f]{8}/subscriptions/bu-hr/listSecrets$`,
      ),
    );
    expect(new Set(fake.requests.map((r) => r.headers.authorization))).toEqual(
      new Set(['Bearer fake-token']),
    );
    expect(credential.scopes).toContain('https://management.azure.com/.default');

    // What cell A2 shows.
    const apim = String(infra.apimName);
    expect(deployment).toMatchObject({
      target: 'azure',
      gatewayUrl: `https://${apim}.azure-api.net`,
      apimName: apim,
      apimSku: 'BasicV2',
      resourceGroup: 'rg-apim-costing-1',
      location: 'eastus2',
      apis: {
        costing: {
          apiId: 'costing-subscription-api',
          path: 'costing-subscription',
          url: `https://${apim}.azure-api.net/costing-subscription`,
        },
        aoai: {
          apiId: 'costing-aoai-gateway-api',
          path: 'costing-aoai-gateway',
          url: `https://${apim}.azure-api.net/costing-aoai-gateway`,
        },
      },
      appInsights: { name: 'appi-apim-costing-1', appId: APP_ID },
      logAnalytics: { name: 'log-apim-costing-1', workspaceId: WORKSPACE_CUSTOMER_ID },
      storage: { container: 'cost-exports' },
    });
    expect(deployment.subscriptions[0]).toEqual({
      id: 'bu-hr',
      displayName: 'HR',
      primaryKey: 'pk-bu-hr-0123456789abcdef',
    });
    // C2/C3 and D2 send with the APIs' own keys, never a BU's.
    expect(deployment.apis.entra).toMatchObject({
      name: 'Costing: Entra ID applications',
      subscription: {
        id: 'api-costing-entraid-api',
        primaryKey: 'pk-api-costing-entraid-api-0123456789abcdef',
      },
    });
    expect(deployment.apis.tokenTracking.subscription?.id).toBe('api-costing-token-tracking-api');
    expect(deployment.apis.costing.subscription).toBeUndefined();
    expect(deployment.apis.aoai.subscription).toBeUndefined();
    expect(deployment.aoai?.backendUrl).toMatch(
      /^https:\/\/ais-costing-1-[0-9a-f]{8}\.cognitiveservices\.azure\.com\/openai$/,
    );
    expect(deployment.aoai?.deployments.map((d) => d.deploymentName)).toEqual([
      'gpt-4o-mini',
      'gpt-4.1-nano',
      'gpt-5-mini',
    ]);
    expect(target.requireDeployment()).toBe(deployment);

    // Progress came from the deployment operations.
    const messages = progress.map((p) => p.message);
    expect(messages).toContain('Creating resource group rg-apim-costing-1 in eastus2');
    expect(messages.some((m) => /^apim-costing-main-1: \d+ resource\(s\) done/.test(m))).toBe(true);
    expect(messages).toContain('apim-costing-infra-1: succeeded');
  });

  it('re-attaches to an earlier deployment after a kernel restart (queries work without re-running A2)', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    }).deploy();
    const restarted = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    });
    fake.on('POST', /^\/v1\/workspaces\/[^/]+\/query$/, {
      status: 200,
      body: {
        tables: [{ name: 'PrimaryResult', columns: [{ name: 'n', type: 'long' }], rows: [[3]] }],
      },
    });
    const result = await restarted.queryLogs('ApiManagementGatewayLogs | count');
    expect(result).toEqual({
      status: 'success',
      table: { name: 'PrimaryResult', columns: [{ name: 'n', type: 'long' }], rows: [[3]] },
    });
    expect(fake.find('GET', /\/deployments\/apim-costing-main-1$/i).length).toBeGreaterThan(0);
  });
});

describe('azure target: injected pipeline policies', () => {
  it('run in every SDK client (ARM, Log Analytics)', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    fake.on('POST', /\/query$/, {
      status: 200,
      body: { tables: [{ name: 'PrimaryResult', columns: [], rows: [] }] },
    });
    const seen: string[] = [];
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
      additionalPolicies: [
        {
          name: 'tag-requests',
          sendRequest: (request, next) => {
            request.headers.set('x-kit-test', 'yes');
            seen.push(new URL(request.url).host);
            return next(request);
          },
        },
      ],
    });
    await target.deploy();
    await target.queryLogs('ApiManagementGatewayLogs | take 1');
    expect(fake.requests.every((r) => r.headers['x-kit-test'] === 'yes')).toBe(true);
    expect(new Set(seen)).toEqual(new Set(['management.azure.com', 'api.loganalytics.io']));
  });
});

describe('azure target: cells run before A2', () => {
  it('name cell A2 when no deployment exists in ARM either', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
    });
    await expect(target.queryLogs('ApiManagementGatewayLogs | count')).rejects.toThrow(
      'The Log Analytics workspace is not available yet: run cell A2 first.',
    );
    await expect(target.createCostExport()).rejects.toThrow(MissingStepError);
    await expect(
      target.publishWorkbook({ serializedData: '{}', displayName: 'x' }),
    ).rejects.toThrow('run cell A2 first');
    expect(fake.find('GET', /\/deployments\/apim-costing-main-1$/i).length).toBe(3);
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('azure target: deploy against an existing APIM', () => {
  it('checks it exists, does not create it, and notes a SKU that differs from the configuration', async () => {
    const config = azureConfig({
      deployment: { apimName: 'apim-contoso-shared', resourceGroup: 'rg-shared' },
    });
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    fake.on('GET', /\/providers\/Microsoft\.ApiManagement\/service\/apim-contoso-shared$/i, {
      status: 200,
      body: {
        id: `/subscriptions/${SUB}/resourceGroups/rg-shared/providers/Microsoft.ApiManagement/service/apim-contoso-shared`,
        name: 'apim-contoso-shared',
        location: 'eastus2',
        sku: { name: 'StandardV2', capacity: 1 },
        identity: {
          type: 'SystemAssigned',
          principalId: '11111111-2222-4333-8444-555555555555',
          tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        },
        properties: {
          publisherEmail: 'api@contoso.com',
          publisherName: 'Contoso',
          gatewayUrl: 'https://apim-contoso-shared.azure-api.net',
        },
      },
    });
    const progress: string[] = [];
    const deployment = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    }).deploy({ onProgress: (p) => progress.push(p.message) });
    expect(fake.unexpected).toEqual([]);
    const infra = parametersOf(fake.find('PUT', /\/deployments\/apim-costing-infra-1$/i)[0]!);
    expect(infra).toMatchObject({ createApim: false, apimName: 'apim-contoso-shared' });
    expect(deployment.apimName).toBe('apim-contoso-shared');
    expect(deployment.gatewayUrl).toBe('https://apim-contoso-shared.azure-api.net');
    expect(progress).toContain(
      "Note: APIM 'apim-contoso-shared' is SKU StandardV2, but deployment.apimSku is BasicV2; prices follow deployment.apimSku, so set it to StandardV2 in cell A1 for the right figures.",
    );
  });
});

describe('azure target: cancellation', () => {
  it('an aborted signal stops a deployment that is still running', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    // ARM keeps saying Running: only the signal can end the wait.
    fake.on('GET', /operationStatuses/i, { status: 200, body: { status: 'Running' } });
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 60_000,
    });
    const controller = new AbortController();
    const started = Date.now();
    const pending = target.deploy({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(fake.find('PUT', /\/deployments\/apim-costing-main-1$/i)).toHaveLength(0);
    expect(() => target.requireDeployment()).toThrow(MissingStepError);
  });

  it('an overall timeout says the deployment goes on in Azure', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    fake.on('GET', /operationStatuses/i, { status: 200, body: { status: 'Running' } });
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 10,
    });
    await expect(target.deploy({ timeoutMs: 100 })).rejects.toThrow(
      'The deployment did not finish within 100 ms. It goes on in Azure: run cell A2 again later to pick up its outputs.',
    );
  });
});
