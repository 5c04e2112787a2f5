/**
 * Cell C2: traffic per simulated Entra ID caller to the Entra ID API, each request carrying the
 * caller's UNSIGNED JWT (the policy reads `appid`/`azp`, it does not validate) and the key of the
 * caller's home BU (callers are assigned to BUs in turn).
 */
import type { KitConfig } from '../config/load-config.js';
import type { CostingTarget } from '../target.js';
import { countsPerCaller, resolveBuTargets } from './plan.js';
import { joinUrl, STATUS_OPERATION, SUBSCRIPTION_KEY_HEADER } from './routes.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import type { PlannedRequest } from './runner.js';
import {
  recordSkipped,
  regularTrafficOff,
  runTrafficSession,
  type TrafficOptions,
  type TrafficSummary,
} from './session.js';
import { createUnsignedJwt } from './unsigned-jwt.js';

/** Options of {@link sendEntraTraffic}. */
export interface EntraTrafficOptions extends TrafficOptions {
  /** Requests per caller (key: appId or name) instead of the weighted default (only these callers). */
  requestsPerCaller?: Record<string, number>;
}

interface EntraRequest extends PlannedRequest {
  request: HttpRequest;
}

/** Builds C2's plan: per caller, max(1, floor(base x weight)) requests. */
export function planEntraTraffic(
  config: KitConfig,
  target: CostingTarget,
  options: EntraTrafficOptions = {},
): EntraRequest[] {
  const deployment = target.requireDeployment();
  const buTargets = resolveBuTargets(config, deployment);
  const counts = countsPerCaller(
    config.callers,
    config.traffic.sampleRequestsPerSubscription,
    options.requestsPerCaller,
    'requestsPerCaller',
  );
  const url = joinUrl(deployment.apis.entra.url, STATUS_OPERATION.path);
  const plan: EntraRequest[] = [];
  config.callers.forEach((caller, i) => {
    const n = counts.get(caller);
    if (n === undefined) return;
    const home = buTargets[i % buTargets.length];
    if (!home) return;
    const jwt = createUnsignedJwt(
      caller.appId,
      config.azure.tenantId ? { tenantId: config.azure.tenantId } : {},
    );
    const headers = {
      [SUBSCRIPTION_KEY_HEADER]: home.subscription.primaryKey,
      authorization: `Bearer ${jwt}`,
    };
    for (let j = 0; j < n; j += 1) {
      plan.push({
        index: plan.length,
        bu: home.bu.name,
        caller: caller.appId,
        kind: 'ok',
        request: { method: STATUS_OPERATION.method, url, headers },
      });
    }
  });
  return plan;
}

/**
 * Cell C2: sends the simulated Entra ID caller traffic and records it in the ledger (source `entra`).
 * @param target - a deployed target (cell A2).
 * @param config - the kit configuration.
 * @param options - overrides, concurrency, cancellation.
 * @returns planned vs delivered per caller and per BU.
 * @example const c2 = await sendEntraTraffic(target, config);
 */
export async function sendEntraTraffic(
  target: CostingTarget,
  config: KitConfig,
  options: EntraTrafficOptions = {},
): Promise<TrafficSummary> {
  const deployment = target.requireDeployment();
  const api = deployment.apis.entra;
  if (!config.features.enableEntraIdTracking) {
    return recordSkipped(
      config,
      deployment,
      'entra',
      'C2',
      api.apiId,
      'features.enableEntraIdTracking is false; set it to true in cell A1 (and rerun A2) to send Entra ID traffic.',
      options,
    );
  }
  const off = regularTrafficOff(config, 'Entra ID');
  if (off) return recordSkipped(config, deployment, 'entra', 'C2', api.apiId, off, options);
  const plan = planEntraTraffic(config, target, options);
  return runTrafficSession({
    config,
    deployment,
    source: 'entra',
    cell: 'C2',
    label: 'C2 Entra ID traffic',
    apiId: api.apiId,
    url: api.url,
    plan,
    send: (p, ctx) => sendHttpAttempt(p.request, ctx),
    options,
  });
}
