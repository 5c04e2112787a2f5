/**
 * What would fail or mislead on a real subscription (issue 15), one block per problem, each
 * checked against what Azure documents rather than against the emulator: the workbook's app()
 * argument, the service-level diagnostic, the export body, return-response, the LLM log join,
 * the workbook main.bicep deploys, api-versions and forward-request.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { artifactPath, readArtifact } from '../../lib/artifacts/read-artifact.js';
import { executeQuery, loadQuery } from '../../lib/kql/index.js';
import { buildApiCatalog } from '../../lib/local/api-catalog.js';
import { loadPolicies } from '../../lib/local/policy-engine.js';
import { publishWorkbook } from '../../lib/publish/publish-workbook.js';
import { MemorySource } from '../kql/memory-source.js';
import { deployedTarget, installExportCreation } from './arm-simulator.js';
import { restOperationOf, validateBody } from './rest-definitions.js';

interface ArmResource {
  type: string;
  name: string;
  apiVersion: string;
  properties?: Record<string, unknown>;
}
const templateResources = (name: string): ArmResource[] =>
  Object.values(
    (
      JSON.parse(readFileSync(artifactPath('bicep', `${name}.json`), 'utf8')) as {
        resources: Record<string, ArmResource>;
      }
    ).resources,
  );

/** Every `app('...')` argument in a workbook's queries. */
function appArguments(serializedData: string): string[] {
  return [...serializedData.matchAll(/app\(\s*'([^']*)'\s*\)/g)].map((m) => m[1] ?? '');
}

describe('problem 1: the workbook names App Insights by id in app()', () => {
  it('the workbook main.bicep deploys passes the component resource id, not its name, to app()', async () => {
    const { mainParameters, deployment } = await deployedTarget();
    const deployed = mainParameters.workbookData;
    expect(typeof deployed, 'main.bicep takes the built workbook as workbookData').toBe('string');
    const args = appArguments(String(deployed));
    expect(args.length).toBeGreaterThan(0);
    expect([...new Set(args)]).toEqual([deployment.appInsights.resourceId]);
    expect(deployment.appInsights.resourceId).toMatch(
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Insights\/components\/[^/]+$/,
    );
  });
});

describe('problem 2: the service-level azuremonitor diagnostic', () => {
  it('main.json deploys service/diagnostics azuremonitor to the built-in azuremonitor logger', () => {
    const diagnostic = templateResources('main').find(
      (r) => r.type === 'Microsoft.ApiManagement/service/diagnostics',
    );
    expect(diagnostic, 'a Microsoft.ApiManagement/service/diagnostics resource').toBeDefined();
    expect(diagnostic?.name).toContain("'azuremonitor'");
    expect(String(diagnostic?.properties?.loggerId)).toContain('/loggers/azuremonitor');
  });
});

describe('problem 5: the Cost Management export body', () => {
  it('B2 sends a body the 2025-03-01 exports definition accepts (compressionMode None)', async () => {
    const { fake, target } = await deployedTarget({}, { roleRetry: { attempts: 1, delayMs: 1 } });
    const exportPath = installExportCreation(fake);
    await target.createCostExport();
    const put = fake.find('PUT', exportPath)[0];
    expect(put).toBeDefined();
    const operation = restOperationOf(put!);
    expect(operation?.source).toContain('costmanagement.exports.json');
    expect(validateBody(put!.body, operation!.body!)).toEqual([]);
    // The checker itself: the value the kit used to send is outside the enum.
    expect(
      validateBody(
        {
          properties: {
            deliveryInfo: { destination: { container: 'c' } },
            definition: { type: 'ActualCost', timeframe: 'MonthToDate' },
            compressionMode: 'none',
          },
        },
        operation!.body!,
      ),
    ).toEqual(["properties.compressionMode: 'none' is not one of gzip, snappy, None"]);
  });

  it('cost-export.bicep uses a compressionMode of the same definition', () => {
    const exportResource = templateResources('cost-export').find(
      (r) => r.type === 'Microsoft.CostManagement/exports',
    );
    expect(['gzip', 'snappy', 'None']).toContain(exportResource?.properties?.compressionMode);
  });
});

describe('problem 6: return-response ends the pipeline', () => {
  it('every operation that answers with return-response sets x-ms-request-id inside it, and has no outbound steps', () => {
    const catalog = buildApiCatalog('costing-');
    const policies = loadPolicies(artifactPath('policies'), catalog);
    let checked = 0;
    for (const api of catalog) {
      for (const op of api.operations) {
        const compiled = policies.forOperation(api.id, op.id);
        const rr = compiled.inbound.find((s) => s.kind === 'return-response');
        if (rr === undefined || rr.kind !== 'return-response') continue;
        checked += 1;
        expect(compiled.outbound, `${api.id} ${op.id}: outbound never runs on APIM`).toEqual([]);
        expect(
          rr.headers.map((h) => h.name.toLowerCase()),
          `${api.id} ${op.id}: the request id header must be set where APIM sends it`,
        ).toContain('x-ms-request-id');
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe('problem 7: the LLM log is classified by the gateway log OperationId', () => {
  it('token-ingestion-check.kql finds the API surface by joining on CorrelationId, whatever OperationName holds', () => {
    const now = new Date().toISOString();
    const llm = (id: string, tokens: number | null): Record<string, unknown> => ({
      TimeGenerated: now,
      CorrelationId: id,
      // What a resource log usually carries here: a category-style name, not the APIM operation id.
      OperationName: 'Microsoft.ApiManagement/GatewayLlmLogs',
      TotalTokens: tokens,
      PromptTokens: tokens === null ? null : 10,
      CompletionTokens: tokens === null ? null : tokens - 10,
    });
    const gateway = (id: string, operationId: string): Record<string, unknown> => ({
      TimeGenerated: now,
      CorrelationId: id,
      OperationId: operationId,
      ApiId: 'costing-aoai-gateway-api',
      ApimSubscriptionId: 'bu-hr',
      ResponseCode: 200,
    });
    const source = new MemorySource({
      ApiManagementGatewayLlmLog: [llm('a', null), llm('a', 30), llm('b', 50)] as never,
      ApiManagementGatewayLogs: [
        gateway('a', 'chat-completions-create'),
        gateway('b', 'responses-create'),
      ] as never,
    });
    const result = executeQuery(loadQuery('token-ingestion-check').text, source);
    const surface = result.table.columns.findIndex((c) => c.name === 'ApiSurface');
    const requests = result.table.columns.findIndex((c) => c.name === 'AiRequests');
    expect(result.table.rows.map((r) => [r[surface], r[requests]])).toEqual([
      ['Chat Completions', 1],
      ['Responses', 1],
    ]);
  });
});

describe('problem 8: smaller ones', () => {
  it('the workbook main.bicep deploys is the one cell F publishes', async () => {
    const { fake, target, mainParameters } = await deployedTarget();
    fake.on('PUT', /\/providers\/Microsoft\.Insights\/workbooks\/[^/]+$/, (r) => ({
      status: 200,
      body: { id: r.path, ...(r.body as object) },
    }));
    await publishWorkbook(target);
    const published = fake.find('PUT', /\/workbooks\//)[0]?.body as {
      properties: { serializedData: string };
    };
    expect(typeof mainParameters.workbookData).toBe('string');
    expect(JSON.parse(String(mainParameters.workbookData))).toEqual(
      JSON.parse(published.properties.serializedData),
    );
  });

  it('the Bicep linter rule use-recent-api-versions is on, and no template keeps 2024-06-01-preview', () => {
    const config = JSON.parse(readArtifact('bicep', 'bicepconfig.json')) as {
      analyzers: { core: { rules: Record<string, { level: string }> } };
    };
    expect(config.analyzers.core.rules['use-recent-api-versions']?.level).toBe('warning');
    for (const name of ['infra', 'main', 'cost-export'])
      expect(readArtifact('bicep', `${name}.json`), name).not.toContain('2024-06-01-preview');
  });

  it('the AOAI API forwards with the default buffering, as the original sample does', () => {
    const policy = readArtifact('policies', 'aoai-gateway-api.xml');
    expect(policy).toMatch(/<forward-request\s*\/>/);
    expect(policy).not.toContain('buffer-response');
  });
});
