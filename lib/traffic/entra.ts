/**
 * Cell C2: traffic per simulated Entra ID caller to the Entra ID API, each request carrying the
 * caller's UNSIGNED JWT (the policy reads `appid`/`azp`, it does not validate) and the Entra ID
 * API's own subscription key, as the original sample sends it: the requests are attributed to
 * callers by the `caller-requests` metric, never to a business unit.
 */
import type { CostingTarget } from '../target.js';
import { countsPerCaller, requireApiSubscription } from './plan.js';
import { joinUrl, STATUS_OPERATION, SUBSCRIPTION_KEY_HEADER } from './routes.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import type { PlannedRequest } from './runner.js';
import {
  prepared,
  regularTrafficOff,
  type TrafficKind,
  type TrafficOptions,
} from './traffic-kind.js';
import { createUnsignedJwt } from './unsigned-jwt.js';

/** Options of C2 (`sendTraffic(target, 'entra', options)`). */
export interface EntraTrafficOptions extends TrafficOptions {
  /** Requests per caller (key: appId or name) instead of the weighted default (only these callers). */
  requestsPerCaller?: Record<string, number>;
}

interface EntraRequest extends PlannedRequest {
  request: HttpRequest;
}

/** Builds C2's plan: per caller, max(1, floor(base x weight)) requests with the API's own key. */
export function planEntraTraffic(
  target: CostingTarget,
  options: EntraTrafficOptions = {},
): EntraRequest[] {
  const config = target.config;
  const api = target.requireDeployment().apis.entra;
  const own = requireApiSubscription(api);
  const counts = countsPerCaller(
    config.callers,
    config.traffic.sampleRequestsPerSubscription,
    options.requestsPerCaller,
    'requestsPerCaller',
  );
  const url = joinUrl(api.url, STATUS_OPERATION.path);
  const plan: EntraRequest[] = [];
  for (const caller of config.callers) {
    const n = counts.get(caller);
    if (n === undefined) continue;
    const jwt = createUnsignedJwt(
      caller.appId,
      config.azure.tenantId ? { tenantId: config.azure.tenantId } : {},
    );
    const headers = {
      [SUBSCRIPTION_KEY_HEADER]: own.primaryKey,
      authorization: `Bearer ${jwt}`,
    };
    for (let j = 0; j < n; j += 1) {
      plan.push({
        index: plan.length,
        bu: own.id,
        caller: caller.appId,
        kind: 'ok',
        request: { method: STATUS_OPERATION.method, url, headers },
      });
    }
  }
  return plan;
}

/** Cell C2: the simulated Entra ID callers' traffic, recorded as source `entra`. */
export const entraTraffic: TrafficKind<EntraTrafficOptions> = {
  source: 'entra',
  cell: 'C2',
  label: 'C2 Entra ID traffic',
  api: (deployment) => deployment.apis.entra,
  skipReason: (target) =>
    target.config.features.enableEntraIdTracking
      ? regularTrafficOff(target.config, 'Entra ID')
      : 'features.enableEntraIdTracking is false; set it to true in cell A1 (and rerun A2) to send Entra ID traffic.',
  prepare: (target, options) =>
    prepared(planEntraTraffic(target, options), (p, ctx) => sendHttpAttempt(p.request, ctx)),
};
