/**
 * The committed ARM JSON carries the artifacts unchanged: every policy in `bicep/main.json` is
 * byte-identical to its file in `policies/`, and the workbook is `workbook.json` with exactly the
 * six placeholders replaced by the parameters the azure target sends.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactPath, readArtifact } from '../../lib/artifacts/read-artifact.js';
import { infraParameters, mainParameters } from '../../lib/azure/azure-deploy.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import { modelPriceRows, WORKBOOK_PLACEHOLDERS } from '../../lib/pricing/pricing.js';
import { applyPublishDefaults } from '../../lib/workbook/publish-defaults.js';
import type { WorkbookDocument } from '../../lib/workbook/workbook-json.js';
import { azureConfig, SUB } from './arm-simulator.js';

interface ArmTemplate {
  metadata: { _generator: { name: string; version: string } };
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  variables: Record<string, unknown>;
  resources: Record<string, { type: string; name: string; properties?: Record<string, unknown> }>;
}

const template = (name: string): ArmTemplate =>
  JSON.parse(readFileSync(artifactPath('bicep', `${name}.json`), 'utf8')) as ArmTemplate;

/**
 * The resources of a module of `t` (a nested deployment, by symbolic name), by resource name's
 * last segment: the nested template lists them as an array.
 */
const moduleTemplate = (t: ArmTemplate, symbol: string): Pick<ArmTemplate, 'resources'> => {
  const nested = (t.resources[symbol]?.properties as { template?: { resources?: unknown } })
    ?.template?.resources;
  const list = (Array.isArray(nested) ? nested : []) as ArmTemplate['resources'][string][];
  const bySymbol: ArmTemplate['resources'] = {};
  for (const r of list) {
    if (r.type === 'Microsoft.Storage/storageAccounts') bySymbol.storage = r;
    if (r.type === 'Microsoft.Insights/workbooks') bySymbol.workbook = r;
  }
  return { resources: bySymbol };
};

/** ARM escapes a literal string that starts with `[` as `[[`. */
function unescapeArm(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('[[') ? value.slice(1) : value;
  if (Array.isArray(value)) return value.map(unescapeArm);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [String(unescapeArm(k)), unescapeArm(v)]),
    );
  return value;
}

/**
 * The value of a `[variables('name')]` expression. The two AI API policies are
 * `if(parameters('forceStreamIncludeUsage'), <file>, replace(<file>, <include>, ''))` (issue 13):
 * both branches must load the same file, and the `true` branch is returned.
 */
function variableOf(t: ArmTemplate, expression: unknown): unknown {
  const name = /^\[variables\('([^']+)'\)\]$/.exec(String(expression))?.[1];
  if (name === undefined) throw new Error(`not a variables() reference: ${String(expression)}`);
  const value = t.variables[name];
  const branches =
    /^\[if\(parameters\('forceStreamIncludeUsage'\), variables\('([^']+)'\), replace\(variables\('([^']+)'\), variables\('streamUsageInclude'\), ''\)\)\]$/.exec(
      String(value),
    );
  if (branches === null) return value;
  expect(t.variables[branches[1]!]).toBe(t.variables[branches[2]!]);
  return t.variables[branches[1]!];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const POLICY_RESOURCES: Record<string, string> = {
  costingPolicy: 'costing-api.xml',
  entraPolicy: 'entraid-api.xml',
  tokenTrackingPolicy: 'token-tracking-api.xml',
  tokenTrackingOperationPolicy: 'token-tracking-mock-operation.xml',
  aoaiPolicy: 'aoai-gateway-api.xml',
  aoaiChatPolicy: 'aoai-chat-completions-operation.xml',
  aoaiResponsesPolicy: 'aoai-responses-operation.xml',
  extractCallerIdFragment: 'fragments/extract-caller-id.xml',
  ensureIncludeUsageFragment: 'fragments/ensure-stream-include-usage.xml',
};

