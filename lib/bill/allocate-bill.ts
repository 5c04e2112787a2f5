/**
 * Cell E4: the actual bill, allocated. Reads the newest complete export run from blob storage
 * (manifest first), keeps the deployment's resource group, splits every cost line by its driver
 * from the logs, and returns one statement per BU beside the list-price estimate of E1/E3, the
 * shared lines and the unallocated remainder with its reasons. Writes the FOCUS statement file
 * and ingests the shares into `ApimCostAllocation_CL`.
 */
import * as path from 'node:path';
import { rowsOf } from '../common/kql-rows.js';
import { withDeadline } from '../common/operation-signal.js';
import { CostExportFileError, CostExportNotReadyError } from '../errors.js';
import { loadQuery } from '../kql/index.js';
import { allocateCost, getApimPricing, getModelPricing, tokenCost } from '../pricing/pricing.js';
import type {
  ActionOutcome,
  CostAllocationRow,
  CostingTarget,
  OperationOptions,
} from '../target.js';
import { allocateLines, type Drivers, type Share } from './allocate.js';
import { parseExportRun, type CostLine } from './parse-export.js';
import { statementRows, writeStatement } from './statement-file.js';

/** One BU's line of the statement. */
export interface BuStatement {
  bu: string;
  displayName: string;
  /** Month-to-date actual cost allocated to the BU, USD (whole cents). */
  actualUsd: number;
  /** The list-price estimate of the same usage (E1/E3's cost model), USD. */
  estimateUsd: number;
  /** actual - estimate. */
  varianceUsd: number;
  /** Actual per service (API Management, Azure OpenAI, Log Analytics). */
  byService: Record<string, number>;
}

/** What {@link allocateBill} returns (cell E4). */
export interface BillStatement {
  exportName: string;
  runId: string;
  manifestPath: string;
  period: { start: string; end: string };
  currency: 'USD';
  /** Billed total of the deployment's rows in the file, USD. */
  fileTotalUsd: number;
  allocatedUsd: number;
  sharedUsd: number;
  unallocatedUsd: number;
  byBu: BuStatement[];
  shared: { name: string; actualUsd: number }[];
  unallocated: { reason: string; actualUsd: number }[];
  /** Rows of other resource groups the file held (left out). */
  excludedRows: number;
  /** Runs still being written when the file was read. */
  runsInProgress: number;
  shares: Share[];
  statementFile: string;
  ingestion: ActionOutcome;
}

/** Options of {@link allocateBill}. */
export interface AllocateBillOptions extends OperationOptions {
  /**
   * Run the export once now (as B3 does) and wait for it before reading: B3 ran before the
   * traffic. On Azure the run waits on the run history (new usage reaches Cost Management hours
   * later, so it does not bring today's traffic). @default false
   */
  runExport?: boolean;
}

/**
 * Allocates the newest complete export run (E4).
 * @example showBill(await allocateBill(target, { onProgress: progressLine() }));
 * @throws CostExportNotReadyError when no run has completed (run B3); CostExportFileError for a bad file (nothing allocated).
 */
