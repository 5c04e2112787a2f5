/**
 * Cell A2's checks before any ARM write (issue 15, problems 3, 4 and 8): an existing APIM's
 * entities of the same name, its identity, tier, workspaces, gateways and api-version
 * constraint; soft-deleted names; the configured models' lifecycle in the region; and an APIM
 * that exists already is not PUT again.
 */
import { describe, expect, it } from 'vitest';
import { createAzureTarget } from '../../lib/azure/azure-target.js';
import { AzurePreflightError } from '../../lib/azure/azure-errors.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import type { KitConfigInput } from '../../lib/config/types.js';
import { armError, FakeAzure, FakeCredential } from './fake-azure.js';
import {
  apimServiceBody,
  azureConfig,
  installDeployRoutes,
  modelEntry,
  parametersOf,
  SUB,
} from './arm-simulator.js';
import { restOperationOf, validateBody } from './rest-definitions.js';

const SHARED = { deployment: { apimName: 'apim-contoso-shared', resourceGroup: 'rg-shared' } };
const SHARED_ID = `/subscriptions/${SUB}/resourceGroups/rg-shared/providers/Microsoft.ApiManagement/service/apim-contoso-shared`;
const SERVICE = /\/providers\/Microsoft\.ApiManagement\/service\/apim-contoso-shared$/i;

function setUp(
  input: KitConfigInput,
  service?: Record<string, unknown>,
): {
  fake: FakeAzure;
  deploy: (onProgress?: (m: string) => void) => Promise<unknown>;
} {
  const config = azureConfig(input);
  const fake = new FakeAzure();
  installDeployRoutes(fake, config);
  if (service !== undefined) fake.on('GET', SERVICE, { status: 200, body: service });
  const target = createAzureTarget(config, {
    credential: new FakeCredential(),
    httpClient: fake,
    pollIntervalMs: 1,
  });
  return {
    fake,
    deploy: (onProgress) =>
      target.deploy(onProgress !== undefined ? { onProgress: (p) => onProgress(p.message) } : {}),
  };
}

/** The error of a deploy that must be refused, after checking nothing was written. */
async function refused(
  fake: FakeAzure,
  deploy: () => Promise<unknown>,
): Promise<AzurePreflightError> {
  const error = await deploy().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AzurePreflightError);
  expect(
    fake.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    'no ARM write before the checks pass',
  ).toEqual([]);
  return error as AzurePreflightError;
}

