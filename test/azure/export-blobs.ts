/**
 * Cost Management export runs as Azure writes them to the container (FOCUS CSV part files and
 * the manifest, in the run folder of the documented layout), for the fake Blob service.
 */
import { dateRangeFolder, partFileName } from '../../lib/common/cost-export-blobs.js';
import type { ExportManifest } from '../../lib/common/export-manifest.js';
import { FOCUS_EXPORT_COLUMNS, type FocusExportRow } from '../../lib/common/focus.js';
import { toCsv } from '../../lib/local/cost-management.js';
import { SUB } from './arm-simulator.js';

const EXPORT_ID = `/subscriptions/${SUB}/providers/Microsoft.CostManagement/exports/apim-costing-export-1`;
/** The kit's export folder in the container. */
export const FOLDER = 'apim-costing/apim-costing-export-1/';

/** One FOCUS row of a kit resource (the columns a reader needs filled). */
export function focusRow(resource: string, meter: string, cost: string): FocusExportRow {
  const r = Object.fromEntries(FOCUS_EXPORT_COLUMNS.map((c) => [c, ''])) as FocusExportRow;
  return {
    ...r,
    BilledCost: cost,
    EffectiveCost: cost,
    ListCost: cost,
    BillingCurrency: 'USD',
    ChargePeriodStart: '2026-12-01T00:00:00Z',
    ChargePeriodEnd: '2026-12-02T00:00:00Z',
    BillingPeriodStart: '2026-12-01T00:00:00Z',
    BillingPeriodEnd: '2027-01-01T00:00:00Z',
    ConsumedQuantity: '24',
    ResourceId: `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/${resource}`,
    ResourceName: resource.split('/').pop()!,
    ServiceName: 'API Management',
    SubAccountId: `/subscriptions/${SUB}`,
    x_ResourceGroupName: 'rg-apim-costing-1',
    x_SkuMeterName: meter,
  };
}

/** One complete run as Cost Management writes it: part files, then the manifest. */
export function exportRunBlobs(
  runId: string,
  submittedTime: string,
  rows: FocusExportRow[],
): Map<string, string> {
  const runFolder = `${FOLDER}${dateRangeFolder(new Date('2026-12-01'), new Date('2026-12-31'))}/${runId}/`;
  const csv = toCsv(rows);
  const part = `${runFolder}${partFileName(1)}`;
  const manifest: ExportManifest = {
    manifestVersion: '2024-04-01',
    byteCount: Buffer.byteLength(csv),
    blobCount: 1,
    dataRowCount: rows.length,
    exportConfig: {
      exportName: 'apim-costing-export-1',
      resourceId: EXPORT_ID,
      dataVersion: '1.0',
      apiVersion: '2025-03-01',
      type: 'FocusCost',
      timeFrame: 'MonthToDate',
      granularity: 'Daily',
    },
    deliveryConfig: {
      partitionData: true,
      dataOverwriteBehavior: 'OverwritePreviousReport',
      fileFormat: 'Csv',
      compressionMode: 'None',
      containerUri: `/subscriptions/${SUB}/resourceGroups/rg-apim-costing-1/providers/Microsoft.Storage/storageAccounts/st`,
      rootFolderPath: 'apim-costing',
    },
    runInfo: {
      executionType: 'OnDemand',
      submittedTime,
      runId,
      startDate: '2026-12-01T00:00:00',
      endDate: '2026-12-31T00:00:00',
    },
    blobs: [{ blobName: part, byteCount: Buffer.byteLength(csv), dataRowCount: rows.length }],
  };
  return new Map([
    [part, csv],
    [`${runFolder}manifest.json`, JSON.stringify(manifest)],
  ]);
}
