/**
 * The Azure target, loaded on first use: its module pulls in the Azure SDKs (about a second of
 * `require` on a 2-core machine), which a notebook on the local target never calls.
 */
import { createRequire } from 'node:module';
import type { KitConfig } from '../config/types.js';
import type * as AzureTargetModule from '../azure/azure-target.js';
import type { AzureCostingTarget, AzureTargetOptions } from '../azure/azure-target.js';

/**
 * Builds the Azure target. Building it does no I/O; the SDK clients are made on first use.
 * @example const target = createAzureTarget(loadConfig({ target: 'azure', ... }));
 */
export function createAzureTarget(
  config: KitConfig,
  options?: AzureTargetOptions,
): AzureCostingTarget {
  const azure = createRequire(__filename)('../azure/azure-target.js') as typeof AzureTargetModule;
  return azure.createAzureTarget(config, options);
}
