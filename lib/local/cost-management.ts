/**
 * The emulated Cost Management of the local target (cells B2, B3 and the export E4 reads):
 * B2 records the export as Azure holds it (the Exports - Create Or Update body plus id, eTag and
 * identity), B3 runs it: month-to-date FOCUS rows priced from what the emulators counted, written
 * with the blob client to Azurite as `<root>/<export>/<YYYYMMDD-YYYYMMDD>/<runId>/part_0_0001.csv`
 * and `manifest.json` (last), the previous report of the month removed (OverwritePreviousReport).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  dateRangeFolder,
  exportFolder,
  partFileName,
  readNewestExportRun,
} from '../common/cost-export-blobs.js';
import type { ExportManifest } from '../common/export-manifest.js';
import {
  COST_EXPORT_DATASET,
  COST_EXPORT_ROOT_FOLDER,
  focusExportBody,
} from '../common/cost-export-definition.js';
import { FOCUS_EXPORT_COLUMNS, type FocusExportRow } from '../common/focus.js';
import type { KitConfig } from '../config/types.js';
import { MissingStepError } from '../errors.js';
import { queryStore } from './store-query.js';
import type { ActionOutcome, CostExportRead, OperationOptions } from '../target.js';
import type { AoaiEmulator, ServedTokens } from './aoai-emulator.js';
import type { RunningAzurite } from './azurite.js';
import { focusRows, type BilledResources, type DayUsage } from './cost-rows.js';
import type { LocalLogStore } from './log-store.js';
import { usd } from '../common/money.js';

/** Rows per data file (a partitioned export splits large months into several files). */
const ROWS_PER_PART = 5000;
const API_VERSION = '2025-03-01';

interface State {
  exports: Record<string, Record<string, unknown>>;
  runHistory: Record<string, unknown>[];
  /** UTC hours (`YYYY-MM-DDTHH`) in which the emulated APIM ran. */
  apimHours: string[];
  aoaiServed: [string, ServedTokens][];
}

export interface EmulatedCostManagement {
  readonly exportName: string;
  readonly exportId: string;
  /** The emulators started (or still run): their hours so far are billable. */
  markRunning(now?: Date): void;
  /** The emulators stopped: bills the hours up to now and saves the counters. */
  markStopped(now?: Date): void;
  createExport(options: OperationOptions): Promise<ActionOutcome>;
  runExport(options: OperationOptions): Promise<ActionOutcome>;
  read(options: OperationOptions): Promise<CostExportRead>;
}