describe('compiled templates', () => {
  it('were built by the pinned official Bicep compiler', () => {
    const pinned = /<BicepCliVersion>([^<]+)<\/BicepCliVersion>/.exec(
      readFileSync(artifactPath('bicep', 'tools', 'bicep-cli.csproj'), 'utf8'),
    )?.[1];
    expect(pinned).toBe('0.49.2');
    for (const name of ['infra', 'main', 'cost-export']) {
      const generator = template(name).metadata._generator;
      expect(generator.name).toBe('bicep');
      expect(generator.version.startsWith(`${pinned ?? ''}.`)).toBe(true);
    }
  });

  it('main.json holds every policy byte-identical to its file in policies/, as format xml', () => {
    const main = template('main');
    for (const [symbol, file] of Object.entries(POLICY_RESOURCES)) {
      const resource = main.resources[symbol];
      expect(resource, symbol).toBeDefined();
      // Well-formed XML files (expressions escape `<`): format `xml` (policies/README.md).
      expect(resource?.properties?.format).toBe('xml');
      const inTemplate = unescapeArm(variableOf(main, resource?.properties?.value));
      expect(inTemplate, file).toBe(readFileSync(artifactPath('policies', file), 'utf8'));
    }
    // Every policy file is deployed (no file forgotten by the template).
    const files = filesUnder(artifactPath('policies')).map((f) =>
      path.relative(artifactPath('policies'), f).split(path.sep).join('/'),
    );
    // The budget fragment (issue 18) lives in modules/budget-limits.bicep, a nested template.
    const budget = main.resources.budgetLimits?.properties?.template as
      | {
          resources: { type: string; properties: { format?: string; value?: string } }[];
          variables: Record<string, string>;
        }
      | undefined;
    const budgetFragment = budget?.resources.find((r) => r.type.endsWith('/policyFragments'));
    expect(budgetFragment?.properties.format).toBe('xml');
    const budgetVar =
      /^\[variables\('([^']+)'\)\]$/.exec(String(budgetFragment?.properties.value))?.[1] ?? '';
    expect(unescapeArm(budget?.variables[budgetVar])).toBe(
      readFileSync(artifactPath('policies', 'fragments/budget-token-limit.xml'), 'utf8'),
    );
    expect(files.filter((f) => f.endsWith('.xml')).sort()).toEqual(
      [...Object.values(POLICY_RESOURCES), 'fragments/budget-token-limit.xml'].sort(),
    );
    // Fragment ids are the ones the policies include.
    const included = new Set(
      files.flatMap((f) =>
        [...readArtifact('policies', f).matchAll(/include-fragment\s+fragment-id="([^"]+)"/g)].map(
          (m) => m[1],
        ),
      ),
    );
    const fragmentNames = ['extractCallerIdFragment', 'ensureIncludeUsageFragment'].map(
      (s) => /'([^']+)'\)\]$/.exec(main.resources[s]?.name ?? '')?.[1],
    );
    expect([...included].sort()).toEqual([...fragmentNames, 'budget-token-limit'].sort());
  });

  it('main.json deploys the workbook the kit builds, with exactly its placeholders replaced', () => {
    const main = template('main');
    const text = readArtifact('workbook.json');
    // One serialization for A2 and F (issue 15): the template takes the built workbook.
    // In the kit's resource group (modules/kit-resources.bicep), which may not be the APIM's.
    const kit = moduleTemplate(main, 'kitResources');
    const resource = kit.resources.workbook;
    expect(resource?.type).toBe('Microsoft.Insights/workbooks');
    expect(resource?.name).toBe("[parameters('workbookId')]");
    expect(resource?.properties?.serializedData).toBe("[parameters('workbookData')]");
    expect(main.resources.kitResources?.properties).toMatchObject({
      parameters: { workbookData: { value: "[parameters('workbookData')]" } },
    });
    expect(main.parameters.workbookData?.type).toBe('string');
    expect(JSON.stringify(main)).not.toContain('__APIM_SKU__');

    expect([...new Set(text.match(/__[A-Z][A-Z0-9_]*__/g))].sort()).toEqual(
      [...WORKBOOK_PLACEHOLDERS].sort(),
    );
    const config = azureConfig();
    const names = azureResourceNames(config, SUB);
    const params = Object.fromEntries(
      Object.entries(mainParameters(config, names)).map(([k, v]) => [k, v.value]),
    );
    const deployed = String(params.workbookData);
    expect(deployed).not.toMatch(/__[A-Z][A-Z0-9_]*__/);
    // Every placeholder was replaced by the value the pricing tables and the names give.
    const values = {
      __APIM_SKU__: 'Basic v2',
      __BASE_MONTHLY_COST__: '150.01',
      __PER_K_RATE__: '0.003',
      __PROMPT_TOKEN_RATE__: '0.00025',
      __COMPLETION_TOKEN_RATE__: '0.002',
      __APP_INSIGHTS_ID__: `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.Insights/components/appi-apim-costing-1`,
      __MODEL_PRICES__: modelPriceRows(),
    };
    expect(Object.keys(values).sort()).toEqual([...WORKBOOK_PLACEHOLDERS].sort());
    let expected = text;
    for (const [placeholder, value] of Object.entries(values))
      expected = expected.split(placeholder).join(value);
    const expectedObject = JSON.parse(expected) as WorkbookDocument;
    // Beyond the placeholders, the build sets the parameter defaults that follow the configuration
    // (AI API ids, caller names) and the fallback workspace.
    applyPublishDefaults(expectedObject, config);
    const deployedObject = JSON.parse(deployed) as Record<string, unknown>;
    expect({ ...deployedObject, fallbackResourceIds: [] }).toEqual(expectedObject);
    expect(params).toMatchObject({
      appInsightsRef: {
        subscriptionId: SUB,
        resourceGroup: 'rg-apim-costing-1',
        name: 'appi-apim-costing-1',
      },
    });
  });

  it('the parameters the target sends are exactly what the templates declare', () => {
    const config = azureConfig();
    const names = azureResourceNames(config, SUB);
    for (const [name, sent] of [
      ['infra', infraParameters(config, names)],
      ['main', mainParameters(config, names)],
    ] as const) {
      const declared = template(name).parameters;
      expect(
        Object.keys(sent).filter((k) => !(k in declared)),
        name,
      ).toEqual([]);
      const required = Object.entries(declared)
        .filter(([, p]) => p.defaultValue === undefined)
        .map(([k]) => k);
      expect(
        required.filter((k) => !(k in sent)),
        name,
      ).toEqual([]);
    }
  });

  it('the storage account and export settings match the issue (no shared key, TLS 1.2, no public blobs)', () => {
    const main = template('main');
    expect(moduleTemplate(main, 'kitResources').resources.storage?.properties).toEqual({
      allowSharedKeyAccess: false,
      minimumTlsVersion: 'TLS1_2',
      allowBlobPublicAccess: false,
      supportsHttpsTrafficOnly: true,
    });
    const exportResource = Object.values(template('cost-export').resources).find(
      (r) => r.type === 'Microsoft.CostManagement/exports',
    );
    expect(exportResource).toMatchObject({
      identity: { type: 'SystemAssigned' },
      location: 'global',
      properties: { format: 'Csv', definition: { type: 'ActualCost', timeframe: 'MonthToDate' } },
    });
  });
});
