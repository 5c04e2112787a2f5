/**
 * Prices and the showback cost model. Pure data and functions: no I/O.
 * Every price table names its source and "as of" date; all figures are retail list prices
 * in USD and serve as showback estimates, not billing.
 */
import type { KitConfig } from '../config/types.js';
import { UnknownPriceError } from '../errors.js';

/** Where the APIM prices come from. */
export const APIM_PRICE_SOURCE =
  'Azure API Management pricing page (azure.microsoft.com/pricing/details/api-management)';
/** When the APIM prices were read. */
export const APIM_PRICE_AS_OF = 'March 2026';
/** Where the Azure OpenAI token prices come from. */
export const MODEL_PRICE_SOURCE =
  'Azure OpenAI pricing page, GlobalStandard pay-as-you-go (azure.microsoft.com/pricing/details/cognitive-services/openai-service)';
/** When the Azure OpenAI token prices were read. */
export const MODEL_PRICE_AS_OF = 'April 2026';

/** The price of one APIM unit of a SKU. */
export interface ApimPricing {
  /** SKU as configured, e.g. `BasicV2`. */
  sku: string;
  /** Display label, e.g. `Basic v2`. */
  label: string;
  /** Monthly base price of one unit, USD. */
  baseMonthlyUsd: number;
  /** Price per 1,000 requests above the included allowance, USD (0 when none is published). */
  overagePer1kUsd: number;
  /**
   * Requests per month included in the base price; `null` when no allowance applies
   * (Premium v2 is unlimited; classic tiers publish no per-request pricing).
   */
  includedRequests: number | null;
  source: string;
  asOf: string;
}

/** Token prices of one model. */
export interface ModelPricing {
  /** Undated model name, e.g. `gpt-4o-mini`. */
  model: string;
  /** USD per 1,000 prompt (input) tokens. */
  promptPer1kUsd: number;
  /** USD per 1,000 completion (output) tokens. */
  completionPer1kUsd: number;
  source: string;
  asOf: string;
}

type ApimRow = Omit<ApimPricing, 'sku' | 'source' | 'asOf'>;

const APIM_PRICES: Readonly<Record<string, ApimRow>> = {
  Developer: {
    label: 'Developer',
    baseMonthlyUsd: 48.04,
    overagePer1kUsd: 0,
    includedRequests: null,
  },
  Basic: { label: 'Basic', baseMonthlyUsd: 147.17, overagePer1kUsd: 0, includedRequests: null },
  Standard: {
    label: 'Standard',
    baseMonthlyUsd: 686.72,
    overagePer1kUsd: 0,
    includedRequests: null,
  },
  Premium: {
    label: 'Premium',
    baseMonthlyUsd: 2795.17,
    overagePer1kUsd: 0,
    includedRequests: null,
  },
  BasicV2: {
    label: 'Basic v2',
    baseMonthlyUsd: 150.01,
    overagePer1kUsd: 0.003,
    includedRequests: 10_000_000,
  },
  StandardV2: {
    label: 'Standard v2',
    baseMonthlyUsd: 700.0,
    overagePer1kUsd: 0.0025,
    includedRequests: 50_000_000,
  },
  PremiumV2: {
    label: 'Premium v2',
    baseMonthlyUsd: 2801.0,
    overagePer1kUsd: 0,
    includedRequests: null,
  },
};

const MODEL_PRICES: Readonly<
  Record<string, { promptPer1kUsd: number; completionPer1kUsd: number }>
> = {
  'gpt-5-mini': { promptPer1kUsd: 0.00025, completionPer1kUsd: 0.002 },
  'gpt-4o-mini': { promptPer1kUsd: 0.00015, completionPer1kUsd: 0.0006 },
  'gpt-4.1-nano': { promptPer1kUsd: 0.0001, completionPer1kUsd: 0.0004 },
};

/** APIM SKUs with a known price. */
export const PRICED_APIM_SKUS: readonly string[] = Object.keys(APIM_PRICES);
/** Models with a known token price (undated names). */
export const PRICED_MODELS: readonly string[] = Object.keys(MODEL_PRICES);

/**
 * The price of an APIM SKU.
 * @param sku - a configured SKU name such as `BasicV2` (case-insensitive).
 * @returns base monthly cost, overage per 1K requests, included requests, source and date.
 * @throws {@link UnknownPriceError} listing the known SKUs.
 * @example const apim = getApimPricing(config.deployment.apimSku);
 */
