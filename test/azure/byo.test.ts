/**
 * Bring-your-own infrastructure over the fake transport (issue 13, item 10): the user's APIM in
 * another resource group, with the user's Log Analytics workspace and Application Insights. Cell
 * A2 deploys the kit's templates there without creating monitoring resources, the traffic cells
 * send to the public gateway URL (a gateway on 127.0.0.1 stands in for Front Door), and clean-up
 * deletes only what the kit made: never the APIM, the workspace or App Insights.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAzureTarget } from '../../lib/azure/azure-target.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import { AzurePreflightError, AzureRequestError } from '../../lib/errors.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import type { KitConfigInput } from '../../lib/config/types.js';
import { FakeAzure, FakeCredential, armError } from './fake-azure.js';
import { azureConfig, installDeployRoutes, parametersOf, SUB } from './arm-simulator.js';
import { addDeployed, installByoWorld, World } from './byo-routes.js';
import { loadSnapshot, MATRIX } from './snapshots.js';
import { json, startTinyGateway, type TinyGateway } from '../traffic/tiny-gateway.js';

const entry = MATRIX.configurations.find((c) => c.name === 'byo-other-resource-group');
const matrixDeployment = entry?.config.deployment ?? {};
const KIT_RG = '/subscriptions/' + SUB + '/resourceGroups/rg-apim-costing-1';
const APIM_RG = '/subscriptions/' + SUB + '/resourceGroups/rg-platform';
const WORKSPACE_RG = '/subscriptions/' + SUB + '/resourceGroups/rg-platform-monitoring';

let dataDir: string;
let gateway: TinyGateway;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'byo-'));
  // Front Door in front of APIM: answers like the costing APIs, on this machine only.
  gateway = await startTinyGateway((_req, res) => json(res, 200, { ok: true }));
});
afterEach(async () => {
  await gateway.close();
  await rm(dataDir, { recursive: true, force: true });
});

function byoInput(extra: KitConfigInput['deployment'] = {}): KitConfigInput {
  return {
    deployment: { ...matrixDeployment, gatewayUrl: gateway.url, ...extra },
    traffic: { sampleRequestsPerSubscription: 2, errorShare: 0, concurrency: 2 },
    local: { dataDir },
  };
}

function setUp(input: KitConfigInput) {
  const config = azureConfig(input);
  const fake = new FakeAzure();
  const world = new World();
  installDeployRoutes(fake, config);
  installByoWorld(fake, config, world);
  const target = createAzureTarget(config, {
    credential: new FakeCredential(),
    httpClient: fake,
    pollIntervalMs: 1,
  });
  return { config, fake, world, target };
}

describe('azure target: bring-your-own APIM in another resource group', () => {
  it('deploys beside the user APIM, sends traffic to the public URL, and cleans up only its own', async () => {
    const { config, fake, world, target } = setUp(byoInput());
    const names = azureResourceNames(config, SUB);
    const deployment = await target.deploy();

    // infra in the kit's group, main in the APIM's; no workspace or App Insights is created.
    const infraPut = fake.find('PUT', /\/deployments\/apim-costing-infra-1$/i);
    const mainPut = fake.find('PUT', /\/deployments\/apim-costing-main-1$/i);
    expect(infraPut.map((r) => r.path.toLowerCase())).toEqual([
      `${KIT_RG}/providers/Microsoft.Resources/deployments/apim-costing-infra-1`.toLowerCase(),
    ]);
    expect(mainPut.map((r) => r.path.toLowerCase())).toEqual([
      `${APIM_RG}/providers/Microsoft.Resources/deployments/apim-costing-main-1`.toLowerCase(),
    ]);
    const infra = parametersOf(infraPut[0] as (typeof infraPut)[number]);
    expect(infra).toMatchObject({
      createApim: false,
      apimResourceGroup: 'rg-platform',
      createWorkspace: false,
      createAppInsights: false,
      workspaceRef: {
        subscriptionId: SUB,
        resourceGroup: 'rg-platform-monitoring',
        name: 'log-platform',
      },
      appInsightsRef: {
        subscriptionId: SUB,
        resourceGroup: 'rg-platform-monitoring',
        name: 'appi-platform',
      },
    });
    const infraSnapshot = loadSnapshot('byo-other-resource-group.infra');
    expect(infraSnapshot.predictedResources.map((r) => r.type).sort()).toEqual([
      'Microsoft.ApiManagement/service/loggers',
      'Microsoft.Insights/diagnosticSettings',
    ]);
    for (const r of infraSnapshot.predictedResources)
      expect(r.id.toLowerCase().startsWith(`${APIM_RG}/`.toLowerCase()), r.id).toBe(true);
    // The logger points at the user's App Insights, the diagnostic setting at the user's workspace.
    const logger = infraSnapshot.predictedResources.find((r) => r.type.endsWith('/loggers'));
    expect(logger?.properties?.resourceId).toBe(names.appInsights.id);
    const setting = infraSnapshot.predictedResources.find((r) =>
      r.type.endsWith('/diagnosticSettings'),
    );
    expect(setting?.properties?.workspaceId).toBe(names.workspace.id);

    // APIM entities in the APIM's group; E4's ingestion path (table, rule, endpoint, the role on
    // the rule) beside the user's workspace; storage, workbook and Foundry in the kit's.
    const ingestion = [
      'Microsoft.OperationalInsights/workspaces/tables',
      'Microsoft.Insights/dataCollectionRules',
      'Microsoft.Insights/dataCollectionEndpoints',
      'Microsoft.Authorization/roleAssignments',
    ];
    const mainSnapshot = loadSnapshot('byo-other-resource-group.main');
    for (const r of mainSnapshot.predictedResources) {
      if (r.id.startsWith('[')) continue;
      const group = r.type.startsWith('Microsoft.ApiManagement/')
        ? APIM_RG
        : ingestion.includes(r.type)
          ? WORKSPACE_RG
          : KIT_RG;
      expect(r.id.toLowerCase().startsWith(`${group}/`.toLowerCase()), r.id).toBe(true);
    }
    expect(mainSnapshot.predictedResources.map((r) => r.type)).not.toContain(
      'Microsoft.OperationalInsights/workspaces',
    );
    const workbook = mainSnapshot.predictedResources.find(
      (r) => r.type === 'Microsoft.Insights/workbooks',
    );
    expect(workbook?.properties?.sourceId).toBe(names.workspace.id);

    // The deployment: the public URL for traffic, the user's monitoring resources.
    expect(deployment.gatewayUrl).toBe(gateway.url);
    expect(deployment.apimGatewayUrl).toBe('https://apim-platform-shared.azure-api.net');
    expect(deployment.apis.costing.url).toBe(`${gateway.url}/costing-subscription`);
    expect(deployment.logAnalytics.resourceId).toBe(names.workspace.id);
    expect(deployment.appInsights.resourceId).toBe(names.appInsights.id);
    // BU keys come from the APIM in its own resource group.
    const listSecrets = fake.find('POST', /\/listSecrets$/i);
    expect(listSecrets.length).toBeGreaterThan(0);
    for (const r of listSecrets)
      expect(r.path.toLowerCase()).toContain('/resourcegroups/rg-platform/');

    // C1 and C2 go to the public URL on 127.0.0.1; none of it goes through ARM.
    const armBefore = fake.requests.length;
    const c1 = await sendTraffic(target, 'bu');
    const c2 = await sendTraffic(target, 'entra');
    expect(c1.status).toBe('completed');
    expect(c2.status).toBe('completed');
    expect(c1.totals.succeeded + c2.totals.succeeded).toBe(gateway.seen.length);
    expect(c1.totals.succeeded).toBeGreaterThan(0);
    expect(c2.totals.succeeded).toBeGreaterThan(0);
    expect(gateway.seen.every((r) => /^\/costing-(subscription|entraid)\//.test(r.path))).toBe(
      true,
    );
    expect(fake.requests.slice(armBefore).filter((r) => r.host !== 'management.azure.com')).toEqual(
      [],
    );

    // Clean-up: dry run lists the user's resources as kept, then deletes only the kit's.
    addDeployed(
      fake,
      world,
      config,
      [infraSnapshot, mainSnapshot],
      [
        {
          id: `${KIT_RG}/providers/Microsoft.Resources/deployments/apim-costing-infra-1`,
          parameters: infra,
        },
        {
          id: `${APIM_RG}/providers/Microsoft.Resources/deployments/apim-costing-main-1`,
          parameters: parametersOf(mainPut[0] as (typeof mainPut)[number]),
        },
      ],
    );
    const byo = [
      `${APIM_RG}/providers/Microsoft.ApiManagement/service/apim-platform-shared`,
      names.workspace.id,
      names.appInsights.id,
    ];
    const dry = await target.cleanUp();
    const kept = dry.filter((i) => i.action === 'kept').map((i) => i.kind);
    expect(kept).toEqual(
      expect.arrayContaining(['APIM service', 'Log Analytics workspace', 'Application Insights']),
    );
    expect(dry.find((i) => i.name === 'costing-subscription-api')?.action).toBe('would-delete');
    expect(fake.find('DELETE', /./)).toEqual([]);

    const done = await target.cleanUp({ dryRun: false });
    const deletes = fake.find('DELETE', /./).map((r) => r.path.toLowerCase());
    for (const id of byo) {
      expect(world.has(id), id).toBe(true);
      expect(deletes).not.toContain(id.toLowerCase());
    }
    // What the kit made on the user's APIM is gone: APIs, BU subscriptions, logger, setting.
    for (const kind of ['APIM API', 'APIM subscription', 'APIM logger', 'APIM diagnostic setting'])
      expect(
        done.filter((i) => i.kind === kind).every((i) => i.action === 'deleted'),
        kind,
      ).toBe(true);
    expect(
      deletes.some((p) =>
        p.startsWith(
          `${APIM_RG}/providers/microsoft.apimanagement/service/apim-platform-shared/apis/`.toLowerCase(),
        ),
      ),
    ).toBe(true);
    // The kit's own group held only what the kit made: it goes too.
    expect(done.find((i) => i.kind === 'resource group')?.action).toBe('deleted');
    expect(world.inGroup('rg-apim-costing-1')).toEqual([]);
  });

  it('refuses in the preflight when the APIM is not in that resource group', async () => {
    const { fake, target } = setUp(byoInput());
    fake.on(
      'GET',
      /\/resourceGroups\/rg-platform\/providers\/Microsoft\.ApiManagement\/service\/apim-platform-shared$/i,
      armError(404, 'ResourceNotFound', 'not found'),
    );
    const error = await target.deploy().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureRequestError);
    expect(String((error as Error).message)).toMatch(
      /'apim-platform-shared' was not found in resource group 'rg-platform'.*deployment\.apimResourceGroup/,
    );
    expect(fake.find('PUT', /./)).toEqual([]);
  });

  it('refuses in the preflight when the workspace or App Insights does not exist', async () => {
    const { config, fake, world, target } = setUp(byoInput());
    const names = azureResourceNames(config, SUB);
    world.delete(names.workspace.id);
    world.delete(names.appInsights.id);
    const error = await target.deploy().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzurePreflightError);
    const message = String((error as Error).message);
    expect(message).toContain(
      "Log Analytics workspace 'log-platform' of deployment.logAnalyticsWorkspaceId was not found in resource group 'rg-platform-monitoring'",
    );
    expect(message).toContain(
      "Application Insights 'appi-platform' of deployment.appInsightsId was not found",
    );
    expect(fake.find('PUT', /./)).toEqual([]);
  });
});