export function allocateBill(
  target: CostingTarget,
  options: AllocateBillOptions = {},
): Promise<BillStatement> {
  return withDeadline('Allocating the bill', options, async (signal, o) => {
    const deployment = target.requireDeployment();
    const opts: OperationOptions = {
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(signal ? { signal } : {}),
    };
    if (options.runExport === true) {
      o.onProgress?.({ message: 'Running the export once now' });
      await target.runCostExport(opts);
    }
    o.onProgress?.({ message: 'Reading the newest export run (manifest first)' });
    const read = await target.readCostExport(opts);
    if (read.run === undefined)
      throw new CostExportNotReadyError(
        read.inProgress.length > 0
          ? `The export run in ${read.inProgress[0]} is still being written (no manifest yet): wait for it to finish (cell B3 waits for it) and run this cell again.`
          : `No complete run of export ${read.exportName} in ${deployment.storage.accountName}/${deployment.storage.container}/${read.folder} yet: run cell B3. On Azure the first run of a new export can take up to a few hours before files appear (Cost Management delivers a run's data within 4 hours of its start; cell B3 says when the run completed).`,
        read.inProgress.length > 0,
      );
    const parsed = parseExportRun(read, read.run);
    const rg = deployment.resourceGroup.toLowerCase();
    const kept = parsed.lines.filter((l) => l.resourceGroup.toLowerCase() === rg);
    for (const l of kept)
      if (l.currency !== 'USD')
        throw new CostExportFileError(
          l.file,
          l.line,
          `BillingCurrency is '${l.currency}': the kit refuses non-USD bills rather than convert them with a rate of its own (its prices and estimates are USD). Export in USD (a billing account in USD) to allocate.`,
        );
    const period = {
      start: parsed.manifest.runInfo.startDate,
      end: parsed.manifest.runInfo.endDate,
    };
    const timespan = `${period.start}/${new Date().toISOString()}`;
    o.onProgress?.({
      message: 'Reading the drivers from the logs (requests, tokens, billed size)',
    });
    const drivers = await readDrivers(target, { ...opts, timespan });
    const ids = {
      apimId:
        kept.find((l) => l.serviceName === 'API Management')?.resourceId ??
        `/${deployment.apimName}`,
      aoaiId: kept.find((l) => l.serviceName === 'Azure OpenAI')?.resourceId,
      workspaceId: deployment.logAnalytics.resourceId,
      appInsightsId: deployment.appInsights.resourceId,
      storageName: deployment.storage.accountName,
    };
    const shares = allocateLines(kept, drivers, ids);
    const statement = summarize(target, kept, shares, drivers);
    const month = period.start.slice(0, 7);
    const folder =
      target.kind === 'local'
        ? path.join(path.resolve(target.config.local.dataDir), 'statements')
        : path.resolve('build', 'statements');
    const statementFile = writeStatement(folder, month, statementRows(shares, period.start));
    o.onProgress?.({ message: `Writing ${shares.length} rows to ApimCostAllocation_CL` });
    const runId = parsed.manifest.runInfo.runId;
    const ingestion = await target.ingestCostAllocation(
      allocationRows(shares, period.start, runId, statement.estimates),
      opts,
    );
    return {
      exportName: read.exportName,
      runId,
      manifestPath: parsed.manifestPath,
      period,
      currency: 'USD',
      ...statement.totals,
      excludedRows: parsed.lines.length - kept.length,
      runsInProgress: read.inProgress.length,
      shares,
      statementFile,
      ingestion,
    };
  });
}

async function readDrivers(
  target: CostingTarget,
  opts: OperationOptions & { timespan: string },
): Promise<Drivers> {
  const run = async (name: string) => {
    const r = await target.queryLogs(loadQuery(name).text, opts);
    return rowsOf(r.table);
  };
  const [requests, tokens, bytes] = [
    await run('bill-requests-by-hour'),
    await run('bill-tokens-by-bu'),
    await run('bill-billed-size-by-bu'),
  ];
  return {
    requestsByHour: requests.map((r) => ({
      subscription: String(r.Subscription ?? ''),
      hour: String(r.Hour).slice(0, 13),
      requests: Number(r.Requests ?? 0),
    })),
    tokens: tokens.map((r) => ({
      subscription: String(r.Subscription ?? ''),
      model: String(r.Model ?? ''),
      day: String(r.Day).slice(0, 10),
      promptTokens: Number(r.PromptTokens ?? 0),
      completionTokens: Number(r.CompletionTokens ?? 0),
    })),
    bytes: bytes.map((r) => ({
      subscription: String(r.Subscription ?? ''),
      day: String(r.Day).slice(0, 10),
      bytes: Number(r.Bytes ?? 0),
    })),
  };
}

