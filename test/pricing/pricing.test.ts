import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import { APIM_SKUS } from '../../lib/config/types.js';
import { UnknownPriceError } from '../../lib/errors.js';
import {
  allocateCost,
  getApimPricing,
  getModelPricing,
  modelPriceRows,
  PRICED_MODELS,
  tokenCost,
  undatedModelName,
  workbookPlaceholders,
  WORKBOOK_PLACEHOLDERS,
} from '../../lib/pricing/pricing.js';

describe('getApimPricing', () => {
  it('has the retail prices for the v2 tiers', () => {
    expect(getApimPricing('BasicV2')).toMatchObject({
      sku: 'BasicV2',
      label: 'Basic v2',
      baseMonthlyUsd: 150.01,
      overagePer1kUsd: 0.003,
      includedRequests: 10_000_000,
      asOf: 'March 2026',
    });
    expect(getApimPricing('StandardV2')).toMatchObject({
      baseMonthlyUsd: 700,
      overagePer1kUsd: 0.0025,
      includedRequests: 50_000_000,
    });
    expect(getApimPricing('PremiumV2')).toMatchObject({
      baseMonthlyUsd: 2801,
      overagePer1kUsd: 0,
      includedRequests: null,
    });
  });

  it('has classic tiers with no overage', () => {
    expect(getApimPricing('Developer').baseMonthlyUsd).toBe(48.04);
    expect(getApimPricing('Basic').baseMonthlyUsd).toBe(147.17);
    expect(getApimPricing('Standard').baseMonthlyUsd).toBe(686.72);
    expect(getApimPricing('Premium').baseMonthlyUsd).toBe(2795.17);
    for (const sku of ['Developer', 'Basic', 'Standard', 'Premium'])
      expect(getApimPricing(sku).overagePer1kUsd).toBe(0);
  });

  it('prices every SKU the configuration accepts, case-insensitively', () => {
    for (const sku of APIM_SKUS) expect(getApimPricing(sku).sku).toBe(sku);
    expect(getApimPricing('basicv2').sku).toBe('BasicV2');
    expect(getApimPricing('BasicV2').source).toMatch(/API Management pricing page/);
  });

  it('rejects an unknown SKU naming the known ones', () => {
    expect(() => getApimPricing('Consumption')).toThrow(UnknownPriceError);
    expect(() => getApimPricing('Consumption')).toThrow(
      "Unknown APIM SKU 'Consumption'. Known: Developer, Basic, Standard, Premium, BasicV2, StandardV2, PremiumV2.",
    );
  });
});

describe('getModelPricing', () => {
  it('has the retail token prices', () => {
    expect(getModelPricing('gpt-5-mini')).toMatchObject({
      promptPer1kUsd: 0.00025,
      completionPer1kUsd: 0.002,
      asOf: 'April 2026',
    });
    expect(getModelPricing('gpt-4o-mini')).toMatchObject({
      promptPer1kUsd: 0.00015,
      completionPer1kUsd: 0.0006,
    });
    expect(getModelPricing('gpt-4.1-nano')).toMatchObject({
      promptPer1kUsd: 0.0001,
      completionPer1kUsd: 0.0004,
    });
  });

  it('accepts dated model names as logged in ModelName', () => {
    expect(getModelPricing('gpt-4o-mini-2024-07-18').model).toBe('gpt-4o-mini');
    expect(getModelPricing('gpt-4.1-nano-2025-04-14').promptPer1kUsd).toBe(0.0001);
    expect(undatedModelName('gpt-5-mini-2025-08-07')).toBe('gpt-5-mini');
  });

  it('rejects an unknown model naming the known ones', () => {
    expect(() => getModelPricing('gpt-4o-2024-08-06')).toThrow(
      "Unknown model 'gpt-4o-2024-08-06'. Known: gpt-5-mini, gpt-4o-mini, gpt-4.1-nano.",
    );
  });
});

