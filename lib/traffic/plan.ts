/**
 * Request plans: which BU (and caller, model, mode) each request goes out as. Counts follow
 * `requestsFor`: max(1, floor(base x weight)); overrides are checked field by field.
 */
import { MAX_PLANNED_REQUESTS, requestsFor } from '../config/bounds.js';
import type { BusinessUnit, KitConfig, SimulatedCaller } from '../config/types.js';
import { ConfigError, MissingStepError, type ConfigProblem } from '../errors.js';
import type { ApiEndpoint, ApiSubscription, BuSubscription, Deployment } from '../target.js';

/** A BU with the subscription (and key) the deployment made for it. */
export interface BuTarget {
  bu: BusinessUnit;
  subscription: BuSubscription;
}

/**
 * Pairs each configured BU with its deployed subscription.
 * @throws {@link MissingStepError} naming A2 when a configured BU has no subscription yet.
 */
export function resolveBuTargets(config: KitConfig, deployment: Deployment): BuTarget[] {
  const byId = new Map(deployment.subscriptions.map((s) => [s.id, s]));
  return config.businessUnits.map((bu) => {
    const subscription = byId.get(bu.name);
    if (!subscription)
      throw new MissingStepError('A2', `The subscription (and key) for business unit '${bu.name}'`);
    return { bu, subscription };
  });
}

/**
 * The API's own subscription, which C2, C3 (Entra ID API) and D2 (token-tracking API) send with,
 * as the original sample does: their traffic is not billed to a business unit.
 * @throws {@link MissingStepError} naming A2 when the deployment has none (made by an older kit).
 */
export function requireApiSubscription(api: ApiEndpoint): ApiSubscription {
  if (!api.subscription)
    throw new MissingStepError('A2', `The subscription (and key) of API '${api.apiId}'`);
  return api.subscription;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Checks a count override: a whole number greater than 0, at most {@link MAX_PLANNED_REQUESTS}. */
export function checkCount(problems: ConfigProblem[], field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    problems.push({
      field,
      received: describe(value),
      expected: 'must be a whole number greater than 0',
    });
  } else if (value > MAX_PLANNED_REQUESTS) {
    problems.push({
      field,
      received: describe(value),
      expected: `must be at most ${MAX_PLANNED_REQUESTS.toLocaleString('en-US')} (the most one traffic cell plans): lower it`,
    });
  }
}

/** Checks the total of an override: one cell plans at most {@link MAX_PLANNED_REQUESTS}. */
function checkTotal(problems: ConfigProblem[], field: string, counts: Iterable<number>): void {
  let total = 0;
  for (const n of counts) total += n;
  if (total > MAX_PLANNED_REQUESTS)
    problems.push({
      field,
      received: `${total.toLocaleString('en-US')} requests in total`,
      expected: `must plan at most ${MAX_PLANNED_REQUESTS.toLocaleString('en-US')} requests in one cell: lower the counts`,
    });
}

/**
 * Requests per BU: the weighted default, or the override (only the BUs it lists).
 * @param base - requests per BU before weighting.
 * @param override - `{ 'bu-hr': 10, ... }`; keys must be configured BUs, values whole numbers > 0.
 * @param field - the option name used in error messages.
 * @throws {@link ConfigError} naming each bad key or count.
 */
export function countsPerBu(
  targets: readonly BuTarget[],
  base: number,
  override: Readonly<Record<string, number>> | undefined,
  field: string,
): Map<string, number> {
  const counts = new Map<string, number>();
  if (!override) {
    for (const t of targets) counts.set(t.bu.name, requestsFor(base, t.bu.weight));
    return counts;
  }
  const known = targets.map((t) => t.bu.name);
  const problems: ConfigProblem[] = [];
  const entries = Object.entries(override);
  if (entries.length === 0)
    problems.push({ field, received: '{}', expected: 'must name at least one business unit' });
  for (const [bu, n] of entries) {
    if (!known.includes(bu)) {
      problems.push({
        field: `${field}.${bu}`,
        received: JSON.stringify(bu),
        expected: `must be a configured business unit: ${known.join(', ')}`,
      });
      continue;
    }
    checkCount(problems, `${field}.${bu}`, n);
    counts.set(bu, n);
  }
  if (problems.length === 0) checkTotal(problems, field, counts.values());
  if (problems.length > 0) throw new ConfigError(problems);
  return counts;
}

/**
 * Requests per caller: the weighted default, or the override keyed by `appId` or caller name.
 * @throws {@link ConfigError} naming each bad key or count.
 */
export function countsPerCaller(
  callers: readonly SimulatedCaller[],
  base: number,
  override: Readonly<Record<string, number>> | undefined,
  field: string,
): Map<SimulatedCaller, number> {
  const counts = new Map<SimulatedCaller, number>();
  if (!override) {
    for (const c of callers) counts.set(c, requestsFor(base, c.weight));
    return counts;
  }
  const problems: ConfigProblem[] = [];
  const entries = Object.entries(override);
  if (entries.length === 0)
    problems.push({ field, received: '{}', expected: 'must name at least one caller' });
  for (const [key, n] of entries) {
    const caller = callers.find(
      (c) => c.appId.toLowerCase() === key.toLowerCase() || c.name === key,
    );
    if (!caller) {
      problems.push({
        field: `${field}.${key}`,
        received: JSON.stringify(key),
        expected: `must be a configured caller (appId or name): ${callers.map((c) => c.name).join(', ')}`,
      });
      continue;
    }
    checkCount(problems, `${field}.${key}`, n);
    counts.set(caller, n);
  }
  if (problems.length === 0) checkTotal(problems, field, counts.values());
  if (problems.length > 0) throw new ConfigError(problems);
  return counts;
}

/**
 * Which of `n` requests are deliberate failures: `round(n x share)` of them, spread evenly.
 * @returns the set of request positions (0-based) that should fail.
 */
export function failurePositions(n: number, share: number): Set<number> {
  const k = Math.min(n, Math.round(n * share));
  const out = new Set<number>();
  for (let i = 0; i < k; i += 1) out.add(Math.floor(((i + 0.5) * n) / k));
  return out;
}
