/**
 * Cell E4 on Azure over the fake transport: the export's newest complete run read from the
 * storage account with the user's credential (List Blobs, Get Blob as the Blob REST API answers
 * them), parsed as the bill reads it, and the allocation rows sent through the data collection
 * rule (Logs Ingestion API upload: gzipped JSON array, 204). The DCR, endpoint and custom table
 * come from the compiled template, tied to the schema file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { parseExportRun } from '../../lib/bill/parse-export.js';
import { partFileName } from '../../lib/common/cost-export-blobs.js';
import type { CostAllocationRow } from '../../lib/target.js';
import { allocateBill } from '../../lib/bill/allocate-bill.js';
import { CostExportNotReadyError } from '../../lib/errors.js';
import {
  DCR_IMMUTABLE_ID,
  deployedTarget,
  exportRun as runOf,
  LOGS_INGESTION_ENDPOINT,
  SUB,
} from './arm-simulator.js';
import { installBlobRoutes } from './blob-routes.js';
import { exportRunBlobs as exportRun, FOLDER, focusRow as row } from './export-blobs.js';
import { FakeCredential } from './fake-azure.js';
import { loadSnapshot } from './snapshots.js';

const SCHEMA = JSON.parse(readFileSync('schemas/ApimCostAllocation_CL.json', 'utf8')) as {
  table: string;
  columns: { name: string; type: string }[];
};
function allocationRow(to: string, cost: number): CostAllocationRow {
  return {
    TimeGenerated: '2026-12-02T10:00:00.000Z',
    BillingPeriodStart: '2026-12-01T00:00:00.000Z',
    ChargePeriodStart: '2026-12-01T00:00:00.000Z',
    AllocatedTo: to,
    Reason: '',
    ResourceId: `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.ApiManagement/service/apim`,
    ServiceName: 'API Management',
    Meter: 'API Management unit hours',
    AllocatedMethodId: 'apim-request-share',
    AllocatedRatio: 0.5,
    UsageQuantity: 10,
    UsageUnit: 'Requests',
    BilledCostUsd: cost,
    EstimateUsd: cost,
    RunId: 'run-2',
  };
}

describe('azure target: cell E4 reads the export with the user credential over the injected transport', () => {
  it('lists the export folder and downloads the newest complete run through the fake (Blob REST shapes)', async () => {
    const credential = new FakeCredential();
    const { fake, target, deployment } = await deployedTarget({}, { credential });
    const blobs = new Map([
      ...exportRun('run-1', '2026-12-01T06:00:00Z', [
        row('Microsoft.ApiManagement/service/apim', 'API Management unit hours', '1.00'),
      ]),
      ...exportRun('run-2', '2026-12-02T06:00:00Z', [
        row('Microsoft.ApiManagement/service/apim', 'API Management unit hours', '2.40'),
        row('Microsoft.Storage/storageAccounts/st', 'Hot LRS data stored', '0.01'),
      ]),
      // A run still being written: data file, no manifest yet.
      [`${FOLDER}20261201-20261231/run-3/${partFileName(1)}`, 'partial'],
    ]);
    installBlobRoutes(fake, {
      account: deployment.storage.accountName,
      container: 'cost-exports',
      blobs,
      pageSize: 2,
    });

    const read = await target.readCostExport();
    expect(fake.unexpected).toEqual([]);
    const host = `${deployment.storage.accountName}.blob.core.windows.net`;
    const storage = fake.requests.filter((r) => r.host === host);
    // Paged listing (NextMarker followed), then the manifests and the newest run's data file.
    expect(storage.filter((r) => r.query.get('comp') === 'list').length).toBe(3);
    expect(storage.every((r) => r.headers['authorization'] === 'Bearer fake-token')).toBe(true);
    expect(credential.scopes).toContain('https://storage.azure.com/.default');
    expect(read.inProgress).toEqual([`${FOLDER}20261201-20261231/run-3/`]);
    expect(read.run?.manifestPath).toBe(`${FOLDER}20261201-20261231/run-2/manifest.json`);
    expect(read.run?.blobs.map((b) => b.name)).toEqual([
      `${FOLDER}20261201-20261231/run-2/part_0_0001.csv`,
    ]);
    // The run-1 data file is never downloaded: only what the newest manifest lists.
    expect(storage.some((r) => r.method === 'GET' && r.path.includes('/run-1/part_'))).toBe(false);

    const parsed = parseExportRun(read, read.run!);
    expect(parsed.lines.map((l) => l.billedUsd)).toEqual([2.4, 0.01]);
  });

  it('says which data role the user needs when Storage answers 403', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('GET', /^\/cost-exports$/, {
      status: 403,
      headers: {
        'content-type': 'application/xml',
        'x-ms-error-code': 'AuthorizationPermissionMismatch',
      },
      body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>',
    });
    await expect(target.readCostExport()).rejects.toThrow(/Storage Blob Data Reader role/);
  });
});

describe('azure target: cell E4 ingests through the data collection rule', () => {
  it('uploads the rows gzipped to the DCE endpoint, rule and stream the deployment output', async () => {
    const credential = new FakeCredential();
    const { fake, target } = await deployedTarget({}, { credential });
    const upload = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/;
    fake.on('POST', upload, (r) =>
      r.headers['content-encoding'] === 'gzip' && Array.isArray(r.body)
        ? { status: 204 }
        : {
            status: 400,
            body: { error: { code: 'InvalidContentEncoding', message: 'gzip expected' } },
          },
    );
    const rows = [allocationRow('bu-hr', 1.2), allocationRow('bu-finance', 1.2)];
    const outcome = await target.ingestCostAllocation(rows);
    expect(fake.unexpected).toEqual([]);
    expect(outcome.status).toBe('done');
    const sent = fake.find('POST', upload);
    expect(sent).toHaveLength(1);
    expect(`https://${sent[0]!.host}`).toBe(LOGS_INGESTION_ENDPOINT);
    expect(sent[0]!.path).toBe(
      `/dataCollectionRules/${DCR_IMMUTABLE_ID}/streams/Custom-ApimCostAllocation_CL`,
    );
    expect(sent[0]!.apiVersion).toBe('2023-01-01');
    expect(
      credential.scopes.some((s) => /^https:\/\/monitor\.azure\.com\/+\.default$/.test(s)),
    ).toBe(true);
    expect(sent[0]!.body).toEqual(rows);
    // Every field sent is a column the stream declares (the schema file), and none is missing.
    for (const r of sent[0]!.body as Record<string, unknown>[])
      expect(Object.keys(r).sort()).toEqual(SCHEMA.columns.map((c) => c.name).sort());
  });

  it('names Monitoring Metrics Publisher on the rule when the upload is refused', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('POST', /^\/dataCollectionRules\//, {
      status: 403,
      body: {
        error: {
          code: 'OperationFailed',
          message:
            'The authentication token provided does not have access to ingest data for the data collection rule with immutable Id.',
        },
      },
    });
    await expect(target.ingestCostAllocation([allocationRow('bu-hr', 1)])).rejects.toThrow(
      `your sign-in needs Monitoring Metrics Publisher on data collection rule ${DCR_IMMUTABLE_ID}`,
    );
  });
});

/** A credential whose ARM token carries the signed-in user's object id (claims only; unsigned). */
class SignedInCredential implements TokenCredential {
  constructor(readonly oid: string) {}
  async getToken(): Promise<AccessToken> {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return {
      token: `${b64({ alg: 'none' })}.${b64({ oid: this.oid, idtyp: 'user' })}.`,
      expiresOnTimestamp: Date.now() + 3_600_000,
    };
  }
}