describe('preflight on an existing APIM (problem 3)', () => {
  it("leaves a user logger named appinsights-logger alone: the kit's logger name is its own", async () => {
    const { fake, deploy } = setUp(SHARED, apimServiceBody(SHARED_ID, 'BasicV2'));
    fake.on('GET', /\/service\/apim-contoso-shared\/loggers\/appinsights-logger$/i, {
      status: 200,
      body: { name: 'appinsights-logger', properties: { loggerType: 'applicationInsights' } },
    });
    await deploy();
    const infra = parametersOf(fake.find('PUT', /\/deployments\/apim-costing-infra-1$/i)[0]!);
    expect(infra.apimLoggerName).toBe('apim-costing-logger-1');
    const main = parametersOf(fake.find('PUT', /\/deployments\/apim-costing-main-1$/i)[0]!);
    expect(main.apimLoggerName).toBe('apim-costing-logger-1');
  });

  it('refuses to re-point a logger or overwrite a fragment of the same name that the kit did not make', async () => {
    const { fake, deploy } = setUp(SHARED, apimServiceBody(SHARED_ID, 'BasicV2'));
    fake.on('GET', /\/loggers\/apim-costing-logger-1$/i, {
      status: 200,
      body: { name: 'apim-costing-logger-1', properties: { description: 'ops team logger' } },
    });
    fake.on('GET', /\/policyFragments\/extract-caller-id$/i, {
      status: 200,
      body: { name: 'extract-caller-id', properties: { description: 'Our own caller id' } },
    });
    // A fragment the kit made on an earlier run is fine.
    fake.on('GET', /\/policyFragments\/ensure-stream-include-usage$/i, {
      status: 200,
      body: { properties: { description: 'apim-costing-kit: adds stream_options.include_usage' } },
    });
    const error = await refused(fake, deploy);
    expect(error.problems).toEqual([
      "APIM 'apim-contoso-shared' already has a logger 'apim-costing-logger-1' that the kit did not make: deploying would re-point it (and every diagnostic using it) to the kit's App Insights. Rename or remove it, or change deployment.index.",
      "APIM 'apim-contoso-shared' already has a policy fragment 'extract-caller-id' that the kit did not make: deploying would overwrite it, and clean-up would delete it. Rename yours, or use another APIM.",
    ]);
    expect(error.message.split('\n')[0]).toBe(
      'Nothing was deployed: the checks before deployment found 2 problem(s):',
    );
  });

  it('refuses an APIM without a system-assigned identity when Foundry is on, a Consumption tier, and a high apiVersionConstraint', async () => {
    const noIdentity = setUp(SHARED, apimServiceBody(SHARED_ID, 'BasicV2', { identity: null }));
    expect((await refused(noIdentity.fake, noIdentity.deploy)).problems).toEqual([
      "APIM 'apim-contoso-shared' has no system-assigned managed identity, which the model backend needs (features.enableFoundry): turn it on (APIM > Managed identities > System assigned), or set features.enableFoundry to false in cell A1.",
    ]);
    // Without Foundry the identity is not needed.
    const mock = setUp(
      { ...SHARED, features: { enableFoundry: false } },
      apimServiceBody(SHARED_ID, 'BasicV2', { identity: null }),
    );
    await mock.deploy();

    const consumption = setUp(SHARED, apimServiceBody(SHARED_ID, 'Consumption'));
    expect((await refused(consumption.fake, consumption.deploy)).problems[0]).toMatch(
      /^APIM 'apim-contoso-shared' is on the Consumption tier/,
    );

    const constrained = setUp(
      SHARED,
      apimServiceBody(SHARED_ID, 'BasicV2', {
        properties: { apiVersionConstraint: { minApiVersion: '2023-05-01-preview' } },
      }),
    );
    expect((await refused(constrained.fake, constrained.deploy)).problems).toEqual([
      "APIM 'apim-contoso-shared' limits control-plane calls to api-version 2023-05-01-preview or newer (apiVersionConstraint), and Azure Monitor diagnostic settings can then fail: lower it to 2022-09-01-preview or less, or use another APIM.",
    ]);
    // At the limit it is fine.
    const atLimit = setUp(
      SHARED,
      apimServiceBody(SHARED_ID, 'BasicV2', {
        properties: { apiVersionConstraint: { minApiVersion: '2022-09-01-preview' } },
      }),
    );
    await atLimit.deploy();
  });

  it('says in one line each that workspaces and self-hosted gateways are outside what the kit measures', async () => {
    const { fake, deploy } = setUp(SHARED, apimServiceBody(SHARED_ID, 'BasicV2'));
    fake.on('GET', /\/service\/apim-contoso-shared\/workspaces$/i, {
      status: 200,
      body: { value: [{ name: 'team-a', properties: { displayName: 'Team A' } }] },
    });
    fake.on('GET', /\/service\/apim-contoso-shared\/gateways$/i, {
      status: 200,
      body: { value: [{ name: 'onprem' }, { name: 'edge' }] },
    });
    const lines: string[] = [];
    await deploy((m) => lines.push(m));
    expect(lines.filter((l) => l.startsWith('Note:'))).toEqual([
      "Note: APIM 'apim-contoso-shared' has 1 workspace(s): the kit deploys at service level, and requests to workspace APIs are not in its tabs.",
      "Note: APIM 'apim-contoso-shared' has 2 self-hosted gateway(s): the kit sends its traffic to the managed gateway; requests through self-hosted gateways are logged by those gateways, not in these tabs.",
    ]);
  });

  it("keeps the user's own service-level azuremonitor diagnostic (and deploys the kit's when there is none)", async () => {
    const own = setUp(SHARED, apimServiceBody(SHARED_ID, 'BasicV2'));
    own.fake.on('GET', /\/service\/apim-contoso-shared\/diagnostics\/azuremonitor$/i, {
      status: 200,
      body: { name: 'azuremonitor', properties: { loggerId: '/loggers/azuremonitor' } },
    });
    const lines: string[] = [];
    await own.deploy((m) => lines.push(m));
    const main = parametersOf(own.fake.find('PUT', /\/deployments\/apim-costing-main-1$/i)[0]!);
    expect(main.deployServiceDiagnostic).toBe(false);
    expect(lines).toContain(
      "Note: APIM 'apim-contoso-shared' has its own service-level azuremonitor diagnostic: the kit keeps it, so gateway logs follow its settings (sampling, verbosity).",
    );

    const none = setUp(SHARED, apimServiceBody(SHARED_ID, 'BasicV2'));
    await none.deploy();
    expect(
      parametersOf(none.fake.find('PUT', /\/deployments\/apim-costing-main-1$/i)[0]!)
        .deployServiceDiagnostic,
    ).toBe(true);
  });
});

