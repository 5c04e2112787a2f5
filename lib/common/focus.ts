/**
 * The FOCUS cost and usage columns the kit writes and reads: the FOCUS 1.0 columns of Cost
 * Management's `FocusCost` export (dataset version 1.0r2) plus the `x_` columns the allocation uses,
 * and the FOCUS 1.3 allocation columns of the statement file. One home for the column names.
 */

/** Columns of a Cost Management FOCUS export file, in file order. */
export const FOCUS_EXPORT_COLUMNS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingAccountType',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'SkuId',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'SubAccountType',
  'Tags',
  'x_BilledCostInUsd',
  'x_ResourceGroupName',
  'x_SkuMeterCategory',
  'x_SkuMeterId',
  'x_SkuMeterName',
] as const;
export type FocusExportColumn = (typeof FOCUS_EXPORT_COLUMNS)[number];

/** One row of the export, every value as text (CSV). */
export type FocusExportRow = Record<FocusExportColumn, string>;

/** The columns a reader needs; a file without one of them is not a FOCUS cost export. */
export const FOCUS_REQUIRED_COLUMNS: readonly FocusExportColumn[] = [
  'BilledCost',
  'BillingCurrency',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ConsumedQuantity',
  'ListCost',
  'ResourceId',
  'ResourceName',
  'ServiceName',
  'SubAccountId',
  'x_ResourceGroupName',
  'x_SkuMeterName',
];

/**
 * The FOCUS 1.3 allocation columns (Data Generator-Calculated Split Cost Allocation):
 * AllocatedMethodId, AllocatedMethodDetails ({ Elements: [{ AllocatedRatio, UsageUnit,
 * UsageQuantity }] }), AllocatedResourceId (null on the unallocated portion),
 * AllocatedResourceName, AllocatedTags.
 */
export const FOCUS_ALLOCATION_COLUMNS = [
  'AllocatedMethodId',
  'AllocatedMethodDetails',
  'AllocatedResourceId',
  'AllocatedResourceName',
  'AllocatedTags',
] as const;

/** The meters the kit's resources bill, as `x_SkuMeterName` carries them. */
export const METERS = {
  apimUnit: 'API Management unit hours',
  aoaiInput: 'Input tokens',
  aoaiOutput: 'Output tokens',
  logIngestion: 'Analytics logs data ingestion',
  blobStorage: 'Hot LRS data stored',
} as const;

/** The custom Log Analytics table the allocation goes to (schemas/ApimCostAllocation_CL.json). */
export const ALLOCATION_TABLE = 'ApimCostAllocation_CL';