export function getApimPricing(sku: string): ApimPricing {
  const key = PRICED_APIM_SKUS.find((k) => k.toLowerCase() === sku.trim().toLowerCase());
  const row = key === undefined ? undefined : APIM_PRICES[key];
  if (key === undefined || row === undefined)
    throw new UnknownPriceError('APIM SKU', sku, PRICED_APIM_SKUS);
  return { sku: key, ...row, source: APIM_PRICE_SOURCE, asOf: APIM_PRICE_AS_OF };
}

/**
 * Token prices of a model. Dated names as logged in `ModelName` (`gpt-4o-mini-2024-07-18`)
 * resolve to their undated model.
 * @param model - model or deployment name, dated or not (case-insensitive).
 * @returns prompt and completion USD per 1K tokens, source and date.
 * @throws {@link UnknownPriceError} listing the known models.
 * @example const price = getModelPricing('gpt-5-mini-2025-08-07');
 */
export function getModelPricing(model: string): ModelPricing {
  const name = undatedModelName(model).toLowerCase();
  const row = MODEL_PRICES[name];
  if (row === undefined) throw new UnknownPriceError('model', model, PRICED_MODELS);
  return { model: name, ...row, source: MODEL_PRICE_SOURCE, asOf: MODEL_PRICE_AS_OF };
}

