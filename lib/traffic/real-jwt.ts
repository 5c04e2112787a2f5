/**
 * Cell C3 (optional): a small batch to the Entra ID API with a REAL client-credentials token,
 * proving a real `appid` flows into the caller metrics. Needs the three `COSTING_JWT_*` values.
 */
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { KitConfig } from '../config/load-config.js';
import { KitError } from '../errors.js';
import type { CostingTarget } from '../target.js';
import { checkCount, resolveBuTargets } from './plan.js';
import { joinUrl, STATUS_OPERATION, SUBSCRIPTION_KEY_HEADER } from './routes.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import type { PlannedRequest } from './runner.js';
import {
  recordSkipped,
  runTrafficSession,
  type TrafficOptions,
  type TrafficSummary,
} from './session.js';
import { readJwtClaims } from './unsigned-jwt.js';
import { ConfigError, type ConfigProblem } from '../errors.js';

/** Options of {@link sendRealJwtTraffic}. */
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

/**
 * Cell C3: gets a client-credentials token and sends a small batch with it (source `real-jwt`).
 * Skipped, with one line saying why, when `realJwt.useRealJwt` is off or a variable is missing.
 * @param target - a deployed target (cell A2).
 * @param config - the kit configuration.
 * @param options - batch size, credential override, concurrency, cancellation.
 * @returns the batch summary, or a skipped summary with the reason.
 * @example const c3 = await sendRealJwtTraffic(target, config);
 */
export async function sendRealJwtTraffic(
  target: CostingTarget,
  config: KitConfig,
  options: RealJwtTrafficOptions = {},
): Promise<TrafficSummary> {
  const deployment = target.requireDeployment();
  const api = deployment.apis.entra;
  const skip = (reason: string): Promise<TrafficSummary> =>
    recordSkipped(config, deployment, 'real-jwt', 'C3', api.apiId, reason, options);
  if (!config.features.enableEntraIdTracking) {
    return skip(
      'features.enableEntraIdTracking is false, so there is no Entra ID API to call; set it to true in cell A1 (and rerun A2).',
    );
  }
  if (!config.realJwt.useRealJwt && !options.credential) {
    return skip(
      'realJwt.useRealJwt is false; set it to true in cell A1 (with the COSTING_JWT_* variables) to send real-token traffic.',
    );
  }
  const missing = options.credential ? [] : missingRealJwtSettings(config);
  if (missing.length > 0) {
    return skip(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: export ${missing.length === 1 ? 'it' : 'them'} in the environment Jupyter starts from ` +
        `(or set realJwt.tenantId/clientId/clientSecret in cell A1), then rerun A1 and this cell.`,
    );
  }
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
      new ClientSecretCredential(
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
    throw new KitError(
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

  const home = resolveBuTargets(config, deployment)[0];
  if (!home)
    throw new KitError('No business unit is configured: add one to businessUnits in cell A1.');
  const request: HttpRequest = {
    method: STATUS_OPERATION.method,
    url: joinUrl(api.url, STATUS_OPERATION.path),
    headers: {
      [SUBSCRIPTION_KEY_HEADER]: home.subscription.primaryKey,
      authorization: `Bearer ${token}`,
    },
  };
  const plan: RealJwtRequest[] = Array.from({ length: count }, (_, index) => ({
    index,
    bu: home.bu.name,
    caller: appId,
    kind: 'ok',
    request,
  }));
  return runTrafficSession({
    config,
    deployment,
    source: 'real-jwt',
    cell: 'C3',
    label: 'C3 real JWT traffic',
    apiId: api.apiId,
    url: api.url,
    plan,
    send: (p, ctx) => sendHttpAttempt(p.request, ctx),
    options,
  });
}
