/**
 * Cell E5 on Azure: each BU subscription's `state` (`active` / `suspended`, ARM
 * `Microsoft.ApiManagement/service/subscriptions`) and the `budget-token-limits` named value the
 * budget fragment reads (`Microsoft.ApiManagement/service/namedValues`), read and written through
 * ARM with the API Management SDK.
 */
import {
  BUDGET_NAMED_VALUES,
  enforcementFromNamedValue,
  withTokenLimits,
} from '../config/budget-limits.js';
import type { KitConfig } from '../config/types.js';
import type { BuEnforcementState, OperationOptions } from '../target.js';
import type { AzureClients } from './azure-clients.js';
import { toKitError } from './azure-errors.js';
import type { AzureResourceNames } from './resource-names.js';

/** Every configured BU's subscription state and deployed token limits. */
export async function readAzureEnforcement(
  clients: AzureClients,
  config: KitConfig,
  names: AzureResourceNames,
  options: OperationOptions = {},
): Promise<BuEnforcementState[]> {
  const apim = await clients.apiManagement();
  const o = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const rg = names.apimResourceGroup;
  try {
    const nv = await apim.namedValue.get(rg, names.apimName, BUDGET_NAMED_VALUES.tokenLimits, o);
    const suspended = new Set<string>();
    for (const bu of config.businessUnits) {
      const sub = await apim.subscription.get(rg, names.apimName, bu.name, o);
      if (sub.state === 'suspended') suspended.add(bu.name);
    }
    return enforcementFromNamedValue(
      config.businessUnits.map((b) => b.name),
      nv.value ?? '',
      (bu) => suspended.has(bu),
    );
  } catch (error) {
    throw toKitError(error, 'reading the BU subscriptions and the budget-token-limits named value');
  }
}

/** Sets the listed BUs' subscription state (PATCH) and their limits in the named value (PUT). */
export async function writeAzureEnforcement(
  clients: AzureClients,
  config: KitConfig,
  names: AzureResourceNames,
  states: readonly BuEnforcementState[],
  options: OperationOptions = {},
): Promise<BuEnforcementState[]> {
  const apim = await clients.apiManagement();
  const o = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const rg = names.apimResourceGroup;
  const before = await readAzureEnforcement(clients, config, names, options);
  try {
    const name = BUDGET_NAMED_VALUES.tokenLimits;
    const limitsChanged = states.some((s) => {
      const b = before.find((x) => x.bu === s.bu);
      return (
        b?.tokenQuota !== s.tokenQuota ||
        b?.tokensPerMinute !== s.tokensPerMinute ||
        b?.tokenQuotaPeriod !== s.tokenQuotaPeriod
      );
    });
    if (limitsChanged) {
      const current = await apim.namedValue.get(rg, names.apimName, name, o);
      options.onProgress?.({ message: `Updating named value ${name}` });
      await apim.namedValue.beginCreateOrUpdateAndWait(
        rg,
        names.apimName,
        name,
        {
          displayName: name,
          value: withTokenLimits(current.value ?? '', states),
          secret: false,
          tags: ['apim-costing'],
        },
        { ...o, updateIntervalInMs: 1_000 },
      );
    }
    for (const s of states) {
      if (before.find((b) => b.bu === s.bu)?.state === s.state) continue;
      options.onProgress?.({ message: `Setting subscription ${s.bu} to ${s.state}` });
      await apim.subscription.update(rg, names.apimName, s.bu, '*', { state: s.state }, o);
    }
  } catch (error) {
    throw toKitError(error, 'changing the BU subscriptions or the budget-token-limits named value');
  }
  return readAzureEnforcement(clients, config, names, options);
}