describe('allocateCost', () => {
  it('splits base cost by request share and adds the per-1K variable cost', () => {
    const rows = allocateCost(
      { 'bu-hr': 25, 'bu-sales': 75 },
      { baseMonthlyUsd: 200, overagePer1kUsd: 4 },
    );
    expect(rows.map((r) => r.bu)).toEqual(['bu-sales', 'bu-hr']);
    const [sales, hr] = rows;
    expect(sales).toMatchObject({ requests: 75, share: 0.75, baseShareUsd: 150 });
    expect(sales?.variableUsd).toBeCloseTo(0.3, 12);
    expect(sales?.totalUsd).toBeCloseTo(150.3, 12);
    expect(hr?.baseShareUsd).toBe(50);
    expect(hr?.variableUsd).toBeCloseTo(0.1, 12);
  });

  it('sums to the base cost plus total variable cost', () => {
    const apim = getApimPricing('BasicV2');
    const counts = { 'bu-hr': 50, 'bu-finance': 125, 'bu-marketing': 25, 'bu-engineering': 150 };
    const rows = allocateCost(counts, apim);
    const total = rows.reduce((s, r) => s + r.totalUsd, 0);
    expect(total).toBeCloseTo(150.01 + 350 * 0.000003, 9);
  });

  it('gives zero base share when there are no requests', () => {
    expect(allocateCost({ 'bu-hr': 0 }, getApimPricing('BasicV2'))[0]).toMatchObject({
      share: 0,
      baseShareUsd: 0,
      totalUsd: 0,
    });
  });
});

describe('tokenCost', () => {
  it('prices prompt and completion tokens per 1K', () => {
    expect(tokenCost(1000, 1000, getModelPricing('gpt-5-mini'))).toBeCloseTo(0.00225, 12);
    expect(tokenCost(2500, 500, { promptPer1kUsd: 0.002, completionPer1kUsd: 0.01 })).toBeCloseTo(
      0.01,
      12,
    );
  });
});

describe('workbookPlaceholders', () => {
  it('fills every placeholder from the pricing tables', () => {
    const config = loadConfig({ deployment: { apimSku: 'StandardV2' } });
    const map = workbookPlaceholders(config, {
      appInsightsId:
        '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi-costing-1',
    });
    expect(Object.keys(map).sort()).toEqual([...WORKBOOK_PLACEHOLDERS].sort());
    expect(map).toEqual({
      __APP_INSIGHTS_ID__:
        '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/components/appi-costing-1',
      __APIM_SKU__: 'Standard v2',
      __BASE_MONTHLY_COST__: '700',
      __PER_K_RATE__: '0.0025',
      __PROMPT_TOKEN_RATE__: '0.00025',
      __COMPLETION_TOKEN_RATE__: '0.002',
      __MODEL_PRICES__:
        "'gpt-5-mini', 0.00025, 0.002, 'April 2026', 'gpt-4o-mini', 0.00015, 0.0006, 'April 2026', " +
        "'gpt-4.1-nano', 0.0001, 0.0004, 'April 2026'",
    });
  });

  it('puts every priced model in the price table, each at its own prices', () => {
    const rows = modelPriceRows().match(/'[^']+', [\d.]+, [\d.]+, '[^']+'/g) ?? [];
    expect(rows).toHaveLength(PRICED_MODELS.length);
    for (const model of PRICED_MODELS) {
      const p = getModelPricing(model);
      expect(modelPriceRows()).toContain(
        `'${model}', ${p.promptPer1kUsd}, ${p.completionPer1kUsd}, '${p.asOf}'`,
      );
    }
  });

  it('uses the first configured model when gpt-5-mini is not configured', () => {
    const config = loadConfig({
      models: [{ name: 'gpt-4.1-nano', version: '2025-04-14', capacityKTpm: 10, requestsPerBu: 4 }],
    });
    const map = workbookPlaceholders(config);
    expect(map.__PROMPT_TOKEN_RATE__).toBe('0.0001');
    expect(map.__COMPLETION_TOKEN_RATE__).toBe('0.0004');
    expect(map.__APP_INSIGHTS_ID__).toBeUndefined();
  });
});
