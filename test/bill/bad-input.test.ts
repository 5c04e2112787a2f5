/**
 * Cell E4's bad input, on the pure reader and allocation: another export's or scope's run, a
 * non-FOCUS dataset, a missing file, a truncated or malformed file (name and line, nothing
 * allocated), a non-USD bill (refused), an unknown resource (a named shared line), and the
 * cent-exact split.
 */
import { describe, expect, it } from 'vitest';
import { allocateLines, REASONS } from '../../lib/bill/allocate.js';
import { splitCents } from '../../lib/bill/cents.js';
import { parseExportRun, type CostLine } from '../../lib/bill/parse-export.js';
import { FOCUS_EXPORT_COLUMNS } from '../../lib/common/focus.js';
import { CostExportFileError, CostExportNotReadyError } from '../../lib/errors.js';
import { allocateBill } from '../../lib/bill/allocate-bill.js';
import type { CostExportRead } from '../../lib/target.js';

const EXPORT_ID =
  '/subscriptions/s/providers/Microsoft.CostManagement/exports/apim-costing-export-1';
const RUN = 'apim-costing/apim-costing-export-1/20261201-20261231/r1/';

function csv(rows: Record<string, string>[]): string {
  const head = FOCUS_EXPORT_COLUMNS.join(',');
  return (
    [head, ...rows.map((r) => FOCUS_EXPORT_COLUMNS.map((c) => r[c] ?? '').join(','))].join('\r\n') +
    '\r\n'
  );
}
const row = (over: Record<string, string> = {}): Record<string, string> => ({
  BilledCost: '0.88',
  ListCost: '1',
  BillingCurrency: 'USD',
  ChargePeriodStart: '2026-12-02T00:00:00.000Z',
  ChargePeriodEnd: '2026-12-03T00:00:00.000Z',
  ConsumedQuantity: '2',
  ResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim',
  ResourceName: 'apim',
  ServiceName: 'API Management',
  SubAccountId: '/subscriptions/s',
  x_ResourceGroupName: 'rg',
  x_SkuMeterName: 'Basic v2 API Management unit hours',
  ...over,
});
function read(text: string, manifest: Record<string, unknown> = {}): CostExportRead {
  const rows = text.trim().split('\r\n').length - 1;
  return {
    exportName: 'apim-costing-export-1',
    exportId: EXPORT_ID,
    folder: 'apim-costing/apim-costing-export-1/',
    inProgress: [],
    run: {
      account: 'st',
      container: 'cost-exports',
      manifestPath: `${RUN}manifest.json`,
      blobs: [{ name: `${RUN}part_0_0001.csv`, text }],
      manifest: {
        exportConfig: {
          exportName: 'apim-costing-export-1',
          resourceId: EXPORT_ID,
          type: 'FocusCost',
        },
        runInfo: { runId: 'r1', startDate: '2026-12-01', endDate: '2026-12-31' },
        blobs: [{ blobName: `${RUN}part_0_0001.csv`, dataRowCount: rows }],
        ...manifest,
      },
    },
  };
}
const parseOf = (r: CostExportRead) => parseExportRun(r, r.run!);