describe('preflight: soft-deleted names (problem 4)', () => {
  it('refuses when the APIM or AI Services name is soft-deleted, and says how to purge', async () => {
    const { fake, deploy } = setUp({});
    const names = azureResourceNames(azureConfig(), SUB);
    const deletedApim = {
      value: [
        {
          id: `/subscriptions/${SUB}/providers/Microsoft.ApiManagement/locations/eastus2/deletedservices/${names.apimName}`,
          name: names.apimName,
          type: 'Microsoft.ApiManagement/deletedservices',
          location: 'East US 2',
          properties: {
            serviceId: `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.ApiManagement/service/${names.apimName}`,
            scheduledPurgeDate: '2026-11-29T10:00:00Z',
            deletionDate: '2026-11-27T10:00:00Z',
          },
        },
      ],
    };
    const deletedAis = {
      value: [
        {
          id: `/subscriptions/${SUB}/providers/Microsoft.CognitiveServices/locations/eastus2/resourceGroups/rg-apim-costing-1/deletedAccounts/${names.aiServicesName}`,
          name: names.aiServicesName,
          location: 'eastus2',
          properties: {
            deletionDate: '2026-11-27T10:00:00Z',
            scheduledPurgeDate: '2026-11-29T10:00:00Z',
          },
        },
      ],
    };
    fake.on('GET', /\/providers\/Microsoft\.ApiManagement\/deletedservices$/i, {
      status: 200,
      body: deletedApim,
    });
    fake.on('GET', /\/providers\/Microsoft\.CognitiveServices\/deletedAccounts$/i, {
      status: 200,
      body: deletedAis,
    });
    const error = await refused(fake, () => deploy());
    expect(error.problems).toEqual([
      `The APIM name '${names.apimName}' is soft-deleted (kept until 2026-11-29T10:00:00.000Z), so creating it would fail: run clean-up.ipynb with purgeSoftDeleted: true, wait until then, or change deployment.index.`,
      `The Azure AI Services name '${names.aiServicesName}' is soft-deleted (kept until 2026-11-29T10:00:00Z), so creating it would fail: run clean-up.ipynb with purgeSoftDeleted: true, wait until then, or change deployment.index.`,
    ]);
    // The raw Cognitive Services call and the fakes follow the REST definitions.
    const raw = fake.find('GET', /\/deletedAccounts$/i)[0]!;
    const op = restOperationOf(raw);
    expect(op?.source).toContain('cognitiveservices.json');
    expect(validateBody(deletedAis, op!.response!)).toEqual([]);
  });
});

