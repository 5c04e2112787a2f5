/**
 * The rows the emulated Cost Management exports: FOCUS 1.0 cost and usage, one row per
 * resource, UTC day and meter, priced at list price (lib/pricing) less the configured discount.
 */
import { FOCUS_EXPORT_COLUMNS, METERS, type FocusExportRow } from '../common/focus.js';
import type { KitConfig } from '../config/types.js';
import { getApimPricing, getModelPricing } from '../pricing/pricing.js';
import {
  BLOB_HOT_LRS_PER_GB_MONTH_USD,
  HOURS_PER_MONTH,
  LOG_INGESTION_PER_GB_USD,
} from '../pricing/usage-prices.js';

/** The usage of one day the export prices. */
export interface DayUsage {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Hours the emulated APIM ran that day (each started hour bills as a whole one). */
  apimHours: number;
  /** Tokens served per deployment. */
  tokens: { deployment: string; model: string; promptTokens: number; completionTokens: number }[];
  /** Billed bytes ingested: the workspace (gateway and LLM logs) and App Insights (custom metrics). */
  workspaceBytes: number;
  appInsightsBytes: number;
  /** Bytes stored in the storage account (blob), averaged over the day. */
  storedBytes: number;
}

/** The resources of the deployment the rows name. */
export interface BilledResources {
  subscriptionId: string;
  resourceGroup: string;
  region: string;
  regionName: string;
  apim: { id: string; name: string };
  aoai: { id: string; name: string };
  workspace: { id: string; name: string };
  appInsights: { id: string; name: string };
  storage: { id: string; name: string };
}

const GB = 1024 ** 3;

/** FOCUS rows for the given days, in day, resource, meter order. */
export function focusRows(
  config: KitConfig,
  resources: BilledResources,
  days: readonly DayUsage[],
  period: { start: Date; end: Date },
): FocusExportRow[] {
  const discount = config.local.costDiscount;
  const apim = getApimPricing(config.deployment.apimSku);
  const rows: FocusExportRow[] = [];
  const base = (day: string): Partial<FocusExportRow> => ({
    BillingAccountId: `/providers/Microsoft.Billing/billingAccounts/emulated-${resources.subscriptionId.slice(0, 8)}`,
    BillingAccountName: 'Emulated billing account',
    BillingAccountType: 'Billing Account',
    BillingCurrency: 'USD',
    BillingPeriodStart: period.start.toISOString(),
    BillingPeriodEnd: period.end.toISOString(),
    ChargeCategory: 'Usage',
    ChargeFrequency: 'Usage-Based',
    ChargePeriodStart: `${day}T00:00:00.000Z`,
    ChargePeriodEnd: new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString(),
    InvoiceIssuerName: 'Microsoft',
    PricingCategory: 'Standard',
    ProviderName: 'Microsoft',
    PublisherName: 'Microsoft',
    RegionId: resources.region,
    RegionName: resources.regionName,
    SubAccountId: `/subscriptions/${resources.subscriptionId}`,
    SubAccountName: 'Emulated subscription',
    SubAccountType: 'Subscription',
    Tags: '{}',
    x_ResourceGroupName: resources.resourceGroup,
  });
  const add = (
    day: string,
    resource: { id: string; name: string },
    fields: {
      type: string;
      service: string;
      category: string;
      meterCategory: string;
      meter: string;
      quantity: number;
      unit: string;
      unitPrice: number;
    },
  ): void => {
    if (fields.quantity <= 0) return;
    const list = fields.quantity * fields.unitPrice;
    const billed = list * (1 - discount);
    const row = {
      ...Object.fromEntries(FOCUS_EXPORT_COLUMNS.map((c) => [c, ''])),
      ...base(day),
      ResourceId: resource.id,
      ResourceName: resource.name,
      ResourceType: fields.type,
      ServiceName: fields.service,
      ServiceCategory: fields.category,
      ChargeDescription: `${fields.meterCategory} - ${fields.meter}`,
      ConsumedQuantity: num(fields.quantity),
      ConsumedUnit: fields.unit,
      PricingQuantity: num(fields.quantity),
      PricingUnit: fields.unit,
      ListUnitPrice: num(fields.unitPrice),
      ListCost: num(list),
      ContractedUnitPrice: num(fields.unitPrice * (1 - discount)),
      ContractedCost: num(billed),
      EffectiveCost: num(billed),
      BilledCost: num(billed),
      x_BilledCostInUsd: num(billed),
      SkuId: `${fields.meterCategory}/${fields.meter}`.replaceAll(' ', ''),
      SkuPriceId:
        `${fields.meterCategory}/${fields.meter}/${config.deployment.location}`.replaceAll(' ', ''),
      x_SkuMeterCategory: fields.meterCategory,
      x_SkuMeterId: fields.meter.toLowerCase().replaceAll(' ', '-'),
      x_SkuMeterName: fields.meter,
    } as FocusExportRow;
    rows.push(row);
  };
  for (const d of days) {
    add(d.day, resources.apim, {
      type: 'API Management services',
      service: 'API Management',
      category: 'Integration',
      meterCategory: 'API Management',
      meter: `${apim.label} ${METERS.apimUnit}`,
      quantity: d.apimHours,
      unit: 'Hours',
      unitPrice: apim.baseMonthlyUsd / HOURS_PER_MONTH,
    });
    for (const t of d.tokens) {
      const price = getModelPricing(t.model);
      for (const [meter, tokens, per1k] of [
        [METERS.aoaiInput, t.promptTokens, price.promptPer1kUsd],
        [METERS.aoaiOutput, t.completionTokens, price.completionPer1kUsd],
      ] as const) {
        add(d.day, resources.aoai, {
          type: 'Azure AI services',
          service: 'Azure OpenAI',
          category: 'AI and Machine Learning',
          meterCategory: 'Azure OpenAI',
          meter: `${t.model} ${meter}`,
          quantity: tokens / 1000,
          unit: '1K Tokens',
          unitPrice: per1k,
        });
      }
    }
    // Workspace-based Application Insights ingestion is billed on the Log Analytics meter too.
    const ingestion = { category: 'Management and Governance', meterCategory: 'Log Analytics' };
    const perGb = { meter: METERS.logIngestion, unit: 'GB', unitPrice: LOG_INGESTION_PER_GB_USD };
    const ingested = [
      [resources.workspace, 'Log Analytics workspaces', 'Log Analytics', d.workspaceBytes],
      [
        resources.appInsights,
        'Application Insights components',
        'Application Insights',
        d.appInsightsBytes,
      ],
    ] as const;
    for (const [resource, type, service, bytes] of ingested)
      add(d.day, resource, { type, service, ...ingestion, ...perGb, quantity: bytes / GB });
    add(d.day, resources.storage, {
      type: 'Storage accounts',
      service: 'Storage',
      category: 'Storage',
      meterCategory: 'Storage',
      meter: METERS.blobStorage,
      quantity: d.storedBytes / GB / 30,
      unit: 'GB/Month',
      unitPrice: BLOB_HOT_LRS_PER_GB_MONTH_USD,
    });
  }
  return rows;
}

/** A number as the export writes it: plain decimal, at most 12 decimals, no exponent. */
function num(x: number): string {
  return x.toFixed(12).replace(/\.?0+$/, '');
}