/** Creates the emulated Cost Management over the data folder, the emulators and Azurite. */
export function createEmulatedCostManagement(deps: {
  config: KitConfig;
  dataDir: string;
  resources: BilledResources;
  store: LocalLogStore;
  aoai: AoaiEmulator;
  storage: () => Promise<RunningAzurite>;
  container: string;
}): EmulatedCostManagement {
  const { config, resources } = deps;
  const exportName = `apim-costing-export-${config.deployment.index}`;
  const exportId = `/subscriptions/${resources.subscriptionId}/providers/Microsoft.CostManagement/exports/${exportName}`;
  const file = path.join(deps.dataDir, 'cost-management', 'state.local.json');
  const state = load();
  deps.aoai.restoreServed(state.aoaiServed);
  let runningSince: Date | undefined;

  function load(): State {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as State;
    } catch {
      return { exports: {}, runHistory: [], apimHours: [], aoaiServed: [] };
    }
  }
  function save(): void {
    state.aoaiServed = [...deps.aoai.served.entries()];
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
  }
  function billHours(now: Date): void {
    if (!runningSince) return;
    const hours = new Set(state.apimHours);
    for (let t = hourStart(runningSince); t <= now.getTime(); t += 3_600_000)
      hours.add(new Date(t).toISOString().slice(0, 13));
    state.apimHours = [...hours].sort();
    runningSince = now;
  }

  async function container() {
    const storage = await deps.storage();
    const c = storage.client.getContainerClient(deps.container);
    await c.createIfNotExists();
    return { c, storage };
  }

  return {
    exportName,
    exportId,
    markRunning(now = new Date()) {
      runningSince ??= now;
      billHours(now);
      save();
    },
    markStopped(now = new Date()) {
      billHours(now);
      runningSince = undefined;
      save();
    },
    async createExport(options) {
      options.signal?.throwIfAborted();
      const now = new Date();
      const body = focusExportBody(
        { storageResourceId: resources.storage.id, container: deps.container },
        config.governance.costExportFrequency,
        now,
      );
      const recreated = state.exports[exportName] !== undefined;
      const props = body.properties as Record<string, unknown>;
      state.exports[exportName] = {
        id: exportId,
        name: exportName,
        type: 'Microsoft.CostManagement/exports',
        eTag: `"${createHash('sha256').update(now.toISOString()).digest('hex').slice(0, 16)}"`,
        location: body.location,
        identity: {
          type: 'SystemAssigned',
          principalId: randomUUID(),
          tenantId: config.azure.tenantId ?? '00000000-0000-0000-0000-000000000000',
        },
        properties: {
          ...props,
          nextRunTimeEstimate: (props.schedule as { recurrencePeriod: { from: string } })
            .recurrencePeriod.from,
        },
      };
      state.runHistory = recreated ? [] : state.runHistory;
      save();
      return {
        status: 'done',
        summary: `Emulated Cost Management export ${exportName} ${recreated ? 'recreated' : 'created'} (FOCUS ${COST_EXPORT_DATASET.dataVersion}, ${config.governance.costExportFrequency}, CSV to ${resources.storage.name}/${deps.container}/${COST_EXPORT_ROOT_FOLDER}).`,
        details: { exportId, definition: path.relative(process.cwd(), file) },
      };
    },
    async runExport(options) {
      options.signal?.throwIfAborted();
      const definition = state.exports[exportName];
      if (!definition) throw new MissingStepError('B2', `The Cost Management export ${exportName}`);
      const now = new Date();
      billHours(now);
      const submitted = now.toISOString();
      const runId = randomUUID();
      const period = monthOf(now);
      options.onProgress?.({ message: `Export run ${runId}: pricing month-to-date usage` });
      // Azurite may still be starting (deploy starts it): the log queries run meanwhile.
      const opened = container();
      opened.catch(() => undefined); // awaited below; a failed start is reported there
      const days = await usageByDay(period, now, opened, options.signal);
      const { c, storage } = await opened;
      const rows = focusRows(config, resources, days, period);
      const folder = exportFolder(COST_EXPORT_ROOT_FOLDER, exportName);
      const runFolder = `${folder}${dateRangeFolder(period.start, period.end)}/${runId}/`;
      const blobs: ExportManifest['blobs'] = [];
      for (let i = 0; i * ROWS_PER_PART < rows.length || i === 0; i++) {
        const part = rows.slice(i * ROWS_PER_PART, (i + 1) * ROWS_PER_PART);
        const text = toCsv(part);
        const name = `${runFolder}${partFileName(i + 1)}`;
        await c.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
          blobHTTPHeaders: { blobContentType: 'text/csv' },
          ...(options.signal ? { abortSignal: options.signal } : {}),
        });
        blobs.push({
          blobName: name,
          byteCount: Buffer.byteLength(text),
          dataRowCount: part.length,
        });
      }
      const manifest: ExportManifest = {
        manifestVersion: '2024-04-01',
        byteCount: blobs.reduce((s, b) => s + b.byteCount, 0),
        blobCount: blobs.length,
        dataRowCount: rows.length,
        exportConfig: {
          exportName,
          resourceId: exportId,
          dataVersion: COST_EXPORT_DATASET.dataVersion,
          apiVersion: API_VERSION,
          type: COST_EXPORT_DATASET.type,
          timeFrame: 'MonthToDate',
          granularity: 'Daily',
        },
        deliveryConfig: {
          partitionData: true,
          dataOverwriteBehavior: 'OverwritePreviousReport',
          fileFormat: 'Csv',
          compressionMode: 'None',
          containerUri: resources.storage.id,
          rootFolderPath: COST_EXPORT_ROOT_FOLDER,
        },
        runInfo: {
          executionType: 'OnDemand',
          submittedTime: submitted,
          runId,
          startDate: period.start.toISOString(),
          endDate: period.end.toISOString(),
        },
        blobs,
      };
      const manifestText = JSON.stringify(manifest, null, 2);
      await c
        .getBlockBlobClient(`${runFolder}manifest.json`)
        .upload(manifestText, Buffer.byteLength(manifestText));
      // OverwritePreviousReport: the month's earlier report goes once the new one is complete.
      const rangePrefix = `${folder}${dateRangeFolder(period.start, period.end)}/`;
      for await (const b of c.listBlobsFlat({ prefix: rangePrefix }))
        if (!b.name.startsWith(runFolder)) await c.deleteBlob(b.name);
      state.runHistory.unshift({
        id: `${exportId}/Run/${runId}`,
        name: runId,
        type: 'Microsoft.CostManagement/reports/Run',
        properties: {
          executionType: 'OnDemand',
          status: 'Completed',
          submittedBy: 'local emulator',
          submittedTime: submitted,
          processingStartTime: submitted,
          processingEndTime: new Date().toISOString(),
          fileName: blobs[0]?.blobName,
          manifestFile: `${runFolder}manifest.json`,
        },
      });
      save();
      const total = rows.reduce((s, r) => s + Number(r.BilledCost), 0);
      return {
        status: 'done',
        summary: `Emulated export run completed: ${rows.length} FOCUS rows (${period.start.toISOString().slice(0, 10)} to ${now.toISOString().slice(0, 10)}, billed ${usd(total)} after a ${Math.round(config.local.costDiscount * 100)}% discount) in ${storage.accountName}/${deps.container}/${runFolder}.`,
        details: { manifest: `${runFolder}manifest.json`, blobUrl: storage.url },
      };
    },
    async read(options) {
      const { c, storage } = await container();
      const folder = exportFolder(COST_EXPORT_ROOT_FOLDER, exportName);
      const found = await readNewestExportRun(c, folder, storage.accountName, options.signal);
      return { ...found, folder, exportName, exportId };
    },
  };

  async function usageByDay(
    period: { start: Date },
    now: Date,
    opened: ReturnType<typeof container>,
    signal: AbortSignal | undefined,
  ): Promise<DayUsage[]> {
    const from = period.start.getTime();
    const days = new Map<string, DayUsage>();
    const day = (d: string): DayUsage => {
      let u = days.get(d);
      if (!u) {
        u = {
          day: d,
          apimHours: 0,
          tokens: [],
          workspaceBytes: 0,
          appInsightsBytes: 0,
          storedBytes: 0,
        };
        days.set(d, u);
      }
      return u;
    };
    for (const h of state.apimHours)
      if (Date.parse(`${h}:00:00Z`) >= from) day(h.slice(0, 10)).apimHours += 1;
    for (const [key, t] of deps.aoai.served) {
      const [d, deployment] = key.split('|') as [string, string];
      if (Date.parse(`${d}T00:00:00Z`) < from) continue;
      const model = config.models.find((m) => m.name === deployment)?.name ?? deployment;
      day(d).tokens.push({ deployment, model, ...t });
    }
    const span = `${period.start.toISOString()}/${now.toISOString()}`;
    for (const table of ['ApiManagementGatewayLogs', 'ApiManagementGatewayLlmLog']) {
      const r = await queryStore(
        deps.store,
        `${table} | summarize Bytes = sum(_BilledSize) by Day = startofday(TimeGenerated)`,
        { timespan: span, ...(signal ? { signal } : {}) },
      );
      for (const [d, bytes] of r.table.rows)
        day(String(d).slice(0, 10)).workspaceBytes += Number(bytes ?? 0);
    }
    // customMetrics has no _BilledSize column: its rows bill by their stored size.
    const m = await queryStore(deps.store, 'customMetrics', {
      timespan: span,
      ...(signal ? { signal } : {}),
    });
    const ts = m.table.columns.findIndex((col) => col.name === 'timestamp');
    for (const row of m.table.rows) {
      const obj = Object.fromEntries(m.table.columns.map((col, i) => [col.name, row[i]]));
      day(String(row[ts]).slice(0, 10)).appInsightsBytes += JSON.stringify(obj).length;
    }
    let stored = 0;
    const { c } = await opened;
    for await (const b of c.listBlobsFlat()) stored += b.properties.contentLength ?? 0;
    for (const u of days.values()) u.storedBytes = stored;
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }
}

function hourStart(d: Date): number {
  return Math.floor(d.getTime() / 3_600_000) * 3_600_000;
}

/** The billing month of `now`: its first day and its last day (both 00:00 UTC). */
export function monthOf(now: Date): { start: Date; end: Date } {
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)),
  };
}

/** RFC 4180 CSV with a header row. */
export function toCsv(rows: readonly FocusExportRow[]): string {
  const esc = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [FOCUS_EXPORT_COLUMNS.join(',')];
  for (const r of rows) lines.push(FOCUS_EXPORT_COLUMNS.map((c) => esc(r[c] ?? '')).join(','));
  return lines.join('\r\n') + '\r\n';
}
