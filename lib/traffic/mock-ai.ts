/**
 * Cell D2: when no real model is deployed, traffic per simulated caller to the token-tracking
 * API's mock operation (the policy returns a fixed usage), as the original sample sends it:
 * max(1, floor(20 x weight)) requests per caller (210 with the default callers), each with the
 * caller's unsigned JWT and the token-tracking API's own subscription key, so it counts in the
 * AI tab's "all subscriptions" figures and in the caller metrics, never under a business unit.
 * Skipped, saying why, when D1 already sent real AI traffic.
 */
import { MOCK_AI_REQUESTS_PER_CALLER } from '../config/bounds.js';
import { readLedger } from '../ledger/ledger.js';
import type { CostingTarget } from '../target.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import { countsPerCaller, requireApiSubscription } from './plan.js';
import { AI_SUBSCRIPTION_KEY_HEADER, joinUrl, mockAiOperationPath } from './routes.js';
import type { PlannedRequest } from './runner.js';
import { aiTrafficOff, prepared, type TrafficKind, type TrafficOptions } from './traffic-kind.js';
import { createUnsignedJwt } from './unsigned-jwt.js';

/** Options of D2 (`sendTraffic(target, 'mock-ai', options)`). */
export interface MockAiTrafficOptions extends TrafficOptions {
  /** Requests per caller (key: appId or name) instead of the weighted default (only these callers). */
  requestsPerCaller?: Record<string, number>;
  /** Run even when D1 already sent real AI traffic. @default false */
  force?: boolean;
}

interface MockAiRequest extends PlannedRequest {
  request: HttpRequest;
}

// D2's base lives with the A1 bounds, which check the total it plans.
export { MOCK_AI_REQUESTS_PER_CALLER };

/** Builds D2's plan: per caller, max(1, floor(20 x weight)) requests with the API's own key. */
export function planMockAiTraffic(
  target: CostingTarget,
  options: MockAiTrafficOptions = {},
): MockAiRequest[] {
  const config = target.config;
  const api = target.requireDeployment().apis.tokenTracking;
  const own = requireApiSubscription(api);
  const counts = countsPerCaller(
    config.callers,
    MOCK_AI_REQUESTS_PER_CALLER,
    options.requestsPerCaller,
    'requestsPerCaller',
  );
  // The mock ignores the deployment id; the first configured model keeps the URL realistic.
  const url = joinUrl(api.url, mockAiOperationPath(config.models[0]?.name ?? 'mock'));
  const tenant = config.azure.tenantId ? { tenantId: config.azure.tenantId } : {};
  const plan: MockAiRequest[] = [];
  for (const caller of config.callers) {
    const n = counts.get(caller);
    if (n === undefined) continue;
    const headers = {
      [AI_SUBSCRIPTION_KEY_HEADER]: own.primaryKey,
      authorization: `Bearer ${createUnsignedJwt(caller.appId, tenant)}`,
      'content-type': 'application/json',
    };
    for (let j = 0; j < n; j += 1) {
      const body = JSON.stringify({
        messages: [{ role: 'user', content: `Mock request ${plan.length} from ${caller.name}` }],
      });
      plan.push({
        index: plan.length,
        bu: own.id,
        caller: caller.appId,
        kind: 'ok',
        request: { method: 'POST', url, headers, body },
      });
    }
  }
  return plan;
}

/** Cell D2: mock AI traffic when no model is deployed, recorded as source `mock-ai`. */
export const mockAiTraffic: TrafficKind<MockAiTrafficOptions> = {
  source: 'mock-ai',
  cell: 'D2',
  label: 'D2 mock AI traffic',
  api: (deployment) => deployment.apis.tokenTracking,
  async skipReason(target, options) {
    const config = target.config;
    const off = aiTrafficOff(config);
    if (off) return off;
    if (!config.features.enableTokenTracking)
      return 'features.enableTokenTracking is false; set it to true in cell A1 (and rerun A2) to send mock AI traffic.';
    if (options.force) return undefined;
    const d1 = (await readLedger(config)).sources.ai;
    const gatewayUrl = target.requireDeployment().gatewayUrl;
    if (d1 && d1.status !== 'skipped' && d1.totals.sent > 0 && d1.gatewayUrl === gatewayUrl)
      return `D1 already sent ${d1.totals.sent} real AI requests to the deployed models, so mock traffic is not needed.`;
    return undefined;
  },
  prepare: (target, options) =>
    prepared(planMockAiTraffic(target, options), (p, ctx) => sendHttpAttempt(p.request, ctx, true)),
};
