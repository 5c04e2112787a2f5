/**
 * Cell D2: when no real model is deployed, weighted traffic per BU to the token-tracking API's
 * mock operation (the policy returns a fixed usage), each request with a caller's unsigned JWT.
 * Skipped, saying why, when D1 already sent real AI traffic.
 */
import type { KitConfig } from '../config/types.js';
import { readLedger } from '../ledger/ledger.js';
import type { CostingTarget } from '../target.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import { countsPerBu, resolveBuTargets } from './plan.js';
import { AI_SUBSCRIPTION_KEY_HEADER, joinUrl, mockAiOperationPath } from './routes.js';
import type { PlannedRequest } from './runner.js';
import { aiTrafficOff, prepared, type TrafficKind, type TrafficOptions } from './traffic-kind.js';
import { createUnsignedJwt } from './unsigned-jwt.js';

/** Options of D2 (`sendTraffic(target, 'mock-ai', options)`). */
export interface MockAiTrafficOptions extends TrafficOptions {
  /** Requests per BU instead of the weighted default (only these BUs). */
  requestsPerBu?: Record<string, number>;
  /** Run even when D1 already sent real AI traffic. @default false */
  force?: boolean;
}

interface MockAiRequest extends PlannedRequest {
  request: HttpRequest;
}

/**
 * Requests per BU before weighting: the sum of the models' `requestsPerBu`, so mock traffic has
 * the volume D1 would have had.
 */
export function mockAiBase(config: KitConfig): number {
  return config.models.reduce((sum, m) => sum + m.requestsPerBu, 0);
}

/** Builds D2's plan: per BU, max(1, floor(base x weight)) requests, callers in turn. */
export function planMockAiTraffic(
  target: CostingTarget,
  options: MockAiTrafficOptions = {},
): MockAiRequest[] {
  const config = target.config;
  const deployment = target.requireDeployment();
  const buTargets = resolveBuTargets(config, deployment);
  const counts = countsPerBu(buTargets, mockAiBase(config), options.requestsPerBu, 'requestsPerBu');
  // The mock ignores the deployment id; the first configured model keeps the URL realistic.
  const url = joinUrl(
    deployment.apis.tokenTracking.url,
    mockAiOperationPath(config.models[0]?.name ?? 'mock'),
  );
  const tenant = config.azure.tenantId ? { tenantId: config.azure.tenantId } : {};
  const jwts = new Map(
    config.callers.map((c) => [c.appId, `Bearer ${createUnsignedJwt(c.appId, tenant)}`]),
  );
  const plan: MockAiRequest[] = [];
  let turn = 0;
  for (const t of buTargets) {
    const n = counts.get(t.bu.name);
    if (n === undefined) continue;
    for (let j = 0; j < n; j += 1) {
      // The configuration guarantees at least one caller.
      const caller = config.callers[turn % config.callers.length]!;
      turn += 1;
      const body = JSON.stringify({
        messages: [
          { role: 'user', content: `Mock request ${plan.length} from ${t.bu.displayName}` },
        ],
      });
      plan.push({
        index: plan.length,
        bu: t.bu.name,
        caller: caller.appId,
        kind: 'ok',
        request: {
          method: 'POST',
          url,
          headers: {
            [AI_SUBSCRIPTION_KEY_HEADER]: t.subscription.primaryKey,
            authorization: jwts.get(caller.appId) as string,
            'content-type': 'application/json',
          },
          body,
        },
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
