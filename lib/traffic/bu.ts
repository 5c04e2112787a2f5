/**
 * Cell C1: weighted subscription-key traffic per BU to the costing API, with a small share of
 * deliberate failures (an unknown operation, a malformed body) so the error views have data.
 */
import { AI_API_VERSIONS } from '../artifacts/names.js';
import type { CostingTarget } from '../target.js';
import { countsPerBu, failurePositions, resolveBuTargets } from './plan.js';
import {
  AI_SUBSCRIPTION_KEY_HEADER,
  joinUrl,
  STATUS_OPERATION,
  SUBSCRIPTION_KEY_HEADER,
  UNKNOWN_OPERATION,
} from './routes.js';
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

/** The deliberate failure kinds, alternated. */
export const BU_FAILURE_KINDS = ['unknown-operation', 'malformed-body'] as const;

/**
 * Builds C1's plan: per BU, max(1, floor(base x weight)) requests, of which round(n x errorShare)
 * are deliberate failures spread through the run, alternating an unknown operation (`DELETE` on
 * the costing API: 404) and a malformed JSON body (to the AOAI gateway when a model is deployed:
 * 400). The BU's key goes with each, so the failures count against the BU.
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
  const api = deployment.apis.costing;
  // The costing API answers any body, so a malformed body only fails where the body is read:
  // the AOAI gateway (its backend answers 400, as Azure OpenAI does). Without a model backend it
  // goes to the costing API and is recorded with whatever status the gateway gives.
  const aoaiModel = deployment.aoai?.deployments[0]?.deploymentName;
  const malformedUrl =
    aoaiModel !== undefined
      ? `${joinUrl(deployment.apis.aoai.url, `deployments/${encodeURIComponent(aoaiModel)}/chat/completions`)}?api-version=${AI_API_VERSIONS.chat}`
      : joinUrl(api.url, STATUS_OPERATION.path);
  const malformedApi = aoaiModel !== undefined ? deployment.apis.aoai.apiId : undefined;
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
        request: {
          method: STATUS_OPERATION.method,
          url: joinUrl(api.url, STATUS_OPERATION.path),
          headers,
        },
      };
      if (failing.has(j)) {
        planned.kind = BU_FAILURE_KINDS[failureTurn % BU_FAILURE_KINDS.length] as string;
        failureTurn += 1;
        if (planned.kind === 'unknown-operation') {
          // APIM answers 404 before it reads the key: the row has no ApimSubscriptionId.
          planned.loggedSubscription = '';
          planned.request = {
            method: UNKNOWN_OPERATION.method,
            url: joinUrl(api.url, UNKNOWN_OPERATION.path),
            headers,
          };
        } else {
          planned.request = {
            method: 'POST',
            url: malformedUrl,
            headers: {
              [AI_SUBSCRIPTION_KEY_HEADER]: t.subscription.primaryKey,
              'content-type': 'application/json',
            },
            body: '{"messages": [{"role": "user", "content": "unterminated',
          };
          if (malformedApi !== undefined) planned.api = malformedApi;
        }
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
