/**
 * The Cost Management export definition both targets use (Exports - Create Or Update,
 * api-version 2025-03-01): the FOCUS cost and usage dataset (`FocusCost`, dataset version 1.0),
 * month to date, daily, CSV, partitioned with a manifest, overwriting the previous report of the
 * month, to `<container>/<rootFolderPath>`.
 */
import type { CostExportFrequency } from '../config/types.js';

/** The folder under the container every export of the kit writes to. */
export const COST_EXPORT_ROOT_FOLDER = 'apim-costing';
/** The dataset and its version (`definition.type`, `dataSet.configuration.dataVersion`). */
export const COST_EXPORT_DATASET = { type: 'FocusCost', dataVersion: '1.0' } as const;

/** Where the export delivers. */
export interface CostExportDestination {
  storageResourceId: string;
  container: string;
}

/**
 * The REST body of the export (identity, location and properties).
 * @param now - the schedule starts the next UTC day (the service refuses a start in the past).
 */
export function focusExportBody(
  destination: CostExportDestination,
  frequency: CostExportFrequency,
  now: Date,
): Record<string, unknown> {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const to = new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate() + 1));
  return {
    identity: { type: 'SystemAssigned' },
    location: 'global',
    properties: {
      definition: {
        type: COST_EXPORT_DATASET.type,
        timeframe: 'MonthToDate',
        dataSet: {
          granularity: 'Daily',
          configuration: { dataVersion: COST_EXPORT_DATASET.dataVersion },
        },
      },
      deliveryInfo: {
        destination: {
          type: 'AzureBlob',
          resourceId: destination.storageResourceId,
          container: destination.container,
          rootFolderPath: COST_EXPORT_ROOT_FOLDER,
        },
      },
      schedule: {
        status: 'Active',
        recurrence: frequency,
        recurrencePeriod: { from: from.toISOString(), to: to.toISOString() },
      },
      format: 'Csv',
      partitionData: true,
      dataOverwriteBehavior: 'OverwritePreviousReport',
      compressionMode: 'None',
      exportDescription: 'APIM costing & showback: month-to-date FOCUS cost and usage',
    },
  };
}
