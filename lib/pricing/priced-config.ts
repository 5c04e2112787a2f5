/**
 * The kit's `loadConfig` (cell A1): the configuration checked against the price table, so an
 * unknown model fails in A1 naming `models[i].name` instead of in B1. Lives here because the
 * price table is this folder's fact and lib/config imports nothing but errors.
 */
import { loadConfig } from '../config/load-config.js';
import type { KitConfig, KitConfigInput } from '../config/types.js';
import { PRICED_MODELS } from './pricing.js';

/**
 * Fills defaults, validates (model names included) and freezes the configuration.
 * @param input - what cell A1 sets; everything else takes the defaults.
 * @param env - environment for `COSTING_JWT_*` and `AZURE_SUBSCRIPTION_ID` (default `process.env`).
 * @returns the frozen {@link KitConfig}.
 * @throws {@link ConfigError} with one problem per bad field.
 * @example const config = loadPricedConfig({ target: 'local' });
 */
export function loadPricedConfig(
  input: KitConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
): KitConfig {
  return loadConfig(input, env, { pricedModels: PRICED_MODELS });
}