describe('bicep: the custom table, endpoint and rule of ApimCostAllocation_CL', () => {
  it('declare the schema file columns (one home), route the stream to the table, and grant the deployer Monitoring Metrics Publisher', async () => {
    const { mainParameters } = await deployedTarget(
      {},
      { credential: new SignedInCredential('4f6e8d2c-1b3a-4c5d-9e7f-0a1b2c3d4e5f') },
    );
    expect(mainParameters['costAllocationPrincipalId']).toBe(
      '4f6e8d2c-1b3a-4c5d-9e7f-0a1b2c3d4e5f',
    );
    expect(mainParameters['costAllocationPrincipalType']).toBe('User');

    const snapshot = loadSnapshot('ingestion-principal.main') as unknown as {
      predictedResources: {
        type: string;
        name: string;
        id: string;
        properties: Record<string, unknown>;
      }[];
    };
    const of = (type: string) => snapshot.predictedResources.filter((r) => r.type === type);
    const [table] = of('Microsoft.OperationalInsights/workspaces/tables');
    const expected = SCHEMA.columns.map((c) => ({
      name: c.name,
      type: c.type === 'datetime' ? 'dateTime' : c.type,
    }));
    expect(table?.name).toBe(`log-apim-costing-1/${SCHEMA.table}`);
    const columns = (table?.properties['schema'] as { columns: { name: string; type: string }[] })
      .columns;
    expect(columns.map((c) => ({ name: c.name, type: c.type }))).toEqual(expected);

    const [rule] = of('Microsoft.Insights/dataCollectionRules');
    const [endpoint] = of('Microsoft.Insights/dataCollectionEndpoints');
    const p = rule!.properties as {
      dataCollectionEndpointId: string;
      streamDeclarations: Record<string, { columns: { name: string; type: string }[] }>;
      dataFlows: { streams: string[]; outputStream: string; destinations: string[] }[];
      destinations: { logAnalytics: { name: string; workspaceResourceId: string }[] };
    };
    expect(p.dataCollectionEndpointId).toBe(endpoint!.id);
    expect(p.streamDeclarations[`Custom-${SCHEMA.table}`]?.columns).toEqual(
      SCHEMA.columns.map((c) => ({ name: c.name, type: c.type })),
    );
    expect(p.dataFlows).toEqual([
      {
        streams: [`Custom-${SCHEMA.table}`],
        destinations: ['workspace'],
        transformKql: 'source',
        outputStream: `Custom-${SCHEMA.table}`,
      },
    ]);
    expect(p.destinations.logAnalytics[0]?.workspaceResourceId).toMatch(
      /\/workspaces\/log-apim-costing-1$/,
    );

    const roles = of('Microsoft.Authorization/roleAssignments').filter((r) =>
      String(r.id).startsWith(rule!.id),
    );
    expect(roles).toHaveLength(1);
    expect(roles[0]!.properties).toMatchObject({
      principalId: '4f6e8d2c-1b3a-4c5d-9e7f-0a1b2c3d4e5f',
      principalType: 'User',
      roleDefinitionId: expect.stringMatching(
        /roleDefinitions\/3913510d-42f4-4e42-8a64-420c390055eb$/,
      ),
    });
    // Without an object id in the token (the default fake), no assignment is made.
    const plain = loadSnapshot('default.main') as unknown as typeof snapshot;
    expect(
      plain.predictedResources.filter(
        (r) =>
          r.type === 'Microsoft.Authorization/roleAssignments' &&
          String(r.id).includes('dataCollectionRules'),
      ),
    ).toEqual([]);
  });
});