describe('preflight: model lifecycle (problem 8)', () => {
  it('refuses a model version the region does not offer or has retired, naming the versions it offers', async () => {
    const { fake, deploy } = setUp({});
    const models = {
      value: [
        modelEntry('gpt-4o-mini', '2024-07-18', 'Deprecated'),
        modelEntry('gpt-4.1-nano', '2025-04-14', 'GenerallyAvailable', [{ name: 'Standard' }]),
        modelEntry('gpt-5-mini', '2025-09-01'),
        modelEntry('gpt-5-mini', '2025-10-01'),
      ],
    };
    fake.on('GET', /\/locations\/eastus2\/models$/i, { status: 200, body: models });
    const error = await refused(fake, () => deploy());
    expect(error.problems).toEqual([
      'Model gpt-4o-mini 2024-07-18 cannot be deployed in eastus2 (it is retired); fix models in cell A1 (or deployment.location).',
      'Model gpt-4.1-nano 2025-04-14 cannot be deployed in eastus2 (it has no GlobalStandard SKU there); fix models in cell A1 (or deployment.location).',
      'Model gpt-5-mini 2025-08-07 cannot be deployed in eastus2: offered versions are 2025-09-01, 2025-10-01; fix models in cell A1 (or deployment.location).',
    ]);
    const raw = fake.find('GET', /\/models$/i)[0]!;
    const op = restOperationOf(raw);
    expect(op?.source).toContain('Models_List');
    expect(validateBody(models, op!.response!)).toEqual([]);
  });

  it('notes a model that is being deprecated, and does not check models without Foundry', async () => {
    const { fake, deploy } = setUp({});
    fake.on('GET', /\/locations\/eastus2\/models$/i, {
      status: 200,
      body: {
        value: [
          modelEntry('gpt-4o-mini', '2024-07-18', 'Deprecating', [
            { name: 'GlobalStandard', deprecationDate: '2099-03-31T00:00:00Z' },
          ]),
          modelEntry('gpt-4.1-nano', '2025-04-14'),
          modelEntry('gpt-5-mini', '2025-08-07'),
        ],
      },
    });
    const lines: string[] = [];
    await deploy((m) => lines.push(m));
    expect(lines).toContain(
      'Note: Model gpt-4o-mini 2024-07-18 is being deprecated in eastus2 (GlobalStandard until 2099-03-31T00:00:00Z): plan a newer version.',
    );
    const mock = setUp({ features: { enableFoundry: false } });
    await mock.deploy();
    expect(mock.fake.find('GET', /\/models$/i)).toHaveLength(0);
    expect(mock.fake.find('GET', /\/deletedAccounts$/i)).toHaveLength(0);
  });
});

describe('A2 run again (problem 8)', () => {
  it('does not PUT the APIM service again when it exists with the configured SKU', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    });
    await target.deploy();
    await target.deploy();
    const infraPuts = fake.find('PUT', /\/deployments\/apim-costing-infra-1$/i).map(parametersOf);
    expect(infraPuts.map((p) => p.createApim)).toEqual([true, false]);
    expect(fake.unexpected).toEqual([]);
  });

  it('updates the kit-made APIM when the configured SKU changed, and says so', async () => {
    const config = azureConfig({ deployment: { apimSku: 'StandardV2' } });
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    const names = azureResourceNames(config, SUB);
    const id = `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.ApiManagement/service/${names.apimName}`;
    fake.on('GET', new RegExp(`/service/${names.apimName}$`, 'i'), {
      status: 200,
      body: apimServiceBody(id, 'BasicV2'),
    });
    const lines: string[] = [];
    await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    }).deploy({ onProgress: (p) => lines.push(p.message) });
    const infra = parametersOf(fake.find('PUT', /\/deployments\/apim-costing-infra-1$/i)[0]!);
    expect(infra.createApim).toBe(true);
    expect(lines).toContain(
      `Note: APIM '${names.apimName}' is SKU BasicV2; deployment.apimSku is StandardV2, so cell A2 updates the service (this can take long).`,
    );
  });

  it('rejects an unknown APIM-side failure of a check with the action named', async () => {
    const { fake, deploy } = setUp(SHARED, apimServiceBody(SHARED_ID, 'BasicV2'));
    fake.on(
      'GET',
      /\/policyFragments\/extract-caller-id$/i,
      armError(403, 'AuthorizationFailed', 'The client does not have authorization.'),
    );
    await expect(deploy()).rejects.toThrow(
      "Not allowed while reading APIM policy fragment 'extract-caller-id' (403)",
    );
    expect(fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
