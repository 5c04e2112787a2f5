/**
 * The gateway emulator's subscription-key check: where APIM looks for a key, and how it answers
 * a missing or unknown one.
 */
import type { BuSubscription } from '../target.js';
import type { CatalogApi } from './api-catalog.js';
import { APIM_MESSAGES } from './apim-messages.js';
import { firstValue } from './http-headers.js';

/** A subscription the gateway knows: a BU's (scope: all APIs) or an API's own. */
export interface GatewaySubscription extends BuSubscription {
  /** The one API whose key this is (scope `/apis/<id>`); `undefined` = every API (scope `/apis`). */
  apiId?: string;
}

/** What plans change on the gateway at run time (cell E5): suspended subscriptions, named values. */
export interface GatewayState {
  /** Subscription ids whose state is `suspended`: their keys are refused as inactive. */
  suspended: Set<string>;
  /** APIM named values by name (`{{name}}` in policies). */
  namedValues: Map<string, string>;
}

/** The outcome of the subscription-key check. */
export type AuthResult =
  | { ok: true; subscription: GatewaySubscription | undefined }
  | { ok: false; reason: 'SubscriptionKeyNotFound' | 'SubscriptionKeyInvalid'; message: string };

/**
 * Checks the key in `api-key`, `Ocp-Apim-Subscription-Key` or the `subscription-key`/`api-key`
 * query parameters (headers first, as APIM) against the subscriptions in scope: the BUs' (all
 * APIs) and the API's own; another API's key is invalid here. The key never reaches the backend.
 * @example const auth = authenticate(api, req.headers, url.searchParams, keysByValue);
 */
export function authenticate(
  api: CatalogApi,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  query: URLSearchParams,
  subscriptions: ReadonlyMap<string, GatewaySubscription>,
  suspended: ReadonlySet<string> = new Set(),
): AuthResult {
  const key =
    firstValue(headers['api-key']) ??
    firstValue(headers['ocp-apim-subscription-key']) ??
    query.get('subscription-key') ??
    query.get('api-key') ??
    undefined;
  if (key === undefined || key === '') {
    return api.subscriptionRequired
      ? { ok: false, reason: 'SubscriptionKeyNotFound', message: APIM_MESSAGES.missingKey }
      : { ok: true, subscription: undefined };
  }
  const sub = subscriptions.get(key);
  // A suspended subscription's key is not a key of an active subscription: the same answer.
  if (!sub || (sub.apiId !== undefined && sub.apiId !== api.id) || suspended.has(sub.id))
    return { ok: false, reason: 'SubscriptionKeyInvalid', message: APIM_MESSAGES.invalidKey };
  return { ok: true, subscription: sub };
}
