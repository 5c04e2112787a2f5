/**
 * Cell E4 on the local target, end to end: B2 records the FOCUS export, B3 writes it to Azurite
 * in the documented layout, traffic runs, E4 re-runs the export and allocates. The figures are
 * checked against drivers computed here, independently, from the ledger-free sources: the
 * emulators' own counters and the log store's rows.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { allocateBill, type BillStatement } from '../../lib/bill/allocate-bill.js';
import { REASONS } from '../../lib/bill/allocate.js';
import { focusAllocationProblems } from '../../lib/bill/statement-file.js';
import { FOCUS_EXPORT_COLUMNS } from '../../lib/common/focus.js';
import { loadConfig } from '../../lib/config/load-config.js';
import { CostExportNotReadyError } from '../../lib/errors.js';
import { azuriteAccountKey } from '../../lib/local/azurite.js';
import { createLocalTarget, type LocalTarget } from '../../lib/local/local-target.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

let dataDir: string;
let target: LocalTarget;
let bill: BillStatement;
let b2: string;
let b3: string;
let azuriteUrl: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'bill-local-'));
  const config = loadConfig({ target: 'local', local: { dataDir } }, {});
  target = createLocalTarget(config);
  const d = await target.deploy();
  expect(d.storage.container).toBe('cost-exports');
  await expect(allocateBill(target)).rejects.toThrow(CostExportNotReadyError);
  const created = await target.createCostExport();
  const ran = await target.runCostExport();
  b2 = created.status === 'done' ? created.summary : 'skipped';
  b3 = ran.status === 'done' ? ran.summary : 'skipped';
  azuriteUrl = ran.status === 'done' ? (ran.details?.blobUrl ?? '') : '';
  await sendTraffic(target, 'bu', {});
  await sendTraffic(target, 'ai', {});
  bill = await allocateBill(target, { runExport: true });
}, 120_000);

afterAll(async () => {
  await target?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('B2 and B3 on the local target', () => {
  it('do their work (no skipped)', () => {
    expect(b2).toMatch(/export apim-costing-export-1 created \(FOCUS 1\.0/);
    expect(b3).toMatch(/Emulated export run completed: \d+ FOCUS rows/);
  });

  it('write the documented layout to Azurite, read with the blob client as a user would', async () => {
    const account = d().storage.accountName;
    const read = await target.readCostExport();
    expect(azuriteUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/stcostinglocal1$/);
    const service = new BlobServiceClient(
      azuriteUrl,
      new StorageSharedKeyCredential(account, azuriteAccountKey(account)),
    );
    const names: string[] = [];
    for await (const b of service.getContainerClient('cost-exports').listBlobsFlat())
      names.push(b.name);
    const runFolder = /^apim-costing\/apim-costing-export-1\/(\d{8})-(\d{8})\/([0-9a-f-]{36})\/$/;
    const files = names.filter((n) => n.startsWith('apim-costing/'));
    // Overwrite: one report of the month, the newest; partitioned: part files plus the manifest.
    expect(files.map((n) => n.replace(/[^/]+$/, '')).every((f) => runFolder.test(f))).toBe(true);
    expect(new Set(files.map((n) => n.replace(/[^/]+$/, ''))).size).toBe(1);
    expect(files.map((n) => n.split('/').pop()).sort()).toEqual([
      'manifest.json',
      'part_0_0001.csv',
    ]);
    const manifestName = files.find((n) => n.endsWith('manifest.json'))!;
    const manifest = JSON.parse(
      (
        await service
          .getContainerClient('cost-exports')
          .getBlobClient(manifestName)
          .downloadToBuffer()
      ).toString(),
    );
    expect(manifest.exportConfig).toMatchObject({
      exportName: 'apim-costing-export-1',
      type: 'FocusCost',
      dataVersion: '1.0',
      timeFrame: 'MonthToDate',
    });
    expect(manifest.deliveryConfig).toMatchObject({
      partitionData: true,
      dataOverwriteBehavior: 'OverwritePreviousReport',
      fileFormat: 'Csv',
    });
    expect(manifest.runInfo.runId).toBe(bill.runId);
    const csv = (
      await service
        .getContainerClient('cost-exports')
        .getBlobClient(manifest.blobs[0].blobName)
        .downloadToBuffer()
    ).toString();
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...FOCUS_EXPORT_COLUMNS]);
    expect(rows.length).toBe(manifest.dataRowCount);
    expect(read.run?.manifestPath).toBe(manifestName);
    // Actual differs from list: the configured 12% discount.
    for (const r of rows) expect(Number(r.BilledCost)).toBeCloseTo(Number(r.ListCost) * 0.88, 9);
  });
});

function d() {
  return target.requireDeployment();
}

describe('E4 allocates the bill', () => {
  it('reconciles to the cent: allocated + shared + unallocated = file total', () => {
    const c = (x: number) => Math.round(x * 100);
    expect(c(bill.allocatedUsd) + c(bill.sharedUsd) + c(bill.unallocatedUsd)).toBe(
      c(bill.fileTotalUsd),
    );
    expect(bill.shares.reduce((s, x) => s + x.cents, 0)).toBe(c(bill.fileTotalUsd));
    expect(c(bill.byBu.reduce((s, b) => s + b.actualUsd, 0))).toBe(c(bill.allocatedUsd));
    const reasons = bill.unallocated.reduce((s, u) => s + c(u.actualUsd), 0);
    expect(reasons).toBe(c(bill.unallocatedUsd));
    expect(bill.fileTotalUsd).toBeGreaterThan(0);
  });

  it('splits Azure OpenAI tokens by the BUs of the emulator-served tokens, per model', () => {
    // Independently: tokens per BU from the gateway log rows joined to the LLM log in the store.
    const gw = target.store.getTable('ApiManagementGatewayLogs')!.rows;
    const llm = target.store.getTable('ApiManagementGatewayLlmLog')!.rows;
    const sub = new Map(gw.map((r) => [String(r.CorrelationId), String(r.ApimSubscriptionId)]));
    const prompt = new Map<string, number>();
    for (const r of llm) {
      const key = `${sub.get(String(r.CorrelationId)) ?? ''}|${String(r.DeploymentName || r.ModelName)}`;
      prompt.set(key, (prompt.get(key) ?? 0) + Number(r.PromptTokens ?? 0));
    }
    const inputShares = bill.shares.filter((s) => s.method === 'aoai-prompt-tokens');
    expect(inputShares.length).toBeGreaterThan(0);
    for (const s of inputShares.filter((x) => x.to.startsWith('bu-'))) {
      const model = s.line.meter.replace(/ Input tokens$/, '');
      expect(s.quantity).toBe(prompt.get(`${s.to}|${model}`));
    }
    // Served by the backend (the emulator's own counter) = logged + not logged, per model.
    for (const [key, served] of target.aoai.served) {
      const model = key.split('|')[1]!;
      const shares = inputShares.filter((x) => x.line.meter === `${model} Input tokens`);
      expect(shares.reduce((s, x) => s + x.quantity, 0)).toBe(served.promptTokens);
    }
  });

  it('splits APIM by requests of each bu- subscription and names the rest', () => {
    const gw = target.store.getTable('ApiManagementGatewayLogs')!.rows;
    const count = new Map<string, number>();
    for (const r of gw)
      count.set(String(r.ApimSubscriptionId), (count.get(String(r.ApimSubscriptionId)) ?? 0) + 1);
    const apim = bill.shares.filter((s) => s.method === 'apim-requests-by-hour');
    const ratios = new Map<string, number>();
    for (const s of apim) ratios.set(s.to, (ratios.get(s.to) ?? 0) + s.cents);
    const buRequests = [...count.entries()].filter(([k]) => k.startsWith('bu-'));
    const total = [...count.values()].reduce((a, b) => a + b, 0);
    const idle = apim.filter((s) => s.reason === REASONS.idle).reduce((a, s) => a + s.cents, 0);
    const apimCents = apim.reduce((a, s) => a + s.cents, 0) - idle;
    for (const [bu, n] of buRequests)
      expect(Math.abs((ratios.get(bu) ?? 0) - (apimCents * n) / total)).toBeLessThanOrEqual(
        1 + apim.length,
      );
    expect(bill.byBu.every((b) => b.actualUsd > 0)).toBe(true);
    expect(bill.byBu.some((b) => b.estimateUsd !== b.actualUsd)).toBe(true);
  });

  it('writes a statement file that follows the FOCUS allocation rules', async () => {
    expect(bill.statementFile.startsWith(path.join(dataDir, 'statements'))).toBe(true);
    const rows = parse(await readFile(bill.statementFile, 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.length).toBe(bill.shares.length);
    expect(focusAllocationProblems(rows)).toEqual([]);
    expect(Object.keys(rows[0]!)).toEqual(
      expect.arrayContaining([
        'AllocatedMethodId',
        'AllocatedMethodDetails',
        'AllocatedResourceId',
        'AllocatedResourceName',
        'AllocatedTags',
      ]),
    );
  });

  it('clean-up lists the export files, the definitions, the statement and the custom table', async () => {
    const items = await target.cleanUp({ dryRun: true });
    const kinds = new Set(items.map((i) => i.kind));
    for (const k of ['cost-export-files', 'cost-export-definition', 'bill-statement'])
      expect(kinds).toContain(k);
    expect(items.map((i) => i.name)).toContain('logs/ApimCostAllocation_CL.jsonl');
  });

  it('ingests the shares into ApimCostAllocation_CL', async () => {
    expect(bill.ingestion.status).toBe('done');
    const r = await target.queryLogs(
      `ApimCostAllocation_CL | where RunId == '${bill.runId}' | summarize Usd = sum(BilledCostUsd), Rows = count()`,
    );
    expect(Math.round(Number(r.table.rows[0]![0]) * 100)).toBe(Math.round(bill.fileTotalUsd * 100));
    expect(r.table.rows[0]![1]).toBe(bill.shares.length);
  });
});
