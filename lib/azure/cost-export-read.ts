/**
 * Cell E4 on Azure: the export's newest complete run read from the deployment's storage account
 * with your own sign-in (DefaultAzureCredential: you need Storage Blob Data Reader on the
 * account), and the allocation rows sent to `ApimCostAllocation_CL` through the Logs Ingestion
 * API when the deployment has a data collection rule for it.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { LogsIngestionClient } from '@azure/monitor-ingestion';
import { BlobServiceClient, newPipeline } from '@azure/storage-blob';
import { AzureRequestError } from '../errors.js';
import { storageHttpClient } from './storage-transport.js';
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
  const service = new BlobServiceClient(
    `https://${names.storageAccountName}.blob.core.windows.net`,
    newPipeline(
      client.credential,
      client.httpClient !== undefined ? { httpClient: storageHttpClient(client.httpClient) } : {},
    ),
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
  try {
    await logs.upload(
      ingestion.ruleId,
      ingestion.stream,
      rows as unknown as Record<string, unknown>[],
      options.signal ? { abortSignal: options.signal } : {},
    );
  } catch (error) {
    throw uploadError(error, ingestion);
  }
  return {
    status: 'done',
    summary: `${rows.length} rows sent to ApimCostAllocation_CL through data collection rule ${ingestion.ruleId} (they show in the workspace within a few minutes).`,
  };
}

/** The first cause of the SDK's AggregateLogsUploadError, said as what to do. */
function uploadError(error: unknown, ingestion: AllocationIngestion): Error {
  if (isAbort(error)) return error as Error;
  const causes = (error as { errors?: { cause?: unknown }[] }).errors ?? [];
  const cause = causes[0]?.cause ?? error;
  const status = (cause as { statusCode?: unknown }).statusCode;
  const code = (cause as { code?: unknown }).code;
  const detail = cause instanceof Error ? cause.message : String(cause);
  if (status === 403 || status === 401)
    return new AzureRequestError(
      `The Logs Ingestion API refused the allocation rows (${status}): your sign-in needs Monitoring Metrics Publisher on data collection rule ${ingestion.ruleId}. Cell A2 grants it to whoever deploys; assign it to your account (it takes a few minutes to apply) and run cell E4 again.`,
      status,
      typeof code === 'string' ? code : undefined,
      { cause: error },
    );
  return new AzureRequestError(
    `Sending the allocation rows to ApimCostAllocation_CL failed (${typeof status === 'number' ? status : 'no answer'}: ${detail}); run cell E4 again.`,
    typeof status === 'number' ? status : undefined,
    typeof code === 'string' ? code : undefined,
    { cause: error },
  );
}

function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}
