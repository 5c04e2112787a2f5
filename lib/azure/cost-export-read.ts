/**
 * Cell E4 on Azure: the export's newest complete run read from the deployment's storage account
 * with your own sign-in (DefaultAzureCredential: you need Storage Blob Data Reader on the
 * account), and the allocation rows sent to `ApimCostAllocation_CL` through the Logs Ingestion
 * API when the deployment has a data collection rule for it.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { LogsIngestionClient } from '@azure/monitor-ingestion';
import { BlobServiceClient } from '@azure/storage-blob';
import { exportFolder, readNewestExportRun } from '../common/cost-export-blobs.js';
import { COST_EXPORT_ROOT_FOLDER } from '../common/cost-export-definition.js';
import type {
  ActionOutcome,
  CostAllocationRow,
  CostExportRead,
  OperationOptions,
} from '../target.js';
import type { AzureResourceNames } from './resource-names.js';

/** Transport and credential of the data-plane clients (tests inject a fake transport). */
export interface DataPlaneOptions {
  credential: TokenCredential;
  httpClient?: HttpClient;
}

/** Reads the newest complete export run from `https://<account>.blob.core.windows.net/<container>`. */
export async function readAzureCostExport(
  names: AzureResourceNames,
  container: string,
  client: DataPlaneOptions,
  options: OperationOptions = {},
): Promise<CostExportRead> {
  // Storage's pipeline takes the older core-http transport type, so the injected transport of
  // the SDK clients does not reach it: this read always goes to the real endpoint.
  const service = new BlobServiceClient(
    `https://${names.storageAccountName}.blob.core.windows.net`,
    client.credential,
  );
  const folder = exportFolder(COST_EXPORT_ROOT_FOLDER, names.costExportName);
  const found = await readNewestExportRun(
    service.getContainerClient(container),
    folder,
    names.storageAccountName,
    options.signal,
  );
  return {
    ...found,
    folder,
    exportName: names.costExportName,
    exportId: `/subscriptions/${names.subscriptionId}/providers/Microsoft.CostManagement/exports/${names.costExportName}`,
  };
}

/** Where the Logs Ingestion API takes the rows: the DCE endpoint, the DCR immutable id and its stream. */
export interface AllocationIngestion {
  endpoint: string;
  ruleId: string;
  stream: string;
}

/** Uploads the rows through the data collection rule (Monitoring Metrics Publisher on the DCR needed). */
export async function ingestAzureAllocation(
  ingestion: AllocationIngestion | undefined,
  rows: readonly CostAllocationRow[],
  client: DataPlaneOptions,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  if (ingestion === undefined)
    return {
      status: 'skipped',
      reason:
        'This deployment has no data collection rule for ApimCostAllocation_CL (deployed before the cost-allocation module existed); run cell A2 again to add it.',
      wouldHaveDone: `Send ${rows.length} allocation rows to ApimCostAllocation_CL through the Logs Ingestion API.`,
    };
  const logs = new LogsIngestionClient(
    ingestion.endpoint,
    client.credential,
    client.httpClient ? { httpClient: client.httpClient } : {},
  );
  await logs.upload(
    ingestion.ruleId,
    ingestion.stream,
    rows as unknown as Record<string, unknown>[],
    {
      ...(options.signal ? { abortSignal: options.signal } : {}),
    },
  );
  return {
    status: 'done',
    summary: `${rows.length} rows sent to ApimCostAllocation_CL through data collection rule ${ingestion.ruleId} (they show in the workspace within a few minutes).`,
  };
}
