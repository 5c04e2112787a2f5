/**
 * Cell C3 (optional): a small batch (10 by default, as the original sample) to the Entra ID API
 * with a REAL client-credentials token and the API's own subscription key, proving a real `appid`
 * flows into the caller metrics. Needs the three `COSTING_JWT_*` values.
 */
import type { TokenCredential } from '@azure/core-auth';
import { createRequire } from 'node:module';
import type * as Identity from '@azure/identity';
import type { KitConfig } from '../config/types.js';
import { ConfigError, TokenRequestError, type ConfigProblem } from '../errors.js';
import type { CostingTarget } from '../target.js';
import { checkCount, requireApiSubscription } from './plan.js';
import { joinUrl, STATUS_OPERATION, SUBSCRIPTION_KEY_HEADER } from './routes.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import type { PlannedRequest } from './runner.js';
import {
  prepared,
  type PreparedTraffic,
  type TrafficKind,
  type TrafficOptions,
} from './traffic-kind.js';
import { readJwtClaims } from './unsigned-jwt.js';

/** Options of C3 (`sendTraffic(target, 'real-jwt', options)`). */
export interface RealJwtTrafficOptions extends TrafficOptions {
  /** Requests in the batch. @default config.realJwt.requests */
  requests?: number;
  /** A credential to use instead of `ClientSecretCredential` (tests, or a managed identity). */
  credential?: TokenCredential;
  /** Token scope. @default `api://<clientId>/.default` */
  scope?: string;
  /** Microsoft Entra authority host (sovereign clouds). @default the public cloud's */
  authorityHost?: string;
}

interface RealJwtRequest extends PlannedRequest {
  request: HttpRequest;
}

/** The `COSTING_JWT_*` variables that are missing from the configuration (and environment). */
export function missingRealJwtSettings(config: KitConfig): string[] {
  const missing: string[] = [];
  if (!config.realJwt.tenantId) missing.push('COSTING_JWT_TENANT_ID');
  if (!config.realJwt.clientId) missing.push('COSTING_JWT_CLIENT_ID');
  if (!config.realJwt.clientSecret) missing.push('COSTING_JWT_CLIENT_SECRET');
  return missing;
}

/** Why C3 sends nothing, or `undefined`. */
function realJwtSkipReason(
  target: CostingTarget,
  options: RealJwtTrafficOptions,
): string | undefined {
  const config = target.config;
  if (!config.features.enableEntraIdTracking)
    return 'features.enableEntraIdTracking is false, so there is no Entra ID API to call; set it to true in cell A1 (and rerun A2).';
  if (!config.realJwt.useRealJwt && !options.credential)
    return 'realJwt.useRealJwt is false; set it to true in cell A1 (with the COSTING_JWT_* variables) to send real-token traffic.';
  const missing = options.credential ? [] : missingRealJwtSettings(config);
  if (missing.length > 0) {
    return (
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: export ${missing.length === 1 ? 'it' : 'them'} in the environment Jupyter starts from ` +
      `(or set realJwt.tenantId/clientId/clientSecret in cell A1), then rerun A1 and this cell.`
    );
  }
  return undefined;
}

/**
 * Gets the client-credentials token and plans C3's batch with it.
 * @throws {@link TokenRequestError} when no token could be had (the secret is never shown).
 */
async function prepareRealJwtTraffic(
  target: CostingTarget,
  options: RealJwtTrafficOptions,
): Promise<PreparedTraffic> {
  const config = target.config;
  const deployment = target.requireDeployment();
  const api = deployment.apis.entra;
  const own = requireApiSubscription(api);
  const count = options.requests ?? config.realJwt.requests;
  const problems: ConfigProblem[] = [];
  checkCount(problems, 'requests', count);
  if (problems.length > 0) throw new ConfigError(problems);

  const scope = options.scope ?? `api://${config.realJwt.clientId ?? ''}/.default`;
  let token: string;
  try {
    // Built inside the try: the library rejects a malformed tenant id or authority at once.
    const credential =
      options.credential ??
      // Loaded here: only C3 with a real identity needs the identity library (and MSAL).
      new (createRequire(__filename)('@azure/identity') as typeof Identity).ClientSecretCredential(
        config.realJwt.tenantId as string,
        config.realJwt.clientId as string,
        config.realJwt.clientSecret as string,
        options.authorityHost ? { authorityHost: options.authorityHost } : {},
      );
    const got = await credential.getToken(
      scope,
      options.signal ? { abortSignal: options.signal } : {},
    );
    if (!got) throw new Error('the credential returned no token');
    token = got.token;
  } catch (err) {
    // The identity library's message is shown, never the secret, even if a message echoed it.
    const secret = config.realJwt.clientSecret;
    let cause = (err as Error).message.split('\n')[0] ?? '';
    if (secret) cause = cause.split(secret).join('***');
    throw new TokenRequestError(
      `Could not get a client-credentials token for scope ${scope} (client ${config.realJwt.clientId ?? '?'}, tenant ${config.realJwt.tenantId ?? '?'}): ` +
        `${cause}. Check the COSTING_JWT_* values and that the app registration has a valid secret.`,
      { cause: err },
    );
  }
  const claims = readJwtClaims(token) ?? {};
  const appId =
    typeof claims.appid === 'string'
      ? claims.appid
      : typeof claims.azp === 'string'
        ? claims.azp
        : 'unknown';

  const request: HttpRequest = {
    method: STATUS_OPERATION.method,
    url: joinUrl(api.url, STATUS_OPERATION.path),
    headers: {
      [SUBSCRIPTION_KEY_HEADER]: own.primaryKey,
      authorization: `Bearer ${token}`,
    },
  };
  const plan: RealJwtRequest[] = Array.from({ length: count }, (_, index) => ({
    index,
    bu: own.id,
    caller: appId,
    kind: 'ok',
    request,
  }));
  return prepared(plan, (p, ctx) => sendHttpAttempt(p.request, ctx));
}

/** Cell C3: a small batch with a real client-credentials token, recorded as source `real-jwt`. */
export const realJwtTraffic: TrafficKind<RealJwtTrafficOptions> = {
  source: 'real-jwt',
  cell: 'C3',
  label: 'C3 real JWT traffic',
  api: (deployment) => deployment.apis.entra,
  skipReason: realJwtSkipReason,
  prepare: prepareRealJwtTraffic,
};