/** A model name without its trailing `-YYYY-MM-DD` version, e.g. `gpt-4o-mini`. */
export function undatedModelName(model: string): string {
  return model.trim().replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/** One BU's row of the request-based cost allocation. */
export interface CostAllocation {
  /** Subscription id as logged, e.g. `bu-hr`. */
  bu: string;
  requests: number;
  /** BU requests / total requests (0..1; 0 when there are no requests). */
  share: number;
  /** base monthly cost x share. */
  baseShareUsd: number;
  /** requests x (rate per 1K / 1000). */
  variableUsd: number;
  /** base share + variable. */
  totalUsd: number;
}

/** The price inputs of {@link allocateCost}: an {@link ApimPricing} fits. */
export interface RequestPricing {
  baseMonthlyUsd: number;
  overagePer1kUsd: number;
}

/**
 * Splits the APIM cost across business units: base share = base monthly
 * cost x (BU requests / total requests); variable = BU requests x (rate per 1K / 1000);
 * total = base share + variable. Rows come back in descending order of requests.
 * @param requestsByBu - request count per BU subscription id.
 * @param pricing - base monthly cost and per-1K rate, e.g. `getApimPricing('BasicV2')`.
 * @returns one {@link CostAllocation} per BU.
 * @example const rows = allocateCost({ 'bu-hr': 50, 'bu-sales': 100 }, getApimPricing('BasicV2'));
 */
export function allocateCost(
  requestsByBu: Readonly<Record<string, number>>,
  pricing: RequestPricing,
): CostAllocation[] {
  const entries = Object.entries(requestsByBu);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return entries
    .map(([bu, requests]) => {
      const share = total > 0 ? requests / total : 0;
      const baseShareUsd = pricing.baseMonthlyUsd * share;
      const variableUsd = requests * (pricing.overagePer1kUsd / 1000);
      return {
        bu,
        requests,
        share,
        baseShareUsd,
        variableUsd,
        totalUsd: baseShareUsd + variableUsd,
      };
    })
    .sort((a, b) => b.requests - a.requests || a.bu.localeCompare(b.bu));
}

/** The price inputs of {@link tokenCost}: a {@link ModelPricing} fits. */
export interface TokenPricing {
  promptPer1kUsd: number;
  completionPer1kUsd: number;
}

/**
 * Token cost in USD: prompt / 1000 x prompt rate + completion / 1000 x completion rate.
 * @example const usd = tokenCost(1200, 300, getModelPricing('gpt-5-mini'));
 */
export function tokenCost(
  promptTokens: number,
  completionTokens: number,
  pricing: TokenPricing,
): number {
  return (
    (promptTokens / 1000) * pricing.promptPer1kUsd +
    (completionTokens / 1000) * pricing.completionPer1kUsd
  );
}

/** The cost model in words, as cell B1 and the workbook's overview state it. */
export const COST_MODEL_TEXT =
  'Cost model: base share = base monthly cost x (BU requests / total requests); ' +
  'variable = BU requests x (rate per 1K / 1000); total = base share + variable; ' +
  "token cost = prompt/1000 x prompt rate + completion/1000 x completion rate, at each model's own prices. " +
  'Estimates for showback, not billing.';

/** What cell B1 shows: the configured SKU's prices and each configured model's. */
export interface PricingSummary {
  apim: ApimPricing;
  models: ModelPricing[];
  costModel: string;
}

/**
 * The prices the cost model uses for this configuration (B1).
 * @example showPricing(pricingFor(target.config));
 */
export function pricingFor(config: Pick<KitConfig, 'deployment' | 'models'>): PricingSummary {
  return {
    apim: getApimPricing(config.deployment.apimSku),
    models: config.models.map((m) => getModelPricing(m.name)),
    costModel: COST_MODEL_TEXT,
  };
}

/** The workbook placeholders replaced at publish time, and nothing else. */
export const WORKBOOK_PLACEHOLDERS = [
  '__APP_INSIGHTS_ID__',
  '__APIM_SKU__',
  '__BASE_MONTHLY_COST__',
  '__PER_K_RATE__',
  '__PROMPT_TOKEN_RATE__',
  '__COMPLETION_TOKEN_RATE__',
  '__MODEL_PRICES__',
] as const;
export type WorkbookPlaceholder = (typeof WORKBOOK_PLACEHOLDERS)[number];

/** Options of {@link workbookPlaceholders}. */
export interface WorkbookPlaceholderOptions {
  /**
   * The App Insights resource id for `app('...')` queries (from the deployment). A component
   * name is ambiguous across the subscriptions the reader can see, and `app()` then fails.
   */
  appInsightsId?: string;
  /**
   * Model whose token prices become the workbook's default rates.
   * @default `gpt-5-mini` when configured, else the first configured model
   */
  tokenModel?: string;
}

/**
 * The placeholder map for `workbook.json`: SKU label, base monthly cost, per-1K rate, the
 * fallback token rates and the per-model price table from the pricing tables, plus the App
 * Insights resource id when given (it is left out otherwise, so filling reports it as missing
 * instead of inventing one).
 * @example const values = workbookPlaceholders(config, { appInsightsId: deployment.appInsights.resourceId });
 */
export function workbookPlaceholders(
  config: Pick<KitConfig, 'deployment' | 'models'>,
  options: WorkbookPlaceholderOptions = {},
): Partial<Record<WorkbookPlaceholder, string>> {
  const apim = getApimPricing(config.deployment.apimSku);
  const names = config.models.map((m) => m.name);
  const tokenModel =
    options.tokenModel ??
    (names.includes('gpt-5-mini') ? 'gpt-5-mini' : (names[0] ?? 'gpt-5-mini'));
  const model = getModelPricing(tokenModel);
  const map: Partial<Record<WorkbookPlaceholder, string>> = {
    __APIM_SKU__: apim.label,
    __BASE_MONTHLY_COST__: formatRate(apim.baseMonthlyUsd),
    __PER_K_RATE__: formatRate(apim.overagePer1kUsd),
    __PROMPT_TOKEN_RATE__: formatRate(model.promptPer1kUsd),
    __COMPLETION_TOKEN_RATE__: formatRate(model.completionPer1kUsd),
    __MODEL_PRICES__: modelPriceRows(),
  };
  if (options.appInsightsId !== undefined) map.__APP_INSIGHTS_ID__ = options.appInsightsId;
  return map;
}

/**
 * Every priced model as the rows of the workbook's
 * `datatable(Model: string, PromptPer1K: real, CompletionPer1K: real, AsOf: string)`, which its
 * token-cost queries join on the undated model name: `'gpt-5-mini', 0.00025, 0.002, 'April 2026', ...`.
 * All priced models are listed, not only the configured ones, so a model deployed later is still priced.
 */
export function modelPriceRows(): string {
  return PRICED_MODELS.map((name) => {
    const p = getModelPricing(name);
    return `'${p.model}', ${formatRate(p.promptPer1kUsd)}, ${formatRate(p.completionPer1kUsd)}, '${p.asOf}'`;
  }).join(', ');
}

/** A rate as plain decimal text (never exponent notation), as KQL `todouble('...')` reads it. */
function formatRate(value: number): string {
  const text = value.toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
  return text === '' || text === '-0' ? '0' : text;
}