describe('azure target: cell E4 before the export has delivered (bad input)', () => {
  it('no run yet: says to run B3 and how long the first run takes on Azure', async () => {
    const { fake, target, deployment } = await deployedTarget();
    installBlobRoutes(fake, {
      account: deployment.storage.accountName,
      container: 'cost-exports',
      blobs: new Map(),
    });
    await expect(allocateBill(target)).rejects.toThrow(
      /No complete run of export apim-costing-export-1 in .*\/cost-exports\/apim-costing\/apim-costing-export-1\/ yet: run cell B3\. On Azure .* within 4 hours of its start/,
    );
  });

  it('a run still being written (data file, no manifest): says to wait, names the folder', async () => {
    const { fake, target, deployment } = await deployedTarget();
    installBlobRoutes(fake, {
      account: deployment.storage.accountName,
      container: 'cost-exports',
      blobs: new Map([[`${FOLDER}20261201-20261231/run-9/${partFileName(1)}`, 'BilledCost\r\n']]),
    });
    const e = await allocateBill(target).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CostExportNotReadyError);
    expect((e as CostExportNotReadyError).inProgress).toBe(true);
    expect((e as Error).message).toBe(
      `The export run in ${FOLDER}20261201-20261231/run-9/ is still being written (no manifest yet): wait for it to finish (cell B3 waits for it) and run this cell again.`,
    );
  });

  it('B3 on a run still in progress at its time limit: says it goes on in Azure and to run B3 again', async () => {
    const { fake, target } = await deployedTarget();
    fake.on('POST', /\/exports\/apim-costing-export-1\/run$/, { status: 200 });
    fake.on('GET', /\/runHistory$/, {
      status: 200,
      body: { value: [runOf('InProgress', new Date().toISOString())] },
    });
    const progress: string[] = [];
    await expect(
      target.runCostExport({ timeoutMs: 30, onProgress: (p) => progress.push(p.message) }),
    ).rejects.toThrow(
      'The Cost Management export run is still InProgress after 0 min; it goes on in Azure: run cell B3 again later to see how it ended.',
    );
    expect(progress[0]).toBe('Export run inprogress');
  });
});
