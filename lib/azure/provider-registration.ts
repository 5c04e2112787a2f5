/**
 * Resource provider registration: an export to a storage account needs the subscription
 * registered for `Microsoft.CostManagementExports` (REST definition of ExportDeliveryDestination,
 * 2025-03-01), which the portal does on its own but an API caller must do (the original sample
 * checks it too). Registering is idempotent; the kit waits until ARM reports `Registered`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { OperationOptions } from '../target.js';
import { AzurePendingError, AzureRequestError } from '../errors.js';
import { toKitError } from './azure-errors.js';

/** The provider a Cost Management export to a storage account needs. */
export const EXPORTS_PROVIDER = 'Microsoft.CostManagementExports';

/** Options of {@link ensureProviderRegistered}. */
export interface ProviderRegistrationOptions extends OperationOptions {
  /** Polls while the registration is under way. @default 10 */
  attempts?: number;
  /** Delay between polls. @default 10000 */
  delayMs?: number;
}

/**
 * Registers the provider when it is not, and waits until it is.
 * @returns one line saying what happened.
 * @example await ensureProviderRegistered(resources, EXPORTS_PROVIDER, { onProgress });
 */
export async function ensureProviderRegistered(
  resources: ResourceManagementClient,
  namespace: string,
  options: ProviderRegistrationOptions = {},
): Promise<string> {
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const state = async (): Promise<string> => {
    try {
      return (await resources.providers.get(namespace, abort)).registrationState ?? 'Unknown';
    } catch (error) {
      throw toKitError(error, `reading the registration of ${namespace}`);
    }
  };
  if ((await state()) === 'Registered') return `${namespace} is registered`;
  options.onProgress?.({
    message: `Registering resource provider ${namespace} (needed once per subscription)`,
  });
  try {
    await resources.providers.register(namespace, abort);
  } catch (error) {
    const kit = toKitError(error, `registering ${namespace}`);
    throw new AzureRequestError(
      `${kit.message} Ask an owner of the subscription to register it (az provider register --namespace ${namespace}), then run the cell again.`,
      kit instanceof AzureRequestError ? kit.statusCode : undefined,
      kit instanceof AzureRequestError ? kit.code : undefined,
      { cause: error },
    );
  }
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const current = await state();
    if (current === 'Registered') return `${namespace} registered now`;
    if (attempt < attempts)
      await sleep(options.delayMs ?? 10_000, undefined, { signal: options.signal });
  }
  throw new AzurePendingError(
    `${namespace} is still registering after ${attempts} checks; wait a few minutes and run the cell again.`,
  );
}
