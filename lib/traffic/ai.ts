/**
 * Cell D1: Azure OpenAI traffic per model x BU through the gateway's AOAI API, in the six modes
 * of `ai-modes.ts`, with the official `openai` package's `AzureOpenAI` client: the BU's key as
 * `api-key`, the BU's caller's unsigned JWT as `Authorization` (one caller per BU, the i-th BU
 * with the i-th caller, callers reused in turn when there are fewer, as the original sample
 * pairs them), `maxRetries: 0` so the
 * kit's own retry loop sees every attempt, streams read to the end, usage recorded per request.
 */
import { AzureOpenAI } from 'openai';
import { AI_API_VERSIONS } from '../artifacts/names.js';
import { requestsFor } from '../config/bounds.js';
import { ModelNotDeployedError } from '../errors.js';
import type { CostingTarget, Deployment, ModelDeployment } from '../target.js';
import { sendAiAttempt } from './ai-attempt.js';
import { AI_MODES, AI_PROMPTS, type AiMode, type AiRequest } from './ai-modes.js';
import { countsPerBu, resolveBuTargets } from './plan.js';
import { aiTrafficOff, prepared, type TrafficKind, type TrafficOptions } from './traffic-kind.js';
import { createUnsignedJwt } from './unsigned-jwt.js';

/** Options of D1 (`sendTraffic(target, 'ai', options)`). */
export interface AiTrafficOptions extends TrafficOptions {
  /** Requests per BU for every model instead of max(1, floor(requestsPerBu x weight)) (only these BUs). */
  requestsPerBu?: Record<string, number>;
  /** Only these models (deployment or model names). @default every configured model */
  models?: string[];
}

function findDeployment(deployment: Deployment, name: string): ModelDeployment | undefined {
  return deployment.aoai?.deployments.find(
    (d) => d.deploymentName === name || d.modelName === name,
  );
}

/**
 * Builds D1's plan: per model x BU, max(1, floor(requestsPerBu x weight)) requests, mode j % 6,
 * every request of a BU as that BU's caller (the i-th BU with caller i mod the number of callers).
 */
export function planAiTraffic(target: CostingTarget, options: AiTrafficOptions = {}): AiRequest[] {
  const config = target.config;
  const deployment = target.requireDeployment();
  const buTargets = resolveBuTargets(config, deployment);
  const models = options.models ?? config.models.map((m) => m.name);
  const plan: AiRequest[] = [];
  for (const name of models) {
    const spec = config.models.find((m) => m.name === name);
    const deployed = findDeployment(deployment, name);
    if (!spec || !deployed) {
      throw new ModelNotDeployedError(
        name,
        deployment.aoai?.deployments.map((d) => d.deploymentName) ?? [],
      );
    }
    const counts = options.requestsPerBu
      ? countsPerBu(buTargets, spec.requestsPerBu, options.requestsPerBu, 'requestsPerBu')
      : new Map(buTargets.map((t) => [t.bu.name, requestsFor(spec.requestsPerBu, t.bu.weight)]));
    for (const [i, t] of buTargets.entries()) {
      const n = counts.get(t.bu.name);
      if (n === undefined) continue;
      // The configuration guarantees at least one caller.
      const caller = config.callers[i % config.callers.length]!;
      for (let j = 0; j < n; j += 1) {
        const mode = AI_MODES[j % AI_MODES.length] as AiMode;
        plan.push({
          index: plan.length,
          bu: t.bu.name,
          caller: caller.appId,
          model: deployed.deploymentName,
          mode: mode.mode,
          kind: 'ok',
          spec: mode,
          target: t,
          prompt: AI_PROMPTS[plan.length % AI_PROMPTS.length] as string,
        });
      }
    }
  }
  return plan;
}

/** Cell D1: the six-mode AOAI traffic, recorded as source `ai`. */
export const aiTraffic: TrafficKind<AiTrafficOptions> = {
  source: 'ai',
  cell: 'D1',
  label: 'D1 AOAI traffic',
  api: (deployment) => deployment.apis.aoai,
  skipReason(target) {
    const off = aiTrafficOff(target.config);
    if (off) return off;
    const aoai = target.requireDeployment().aoai;
    if (!aoai || aoai.deployments.length === 0)
      return 'no model is deployed behind the AOAI gateway (features.enableFoundry is off): cell D2 sends mock AI traffic instead.';
    return undefined;
  },
  prepare(target, options) {
    const config = target.config;
    const api = target.requireDeployment().apis.aoai;
    const tenant = config.azure.tenantId ? { tenantId: config.azure.tenantId } : {};
    // One client per BU key, caller and surface: the api-version and the headers differ.
    const clients = new Map<string, AzureOpenAI>();
    const clientFor = (p: AiRequest): AzureOpenAI => {
      const key = `${p.bu}|${p.caller}|${p.spec.surface}`;
      let client = clients.get(key);
      if (!client) {
        client = new AzureOpenAI({
          baseURL: api.url,
          apiKey: p.target.subscription.primaryKey,
          apiVersion: AI_API_VERSIONS[p.spec.surface],
          maxRetries: 0,
          defaultHeaders: { Authorization: `Bearer ${createUnsignedJwt(p.caller, tenant)}` },
        });
        clients.set(key, client);
      }
      return client;
    };
    return prepared(planAiTraffic(target, options), (p, ctx) =>
      sendAiAttempt(clientFor(p), p, ctx),
    );
  },
};
