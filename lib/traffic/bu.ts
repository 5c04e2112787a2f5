/**
 * Cell C1: weighted subscription-key traffic per BU to the costing API, with a small share of
 * deliberate failures (a malformed JSON body, which the costing API's policy answers with 400)
 * so the Subscription tab's error views have data. Every failure stays on the costing API and is
 * logged under the BU whose key it carries, so the BU figures are the original sample's.
 */
import type { CostingTarget } from '../target.js';
import { countsPerBu, failurePositions, resolveBuTargets } from './plan.js';
import { joinUrl, STATUS_OPERATION, SUBSCRIPTION_KEY_HEADER } from './routes.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import type { PlannedRequest } from './runner.js';
import {
  prepared,
  regularTrafficOff,
  type TrafficKind,
  type TrafficOptions,
} from './traffic-kind.js';

/** Options of C1 (`sendTraffic(target, 'bu', options)`). */
export interface BuTrafficOptions extends TrafficOptions {
  /** Requests per BU instead of the weighted default, e.g. `{ 'bu-hr': 10 }` (only these BUs). */
  requestsPerBu?: Record<string, number>;
  /** Share of deliberately failing requests (0..1). @default config.traffic.errorShare */
  errorShare?: number;
}

interface BuRequest extends PlannedRequest {
  request: HttpRequest;
}

/** The deliberate failure kinds, in turn. */
export const BU_FAILURE_KINDS = ['malformed-body'] as const;

/** The body of a `malformed-body` failure: JSON cut short. */
const MALFORMED_BODY = '{"messages": [{"role": "user", "content": "unterminated';

/**
 * Builds C1's plan: per BU, max(1, floor(base x weight)) requests, of which round(n x errorShare)
 * are deliberate failures spread through the run: a `POST` with a malformed JSON body to the
 * costing API (its policy answers 400), with the BU's key, so the failure counts against the BU
 * on the costing API.
 */
export function planBuTraffic(target: CostingTarget, options: BuTrafficOptions = {}): BuRequest[] {
  const config = target.config;
  const deployment = target.requireDeployment();
  const targets = resolveBuTargets(config, deployment);
  const counts = countsPerBu(
    targets,
    config.traffic.sampleRequestsPerSubscription,
    options.requestsPerBu,
    'requestsPerBu',
  );
  const share = options.errorShare ?? config.traffic.errorShare;
  const url = joinUrl(deployment.apis.costing.url, STATUS_OPERATION.path);
  const plan: BuRequest[] = [];
  let failureTurn = 0;
  for (const t of targets) {
    const n = counts.get(t.bu.name);
    if (n === undefined) continue;
    const failing = failurePositions(n, share);
    const headers = { [SUBSCRIPTION_KEY_HEADER]: t.subscription.primaryKey };
    for (let j = 0; j < n; j += 1) {
      const planned: BuRequest = {
        index: plan.length,
        bu: t.bu.name,
        kind: 'ok',
        request: { method: STATUS_OPERATION.method, url, headers },
      };
      if (failing.has(j)) {
        planned.kind = BU_FAILURE_KINDS[failureTurn % BU_FAILURE_KINDS.length] as string;
        failureTurn += 1;
        planned.request = {
          method: 'POST',
          url,
          headers: { ...headers, 'content-type': 'application/json' },
          body: MALFORMED_BODY,
        };
      }
      plan.push(planned);
    }
  }
  return plan;
}

/** Cell C1: the weighted BU traffic, recorded in the ledger as source `bu`. */
export const buTraffic: TrafficKind<BuTrafficOptions> = {
  source: 'bu',
  cell: 'C1',
  label: 'C1 BU traffic',
  api: (deployment) => deployment.apis.costing,
  skipReason: (target) => regularTrafficOff(target.config, 'BU'),
  prepare: (target, options) =>
    prepared(planBuTraffic(target, options), (p, ctx) => sendHttpAttempt(p.request, ctx)),
};
