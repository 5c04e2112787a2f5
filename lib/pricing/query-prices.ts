/**
 * Prices bound into the `kql/` queries: every price a query uses is a parameter without a default
 * (see `kql/query-files.ts`), bound here from the pricing tables for the configured SKU and models,
 * so E1, E3 and the workbook price the same SKU the same way.
 */
import type { KitConfig } from '../config/types.js';
import { readArtifact } from '../artifacts/read-artifact.js';
import { declaredParameters, loadQuery } from '../kql/query-files.js';
import type { KqlParam, LoadedQuery } from '../kql/types.js';
import { getApimPricing, getModelPricing } from './pricing.js';

/** Every price parameter a query in `kql/` may declare, for this configuration. */
export function priceParameters(
  config: Pick<KitConfig, 'deployment' | 'models'>,
): Record<string, KqlParam> {
  const apim = getApimPricing(config.deployment.apimSku);
  const models = config.models.map((m) => getModelPricing(m.name));
  return {
    baseMonthlyCost: apim.baseMonthlyUsd,
    perKRate: apim.overagePer1kUsd,
    priceModels: models.map((m) => m.model),
    promptPer1K: models.map((m) => m.promptPer1kUsd),
    completionPer1K: models.map((m) => m.completionPer1kUsd),
  };
}

/**
 * The price parameters `declared` asks for (the names a query file declares), so a query is
 * bound with exactly its own.
 * @example loadQuery('cost-allocation-subscription', queryPriceParameters(config, declaredNames))
 */
export function queryPriceParameters(
  config: Pick<KitConfig, 'deployment' | 'models'>,
  declared: readonly string[],
): Record<string, KqlParam> {
  const all = priceParameters(config);
  return Object.fromEntries(Object.entries(all).filter(([name]) => declared.includes(name)));
}

/**
 * Loads `kql/<name>.kql` with its price parameters bound for this configuration, plus `params`.
 * @example const q = loadPricedQuery('cost-allocation-subscription', target.config);
 */
export function loadPricedQuery(
  name: string,
  config: Pick<KitConfig, 'deployment' | 'models'>,
  params: Record<string, KqlParam> = {},
): LoadedQuery {
  const declared = declaredParameters(readArtifact('kql', `${name}.kql`)).map((p) => p.name);
  return loadQuery(name, { ...queryPriceParameters(config, declared), ...params });
}
