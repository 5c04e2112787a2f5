/**
 * Cell D2: when no real model is deployed, weighted traffic per BU to the token-tracking API's
 * mock operation (the policy returns a fixed usage), each request with a caller's unsigned JWT.
 * Skipped, saying why, when D1 already sent real AI traffic.
 */
import type { KitConfig } from '../config/load-config.js';
import { KitError } from '../errors.js';
import { readLedger } from '../ledger/ledger.js';
import type { CostingTarget } from '../target.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import { countsPerBu, resolveBuTargets } from './plan.js';
import { AI_SUBSCRIPTION_KEY_HEADER, joinUrl, mockAiOperationPath } from './routes.js';
import type { PlannedRequest } from './runner.js';
import {
  recordSkipped,
  runTrafficSession,
  type TrafficOptions,
  type TrafficSummary,
} from './session.js';
import { createUnsignedJwt } from './unsigned-jwt.js';

/** Options of {@link sendMockAiTraffic}. */
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
  config: KitConfig,
  target: CostingTarget,
  options: MockAiTrafficOptions = {},
): MockAiRequest[] {
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
      const caller = config.callers[turn % config.callers.length];
      turn += 1;
      if (!caller)
        throw new KitError('No simulated caller is configured: add one to callers in cell A1.');
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

/**
 * Cell D2: sends mock AI traffic and records it in the ledger (source `mock-ai`), usage from each
 * response. Skipped with the reason when D1 ran (unless `force`), or AI/token tracking is off.
 * @param target - a deployed target (cell A2).
 * @param config - the kit configuration.
 * @param options - overrides, `force`, concurrency, cancellation.
 * @returns planned vs delivered per BU, with the mock token sums.
 * @example const d2 = await sendMockAiTraffic(target, config);
 */
export async function sendMockAiTraffic(
  target: CostingTarget,
  config: KitConfig,
  options: MockAiTrafficOptions = {},
): Promise<TrafficSummary> {
  const deployment = target.requireDeployment();
  const api = deployment.apis.tokenTracking;
  const skip = (reason: string): Promise<TrafficSummary> =>
    recordSkipped(config, deployment, 'mock-ai', 'D2', api.apiId, reason, options);
  if (!config.traffic.runAiRequests)
    return skip('traffic.runAiRequests is false; set it to true in cell A1 to send AI traffic.');
  if (!config.features.enableTokenTracking) {
    return skip(
      'features.enableTokenTracking is false; set it to true in cell A1 (and rerun A2) to send mock AI traffic.',
    );
  }
  if (!options.force) {
    const d1 = (await readLedger(config)).sources.ai;
    if (
      d1 &&
      d1.status !== 'skipped' &&
      d1.totals.sent > 0 &&
      d1.gatewayUrl === deployment.gatewayUrl
    ) {
      return skip(
        `D1 already sent ${d1.totals.sent} real AI requests to the deployed models, so mock traffic is not needed.`,
      );
    }
  }
  const plan = planMockAiTraffic(config, target, options);
  return runTrafficSession({
    config,
    deployment,
    source: 'mock-ai',
    cell: 'D2',
    label: 'D2 mock AI traffic',
    apiId: api.apiId,
    url: api.url,
    plan,
    send: (p, ctx) => sendHttpAttempt(p.request, ctx, true),
    options,
  });
}
