/**
 * The list prices of what the emulated Cost Management bills besides APIM units and tokens:
 * Log Analytics ingestion and blob storage, and the hours in a billing month. Retail USD, with
 * source and "as of" date like every price table of the kit.
 */

/** Hours Azure prices a month at (monthly price / 730 = hourly price). */
export const HOURS_PER_MONTH = 730;

/** Log Analytics Analytics-logs ingestion, pay-as-you-go, per GB (East US 2). */
export const LOG_INGESTION_PER_GB_USD = 2.3;
/** Blob storage, Hot LRS, first 50 TB, per GB-month (East US 2). */
export const BLOB_HOT_LRS_PER_GB_MONTH_USD = 0.0184;

export const USAGE_PRICE_SOURCE =
  'Azure Monitor pricing (azure.microsoft.com/pricing/details/monitor) and Blob Storage pricing (azure.microsoft.com/pricing/details/storage/blobs)';
export const USAGE_PRICE_AS_OF = 'April 2026';