describe('the export reader refuses what it cannot allocate', () => {
  it('reads a good file', () => {
    expect(parseOf(read(csv([row()]))).lines).toHaveLength(1);
  });
  it('names a run of another export or scope', () => {
    const r = read(csv([row()]), {
      exportConfig: {
        exportName: 'finance-export',
        resourceId:
          '/providers/Microsoft.Billing/billingAccounts/1/providers/Microsoft.CostManagement/exports/finance-export',
        type: 'FocusCost',
      },
    });
    expect(() => parseOf(r)).toThrow(/belongs to export 'finance-export'.*another export or scope/);
  });
  it('refuses a dataset other than FocusCost', () => {
    const r = read(csv([row()]), {
      exportConfig: {
        exportName: 'apim-costing-export-1',
        resourceId: EXPORT_ID,
        type: 'ActualCost',
      },
    });
    expect(() => parseOf(r)).toThrow(/'ActualCost', not FocusCost/);
  });
  it('says which line of a truncated file is cut, and allocates nothing', () => {
    const whole = csv([row(), row(), row()]);
    const cut = whole.slice(0, whole.length - 40);
    const r = read(cut, { blobs: [{ blobName: `${RUN}part_0_0001.csv`, dataRowCount: 3 }] });
    const err = (() => {
      try {
        parseOf(r);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CostExportFileError);
    expect((err as CostExportFileError).line).toBe(4);
    expect(String((err as Error).message)).toMatch(
      /part_0_0001\.csv, line 4: .*Nothing was allocated\./,
    );
  });
  it('says which line of a malformed file is wrong', () => {
    const r = read(csv([row(), row({ BilledCost: 'n/a' })]));
    expect(() => parseOf(r)).toThrow(/line 3: BilledCost is 'n\/a', not a number/);
  });
  it('refuses a file without the FOCUS columns', () => {
    const r = read('Date,Cost\r\n2026-12-01,1\r\n');
    expect(() => parseOf(r)).toThrow(/line 1: the header lacks the FOCUS columns/);
  });
  it('names a run whose manifest lists a file the container does not hold', () => {
    const r = read(csv([row()]), {
      blobs: [{ blobName: `${RUN}part_0_0002.csv`, dataRowCount: 1 }],
    });
    expect(() => parseOf(r)).toThrow(/lists data files that are not in the container/);
  });
});

const line = (over: Partial<CostLine>): CostLine => ({
  file: 'f',
  line: 2,
  resourceId: '/x/apim',
  resourceName: 'apim',
  resourceGroup: 'rg',
  serviceName: 'API Management',
  meter: 'Basic v2 API Management unit hours',
  day: '2026-12-02',
  quantity: 2,
  unit: 'Hours',
  billedUsd: 0.41,
  listUsd: 0.47,
  currency: 'USD',
  ...over,
});
const ctx = {
  apimId: '/x/apim',
  aoaiId: '/x/aoai',
  workspaceId: '/x/law',
  appInsightsId: '/x/appi',
  storageName: 'st',
};

describe('the allocation', () => {
  it('puts an unknown resource on a shared line that names it', () => {
    const shares = allocateLines(
      [
        line({
          resourceId: '/x/vm1',
          resourceName: 'vm1',
          serviceName: 'Virtual Machines',
          billedUsd: 3,
        }),
      ],
      { requestsByHour: [], tokens: [], bytes: [] },
      ctx,
    );
    expect(shares).toMatchObject([
      { to: 'shared', cents: 300, reason: `${REASONS.unknownResource}: vm1 (Virtual Machines)` },
    ]);
  });
  it('splits APIM hours by requests, non-bu requests and idle hours unallocated, to the cent', () => {
    const shares = allocateLines(
      [line({ billedUsd: 0.41, quantity: 2 })],
      {
        requestsByHour: [
          { subscription: 'bu-hr', hour: '2026-12-02T09', requests: 2 },
          { subscription: 'bu-it', hour: '2026-12-02T09', requests: 1 },
          { subscription: 'api-costing-entraid-api', hour: '2026-12-02T09', requests: 1 },
        ],
        tokens: [],
        bytes: [],
      },
      ctx,
    );
    const by = Object.fromEntries(shares.map((s) => [s.reason || s.to, s.cents]));
    expect(by).toEqual({ 'bu-hr': 10, 'bu-it': 5, [REASONS.noBu]: 5, [REASONS.idle]: 21 });
    expect(shares.reduce((s, x) => s + x.cents, 0)).toBe(41);
  });
  it('largest remainder keeps every split whole and exact', () => {
    expect(splitCents(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitCents(-5, [1, 1])).toEqual([-3, -2]);
    expect(splitCents(7, [0, 0])).toEqual([0, 7]);
  });
});

describe('allocateBill names the run it cannot use', () => {
  const stub = (r: CostExportRead) =>
    ({
      kind: 'local',
      config: {
        businessUnits: [],
        deployment: { apimSku: 'BasicV2' },
        local: { dataDir: '/tmp/never' },
      },
      requireDeployment: () => ({
        resourceGroup: 'rg',
        apimName: 'apim',
        storage: { accountName: 'st', container: 'cost-exports' },
        logAnalytics: { resourceId: '/x/law' },
        appInsights: { resourceId: '/x/appi' },
      }),
      readCostExport: async () => r,
      queryLogs: async () => {
        throw new Error('not reached');
      },
    }) as unknown as Parameters<typeof allocateBill>[0];
  it('no run yet: says to run B3 and how long Azure takes', async () => {
    await expect(allocateBill(stub({ ...read(''), run: undefined }))).rejects.toThrow(
      /No complete run of export apim-costing-export-1 .* run cell B3\. On Azure the first run .* few hours/,
    );
  });
  it('a run still being written: says to wait', async () => {
    const e = await allocateBill(stub({ ...read(''), run: undefined, inProgress: [RUN] })).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CostExportNotReadyError);
    expect((e as CostExportNotReadyError).inProgress).toBe(true);
  });
  it('a bill in EUR: refused, not converted, with the line', async () => {
    await expect(
      allocateBill(stub(read(csv([row(), row({ BillingCurrency: 'EUR' })])))),
    ).rejects.toThrow(
      /line 3: BillingCurrency is 'EUR': the kit refuses non-USD bills rather than convert them/,
    );
  });
});
