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

/**
 * The query parameters that carry a subscription key, in the order APIM reads them (after the
 * headers). Names are compared after percent-decoding, as `URLSearchParams` (and APIM) decode
 * them, so `subscription%2Dkey` is the same parameter.
 */
export const QUERY_KEY_PARAMETERS = ['subscription-key', 'api-key'] as const;

/** The decoded name of one `name=value` part of a query string, as `URLSearchParams` reads it. */
function decodedName(part: string): string {
  const eq = part.indexOf('=');
  const raw = eq < 0 ? part : part.slice(0, eq);
  for (const name of new URLSearchParams(`${raw}=`).keys()) return name;
  return raw;
}

/** Whether a query part is a key parameter: the decoded-name comparison authentication uses. */
function isKeyParameter(part: string): boolean {
  // Case-insensitive on purpose: masking a parameter that would not authenticate costs nothing,
  // and a key must never reach the log under a spelling a gateway may accept.
  const name = decodedName(part).toLowerCase();
  return (QUERY_KEY_PARAMETERS as readonly string[]).includes(name);
}

/**
 * A request URL (path and query) with the value of every key parameter replaced by `***`, under
 * every spelling of its name that authenticates (plain, percent-encoded, any case), whatever the
 * value's encoding: the logged URL never carries a key.
 * @example maskQueryKeys('/api/get?subscription%2Dkey=abc&x=1') // '/api/get?subscription%2Dkey=***&x=1'
 */
export function maskQueryKeys(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
  const masked = query
    .split('&')
    .map((part) => (isKeyParameter(part) ? `${part.split('=', 1)[0] ?? ''}=***` : part))
    .join('&');
  return `${url.slice(0, q + 1)}${masked}${hash < 0 ? '' : url.slice(hash)}`;
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
    QUERY_KEY_PARAMETERS.map((name) => query.get(name)).find((v) => v !== null) ??
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
