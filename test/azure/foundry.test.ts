/**
 * The Foundry environment on Azure (issue 13, item 8): a Foundry project under the AI Services
 * account (bicep/modules/foundry.bicep), what `bicep snapshot` predicts ARM creates for it (checked
 * against the 2025-06-01 REST definitions, api-version included), the outputs cell A2 reads, and
 * the links cell F prints: the project in the Foundry portal and in the Azure portal, and the AI
 * Services account with the model deployments.
 */
import { describe, expect, it } from 'vitest';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import { deployedTarget, SUB, TENANT } from './arm-simulator.js';
import { REST_OPERATIONS, validateBody, type RestOperation } from './rest-definitions.js';
import { loadSnapshot, MATRIX, matrixConfig, type PredictedResource } from './snapshots.js';

const RG = 'rg-apim-costing-1';
const byOperation = (name: string): RestOperation => {
  const found = REST_OPERATIONS.find((op) => op.source.includes(`(${name},`));
  if (found === undefined) throw new Error(`no REST definition for ${name}`);
  return found;
};
const ofType = (resources: PredictedResource[], type: string): PredictedResource[] =>
  resources.filter((r) => r.type === type);

describe('Foundry project in the templates', () => {
  const entry = MATRIX.configurations.find((e) => e.name === 'default')!;
  const names = azureResourceNames(matrixConfig(entry), MATRIX.subscriptionId);
  const resources = loadSnapshot('default.main').predictedResources;

  it('creates one project under the AI Services account, which allows project management', () => {
    const [account] = ofType(resources, 'Microsoft.CognitiveServices/accounts');
    const projects = ofType(resources, 'Microsoft.CognitiveServices/accounts/projects');
    expect(account?.properties).toMatchObject({
      allowProjectManagement: true,
      customSubDomainName: names.aiServicesName,
      disableLocalAuth: true,
    });
    expect(account?.identity).toEqual({ type: 'SystemAssigned' });
    expect(projects.map((p) => p.id)).toEqual([
      `/subscriptions/${MATRIX.subscriptionId}/resourceGroups/${names.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${names.aiServicesName}/projects/${names.foundryProjectName}`,
    ]);
    expect(projects[0]).toMatchObject({
      location: 'eastus2',
      identity: { type: 'SystemAssigned' },
      tags: { 'apim-costing-kit': '1' },
      properties: { displayName: 'APIM Costing & Showback' },
    });
    // The model deployments the project shows are the account's.
    expect(
      ofType(resources, 'Microsoft.CognitiveServices/accounts/deployments').map((d) =>
        d.id.startsWith(String(account?.id)),
      ),
    ).toEqual([true, true, true]);
  });

  it('sends bodies and api-versions the 2025-06-01 REST definitions describe', () => {
    for (const [type, operation] of [
      ['Microsoft.CognitiveServices/accounts', 'Accounts_Create'],
      ['Microsoft.CognitiveServices/accounts/projects', 'Projects_Create'],
    ] as const) {
      const definition = byOperation(operation);
      const [resource] = ofType(resources, type);
      expect(resource, type).toBeDefined();
      expect(resource!.apiVersion, type).toBe(definition.apiVersion);
      expect(definition.path.test(resource!.id), resource!.id).toBe(true);
      expect(validateBody(resource, definition.body!), type).toEqual([]);
    }
    // The checker would catch an identity type the definition does not allow.
    expect(
      validateBody({ identity: { type: 'Managed' } }, byOperation('Projects_Create').body!),
    ).toEqual([
      "identity.type: 'Managed' is not one of None, SystemAssigned, UserAssigned, SystemAssigned, UserAssigned",
    ]);
  });

  it('creates no project without Foundry', () => {
    for (const base of ['foundry-off.main', 'existing-apim-foundry-off.main']) {
      const r = loadSnapshot(base).predictedResources;
      expect(ofType(r, 'Microsoft.CognitiveServices/accounts/projects'), base).toEqual([]);
      expect(ofType(r, 'Microsoft.CognitiveServices/accounts'), base).toEqual([]);
    }
  });
});

describe('Foundry project over the fake transport (cells A2 and F)', () => {
  it('A2 exposes the project (name, id, endpoint) and its account from the template outputs', async () => {
    const { deployment, mainParameters, config } = await deployedTarget();
    const names = azureResourceNames(config, SUB);
    const accountId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.CognitiveServices/accounts/${names.aiServicesName}`;
    expect(mainParameters.foundryProjectName).toBe('proj-apim-costing-1');
    expect(deployment.aoai?.foundry).toEqual({
      projectName: 'proj-apim-costing-1',
      projectId: `${accountId}/projects/proj-apim-costing-1`,
      projectEndpoint: `https://${names.aiServicesName}.services.ai.azure.com/api/projects/proj-apim-costing-1`,
      accountId,
    });
  });

  it('F links the project in the Foundry portal and the Azure portal, and the AI Services account', async () => {
    const { fake, target, deployment } = await deployedTarget();
    fake.on('PUT', /\/providers\/Microsoft\.Insights\/workbooks\/[^/]+$/, (r) => ({
      status: 200,
      body: { id: r.path, name: r.path.split('/').pop(), ...(r.body as object) },
    }));
    const published = await target.publishWorkbook({
      serializedData: '{"version":"Notebook/1.0","items":[]}',
      displayName: 'APIM Costing & Showback (1)',
    });
    const foundry = deployment.aoai!.foundry!;
    const links = Object.fromEntries(published.links.map((l) => [l.label, l.url]));
    expect(links['Foundry project proj-apim-costing-1 (Foundry portal)']).toBe(
      `https://ai.azure.com/resource/overview?wsid=${foundry.projectId}&tid=${TENANT}`,
    );
    expect(links['Foundry project proj-apim-costing-1 (Azure portal)']).toBe(
      `https://portal.azure.com/#@${TENANT}/resource${foundry.projectId}`,
    );
    expect(links['Azure AI Services (model deployments)']).toBe(
      `https://portal.azure.com/#@${TENANT}/resource${foundry.accountId}`,
    );
  });

  it('without Foundry there is no project and no Foundry link', async () => {
    const { target, deployment } = await deployedTarget({ features: { enableFoundry: false } });
    expect(deployment.aoai).toBeUndefined();
    const labels = (await target.portalLinks()).map((l) => l.label);
    expect(labels.filter((l) => /Foundry|AI Services/.test(l))).toEqual([]);
  });
});
