/**
 * The keys of the BU subscriptions, and of the APIs' own subscriptions (scope: one API, not a
 * business unit): the Entra ID API's (C2, C3) and the token-tracking API's (D2), all read through
 * `listSecrets` (keys are never template outputs).
 */
import { AzureRequestError } from '../errors.js';
import type { KitConfig } from '../config/types.js';
import type { ApiSubscription, BuSubscription, OperationOptions } from '../target.js';
import type { AzureClients } from './azure-clients.js';
import { toKitError } from './azure-errors.js';
import type { AzureResourceNames } from './resource-names.js';

/** An API as `main.json` outputs it: its id, whether it is deployed, its own subscription. */
export interface ApiWithSubscription {
  apiId: string;
  deployed?: boolean | undefined;
  subscriptionName?: string | undefined;
}

/**
 * Lists the key of every deployed API's own subscription.
 * @returns the subscriptions by API id (APIs without one, or not deployed, are absent).
 * @example const keys = await listApiKeys(clients, names, main.apis);
 */
export async function listApiKeys(
  clients: AzureClients,
  names: AzureResourceNames,
  apis: Readonly<Record<string, ApiWithSubscription>>,
  options: OperationOptions = {},
): Promise<Map<string, ApiSubscription>> {
  const out = new Map<string, ApiSubscription>();
  const owned = Object.values(apis).filter(
    (a) => a.deployed !== false && a.subscriptionName !== undefined && a.subscriptionName !== '',
  );
  if (owned.length === 0) return out;
  const apim = await clients.apiManagement();
  for (const api of owned) {
    const id = api.subscriptionName as string;
    options.onProgress?.({ message: `Reading the key of subscription ${id}` });
    try {
      const secrets = await apim.subscription.listSecrets(
        names.apimResourceGroup,
        names.apimName,
        id,
        options.signal !== undefined ? { abortSignal: options.signal } : {},
      );
      if (secrets.primaryKey === undefined || secrets.primaryKey === '')
        throw new AzureRequestError(
          `APIM returned no primary key for subscription ${id}; run cell A2 again.`,
          undefined,
          'NoPrimaryKey',
        );
      out.set(api.apiId, { id, primaryKey: secrets.primaryKey });
    } catch (error) {
      throw toKitError(error, `listing the keys of subscription ${id}`);
    }
  }
  return out;
}

/** BU keys through the subscription `listSecrets` action (keys are never template outputs). */
export async function listBuKeys(
  config: KitConfig,
  clients: AzureClients,
  names: AzureResourceNames,
  options: OperationOptions = {},
): Promise<BuSubscription[]> {
  const apim = await clients.apiManagement();
  const out: BuSubscription[] = [];
  for (const [i, bu] of config.businessUnits.entries()) {
    options.onProgress?.({
      message: `Reading the key of subscription ${bu.name}`,
      done: i,
      total: config.businessUnits.length,
    });
    try {
      const secrets = await apim.subscription.listSecrets(
        names.apimResourceGroup,
        names.apimName,
        bu.name,
        options.signal !== undefined ? { abortSignal: options.signal } : {},
      );
      if (secrets.primaryKey === undefined || secrets.primaryKey === '')
        throw new AzureRequestError(
          `APIM returned no primary key for subscription ${bu.name}; run cell A2 again.`,
          undefined,
          'NoPrimaryKey',
        );
      out.push({ id: bu.name, displayName: bu.displayName, primaryKey: secrets.primaryKey });
    } catch (error) {
      throw toKitError(error, `listing the keys of subscription ${bu.name}`);
    }
  }
  return out;
}
