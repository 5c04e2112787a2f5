/**
 * The manifest Cost Management writes beside an export run's CSV parts. Kept apart from the blob
 * code so the parser and the public types do not pull in the Storage SDK's declarations.
 */
/** The manifest of one export run, as Cost Management writes it (the fields the kit reads). */
export interface ExportManifest {
  manifestVersion: string;
  byteCount: number;
  blobCount: number;
  dataRowCount: number;
  exportConfig: {
    exportName: string;
    resourceId: string;
    dataVersion: string;
    apiVersion: string;
    type: string;
    timeFrame: string;
    granularity: string;
  };
  deliveryConfig: {
    partitionData: boolean;
    dataOverwriteBehavior: string;
    fileFormat: string;
    compressionMode: string;
    containerUri: string;
    rootFolderPath: string;
  };
  runInfo: {
    executionType: string;
    submittedTime: string;
    runId: string;
    startDate: string;
    endDate: string;
  };
  blobs: { blobName: string; byteCount: number; dataRowCount: number }[];
}
