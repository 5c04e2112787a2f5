/**
 * Cell C1: weighted subscription-key traffic per BU to the costing API, with a small share of
 * deliberate failures (an unknown operation, a malformed body) so the error views have data.
 */
import type { KitConfig } from '../config/load-config.js';
import type { CostingTarget } from '../target.js';
import { countsPerBu, failurePositions, resolveBuTargets } from './plan.js';
import {
  AI_SUBSCRIPTION_KEY_HEADER,
  joinUrl,
  STATUS_OPERATION,
  SUBSCRIPTION_KEY_HEADER,
  UNKNOWN_OPERATION,
} from './routes.js';
import { AI_API_VERSIONS } from './ai.js';
import { sendHttpAttempt, type HttpRequest } from './http.js';
import type { PlannedRequest } from './runner.js';
import {
  recordSkipped,
  regularTrafficOff,
  runTrafficSession,
  type TrafficOptions,
  type TrafficSummary,
} from './session.js';

/** Options of {@link sendBuTraffic}. */
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
export function planBuTraffic(
  config: KitConfig,
  target: CostingTarget,
  options: BuTrafficOptions = {},
): BuRequest[] {
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

/**
 * Cell C1: sends the weighted BU traffic and records it in the ledger (source `bu`).
 * @param target - a deployed target (cell A2).
 * @param config - the kit configuration.
 * @param options - overrides, concurrency, cancellation.
 * @returns planned vs delivered per BU.
 * @throws {@link MissingStepError} when A2 has not run; {@link ConfigError} for a bad override;
 *   {@link TargetUnavailableError} when the gateway does not answer.
 * @example const c1 = await sendBuTraffic(target, config);
 */
export async function sendBuTraffic(
  target: CostingTarget,
  config: KitConfig,
  options: BuTrafficOptions = {},
): Promise<TrafficSummary> {
  const deployment = target.requireDeployment();
  const api = deployment.apis.costing;
  const off = regularTrafficOff(config, 'BU');
  if (off) return recordSkipped(config, deployment, 'bu', 'C1', api.apiId, off, options);
  const plan = planBuTraffic(config, target, options);
  return runTrafficSession({
    config,
    deployment,
    source: 'bu',
    cell: 'C1',
    label: 'C1 BU traffic',
    apiId: api.apiId,
    url: api.url,
    plan,
    send: (p, ctx) => sendHttpAttempt(p.request, ctx),
    options,
  });
}
