/**
 * Each bad input of issue 7 with the message the user sees.
 */
import { CredentialUnavailableError } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createAzureTarget } from '../../lib/azure/azure-target.js';
import { AzureDeploymentError, AzureRequestError } from '../../lib/azure/azure-errors.js';
import { KitError, TargetUnavailableError } from '../../lib/errors.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { FakeAzure, FakeCredential, armError } from './fake-azure.js';
import { azureConfig, installDeployRoutes, SUB, TENANT } from './arm-simulator.js';

/** What DefaultAzureCredential does when no sign-in method works. */
class NoCredential implements TokenCredential {
  async getToken(): Promise<AccessToken> {
    throw new CredentialUnavailableError(
      'DefaultAzureCredential failed to retrieve a token from the included credentials.',
    );
  }
}

describe('azure target: bad input', () => {
  it('no credentials: one line saying how to sign in', async () => {
    const fake = new FakeAzure();
    installDeployRoutes(fake, azureConfig());
    const target = createAzureTarget(azureConfig(), {
      credential: new NoCredential(),
      httpClient: fake,
    });
    const error = await target.deploy().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnavailableError);
    expect((error as Error).message).toBe(
      'No Azure credentials found: run `az login` (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET), then run cell A2 again.',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('a subscription the identity cannot see', async () => {
    const fake = new FakeAzure();
    fake.on(
      'GET',
      new RegExp(`^/subscriptions/${SUB}$`),
      armError(404, 'SubscriptionNotFound', `The subscription '${SUB}' could not be found.`),
    );
    const target = createAzureTarget(azureConfig(), {
      credential: new FakeCredential(),
      httpClient: fake,
    });
    await expect(target.deploy()).rejects.toThrow(
      `Subscription ${SUB} is not visible to the signed-in identity (404, SubscriptionNotFound: The subscription '${SUB}' could not be found.). ` +
        'Sign in with an account that has access (`az login`, then `az account set`), or fix azure.subscriptionId in cell A1.',
    );
  });

  it('no subscription configured: uses the only one the account sees, or asks to choose', async () => {
    const config = azureConfig({ azure: { tenantId: TENANT } });
    const several = new FakeAzure();
    several.on('GET', /^\/subscriptions$/, {
      status: 200,
      body: {
        value: [
          { subscriptionId: SUB, displayName: 'Dev' },
          { subscriptionId: '11111111-2222-4333-8444-555555555555', displayName: 'Prod' },
        ],
      },
    });
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: several,
    });
    await expect(target.resourceNames()).rejects.toThrow(
      `The signed-in identity can see 2 subscriptions (${SUB}, 11111111-2222-4333-8444-555555555555); set azure.subscriptionId in cell A1 (or AZURE_SUBSCRIPTION_ID) to choose one.`,
    );
    const one = new FakeAzure();
    one.on('GET', /^\/subscriptions$/, {
      status: 200,
      body: { value: [{ subscriptionId: SUB, tenantId: TENANT, displayName: 'Dev' }] },
    });
    const names = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: one,
    }).resourceNames();
    expect(names.subscriptionId).toBe(SUB);
    expect(one.requests[0]?.apiVersion).toBe('2022-12-01');

    // Neither subscription nor tenant configured: both come from the signed-in account.
    const bare = loadConfig({ target: 'azure' }, {});
    installDeployRoutes(one, bare);
    const signedIn = createAzureTarget(bare, {
      credential: new FakeCredential(),
      httpClient: one,
      pollIntervalMs: 1,
    });
    await signedIn.deploy();
    const links = await signedIn.portalLinks();
    expect(links[0]?.url).toBe(
      `https://portal.azure.com/#@${TENANT}/resource/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1`,
    );
    expect(one.find('GET', /^\/subscriptions$/)).toHaveLength(2);
  });

  it('a SKU or region the template rejects: ARM message and the fields to check', async () => {
    const config = azureConfig({ deployment: { location: 'westmars', apimSku: 'PremiumV2' } });
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    fake.on(
      'PUT',
      /\/deployments\/apim-costing-infra-1$/i,
      armError(
        400,
        'InvalidTemplateDeployment',
        "The template deployment 'apim-costing-infra-1' is not valid according to the validation procedure.",
        [
          {
            code: 'LocationNotAvailableForResourceType',
            message:
              "The provided location 'westmars' is not available for resource type 'Microsoft.ApiManagement/service'.",
          },
        ],
      ),
    );
    const error = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    })
      .deploy()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureDeploymentError);
    expect((error as Error).message).toBe(
      "Deployment 'apim-costing-infra-1' failed:\n" +
        "  - Microsoft.Resources/deployments 'apim-costing-infra-1': InvalidTemplateDeployment: The template deployment 'apim-costing-infra-1' is not valid according to the validation procedure. " +
        "(LocationNotAvailableForResourceType: The provided location 'westmars' is not available for resource type 'Microsoft.ApiManagement/service'.)\n" +
        "ARM rejected the template before deploying. Check deployment.location ('westmars') and deployment.apimSku ('PremiumV2') in cell A1, then run cell A2 again.",
    );
    expect(fake.find('PUT', /\/deployments\/apim-costing-main-1$/i)).toHaveLength(0);
  });

  it('a deployment still running from an earlier (cancelled) run', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    fake.on(
      'PUT',
      /\/deployments\/apim-costing-infra-1$/i,
      armError(
        409,
        'DeploymentActive',
        "Unable to edit or replace deployment 'apim-costing-infra-1': previous deployment from '11/27/2026 10:02:11' is still active.",
      ),
    );
    await expect(
      createAzureTarget(config, {
        credential: new FakeCredential(),
        httpClient: fake,
        pollIntervalMs: 1,
      }).deploy(),
    ).rejects.toThrow(
      "Deployment 'apim-costing-infra-1' is still running in Azure from an earlier run; wait until it finishes (resource group > Deployments in the portal), then run cell A2 again.",
    );
  });

  it('a resource that fails during the deployment: the failing resource and ARM message, not a stack', async () => {
    const config = azureConfig();
    const fake = new FakeAzure();
    installDeployRoutes(fake, config, { failMain: true });
    const error = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    })
      .deploy()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureDeploymentError);
    expect((error as AzureDeploymentError).failures).toEqual([
      {
        resourceType: 'Microsoft.ApiManagement/service/policyFragments',
        resourceName: 'apim/extract-caller-id',
        code: 'ValidationError',
        message: "'set-variable' is not allowed in a fragment here",
      },
    ]);
    expect((error as Error).message).toBe(
      "Deployment 'apim-costing-main-1' failed:\n" +
        "  - Microsoft.ApiManagement/service/policyFragments 'apim/extract-caller-id': ValidationError: 'set-variable' is not allowed in a fragment here\n" +
        'Fix the cause above (ARM says which resource and why), then run cell A2 again: deployments are incremental.',
    );
  });

  it('an existing APIM that is missing', async () => {
    const config = azureConfig({
      deployment: { apimName: 'apim-contoso-shared', resourceGroup: 'rg-shared' },
    });
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    fake.on('GET', /^\/subscriptions\/[^/]+\/resourcegroups\/rg-shared$/i, {
      status: 200,
      body: { id: 'x', name: 'rg-shared', location: 'eastus2', tags: {} },
    });
    fake.on(
      'GET',
      /\/providers\/Microsoft\.ApiManagement\/service\/apim-contoso-shared$/i,
      armError(
        404,
        'ResourceNotFound',
        "The Resource 'Microsoft.ApiManagement/service/apim-contoso-shared' under resource group 'rg-shared' was not found.",
      ),
    );
    const target = createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    });
    await expect(target.deploy()).rejects.toThrow(
      `APIM service 'apim-contoso-shared' was not found in resource group 'rg-shared' (subscription ${SUB}). ` +
        "Fix deployment.apimName and deployment.resourceGroup (or set deployment.apimResourceGroup to the APIM's group) in cell A1, or remove apimName to let the kit create one.",
    );
    expect(fake.find('GET', /apim-contoso-shared$/i)[0]?.apiVersion).toBe('2024-05-01');
    expect(fake.find('PUT', /\/deployments\//i)).toHaveLength(0);
  });

  it('ARM throttling: the SDK retries after Retry-After, then the user gets a clear message', async () => {
    const config = azureConfig({
      businessUnits: [{ name: 'bu-hr', displayName: 'HR', weight: 1 }],
    });
    const fake = new FakeAzure();
    installDeployRoutes(fake, config);
    const throttled = (): { status: number; headers: Record<string, string>; body: unknown } => ({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'TooManyRequests', message: 'The request is being throttled.' } },
    });
    // One 429, then the answer: the retry is transparent.
    fake.on('POST', /\/listSecrets$/i, (_r, call) =>
      call === 1
        ? throttled()
        : { status: 200, body: { primaryKey: 'pk-after-retry', secondaryKey: 's' } },
    );
    const started = Date.now();
    const deployment = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: fake,
      pollIntervalMs: 1,
    }).deploy();
    expect(deployment.subscriptions[0]?.primaryKey).toBe('pk-after-retry');
    // The BU's key (one 429, one retry), then the two APIs' own keys.
    expect(fake.find('POST', /\/listSecrets$/i)).toHaveLength(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    // Always 429: after the SDK's retries the message says what happened and what to do.
    const always = new FakeAzure();
    installDeployRoutes(always, config);
    always.on('POST', /\/listSecrets$/i, throttled);
    const error = await createAzureTarget(config, {
      credential: new FakeCredential(),
      httpClient: always,
      pollIntervalMs: 1,
    })
      .deploy()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureRequestError);
    expect((error as AzureRequestError).statusCode).toBe(429);
    expect((error as Error).message).toBe(
      "Azure is throttling requests (429) while listing the keys of subscription bu-hr, and the SDK's retries did not get through: TooManyRequests: The request is being throttled.. Wait a minute and run the cell again.",
    );
    expect(always.find('POST', /\/listSecrets$/i).length).toBeGreaterThan(1);
    expect(error).toBeInstanceOf(KitError);
  }, 30_000);
});