function summarize(
  target: CostingTarget,
  lines: readonly CostLine[],
  shares: readonly Share[],
  d: Drivers,
) {
  const cents = (filter: (s: Share) => boolean) =>
    shares.filter(filter).reduce((s, x) => s + x.cents, 0);
  const fileCents = cents(() => true);
  const requests: Record<string, number> = {};
  for (const r of d.requestsByHour)
    if (r.subscription.startsWith('bu-'))
      requests[r.subscription] = (requests[r.subscription] ?? 0) + r.requests;
  const apimEstimate = new Map(
    allocateCost(requests, getApimPricing(target.config.deployment.apimSku)).map((a) => [
      a.bu,
      a.totalUsd,
    ]),
  );
  const estimates = new Map<string, number>();
  for (const bu of target.config.businessUnits) {
    let usd = apimEstimate.get(bu.name) ?? 0;
    for (const t of d.tokens.filter((x) => x.subscription === bu.name)) {
      try {
        usd += tokenCost(t.promptTokens, t.completionTokens, getModelPricing(t.model));
      } catch {
        // A model without a list price has no estimate; its actual cost is still allocated.
      }
    }
    estimates.set(bu.name, usd);
  }
  const byBu: BuStatement[] = target.config.businessUnits.map((bu) => {
    const mine = shares.filter((s) => s.to === bu.name);
    const byService: Record<string, number> = {};
    for (const s of mine)
      byService[s.line.serviceName] = (byService[s.line.serviceName] ?? 0) + s.cents / 100;
    const actualUsd = mine.reduce((s, x) => s + x.cents, 0) / 100;
    const estimateUsd = estimates.get(bu.name) ?? 0;
    return {
      bu: bu.name,
      displayName: bu.displayName,
      actualUsd,
      estimateUsd,
      varianceUsd: actualUsd - estimateUsd,
      byService,
    };
  });
  const group = (to: string, key: (s: Share) => string) => {
    const m = new Map<string, number>();
    for (const s of shares.filter((x) => x.to === to))
      m.set(key(s), (m.get(key(s)) ?? 0) + s.cents);
    return [...m.entries()].map(([k, c]) => ({ k, actualUsd: c / 100 }));
  };
  void lines;
  return {
    estimates,
    totals: {
      fileTotalUsd: fileCents / 100,
      allocatedUsd: cents((s) => s.to.startsWith('bu-')) / 100,
      sharedUsd: cents((s) => s.to === 'shared') / 100,
      unallocatedUsd: cents((s) => s.to === 'unallocated') / 100,
      byBu,
      shared: group('shared', (s) => s.reason).map((g) => ({ name: g.k, actualUsd: g.actualUsd })),
      unallocated: group('unallocated', (s) => s.reason).map((g) => ({
        reason: g.k,
        actualUsd: g.actualUsd,
      })),
    },
  };
}

function allocationRows(
  shares: readonly Share[],
  periodStart: string,
  runId: string,
  estimates: ReadonlyMap<string, number>,
): CostAllocationRow[] {
  const now = new Date().toISOString();
  return shares
    .map((s) => ({
      TimeGenerated: now,
      BillingPeriodStart: periodStart,
      ChargePeriodStart: `${s.line.day}T00:00:00.000Z`,
      AllocatedTo: s.to,
      Reason: s.reason,
      ResourceId: s.line.resourceId,
      ServiceName: s.line.serviceName,
      Meter: s.line.meter,
      AllocatedMethodId: s.method,
      AllocatedRatio: s.ratio,
      UsageQuantity: s.quantity,
      UsageUnit: s.unit,
      BilledCostUsd: s.cents / 100,
      // The BU's whole estimate sits on its first row, so a sum per BU gives the estimate once.
      EstimateUsd: 0,
      RunId: runId,
    }))
    .map((row, i, all) => {
      const first = all.findIndex((r) => r.AllocatedTo === row.AllocatedTo) === i;
      return first ? { ...row, EstimateUsd: estimates.get(row.AllocatedTo) ?? 0 } : row;
    });
}
