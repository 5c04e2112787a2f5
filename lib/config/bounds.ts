/**
 * Bounds on what A1 may plan: every traffic cell builds its whole plan in memory before sending,
 * so an unbounded count or weight means a RangeError, an endless loop or an out-of-memory kernel
 * in C1/C2/D1/D2 instead of a clear message in A1.
 */
import type { ConfigProblem } from '../errors.js';

/** At most this many requests planned by one traffic cell (C1, C2, C3, D1 or D2) in total. */
export const MAX_PLANNED_REQUESTS = 100_000;
/** Requests per caller before weighting in D2, as the original sample's D2 (C2 sends 50). */
export const MOCK_AI_REQUESTS_PER_CALLER = 20;
/** The largest BU or caller weight A1 accepts. */
export const MAX_WEIGHT = 1000;

/**
 * Requests for a base count: max(1, floor(base x weight)), as the original sample plans them,
 * computed on the decimal the weight is written as (100 x 0.29 is 29, which binary floating
 * point makes 28.999999999999996).
 * @param base - a whole number of requests before weighting.
 * @param weight - a weight greater than 0.
 */
export function requestsFor(base: number, weight: number): number {
  const decimal = decimalOf(weight);
  if (!Number.isSafeInteger(base) || base < 0 || decimal === undefined)
    return Math.max(1, Math.floor(base * weight));
  const product = (BigInt(base) * decimal.digits) / 10n ** BigInt(decimal.scale);
  return Math.max(1, Number(product));
}

/** A positive finite number as `digits x 10^-scale`, from its shortest round-trip decimal text. */
function decimalOf(x: number): { digits: bigint; scale: number } | undefined {
  if (!Number.isFinite(x) || x < 0) return undefined;
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) return undefined;
  const whole = m[1] ?? '0';
  const fraction = m[2] ?? '';
  let scale = fraction.length - Number(m[3] ?? '0');
  let digits = BigInt(whole + fraction);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

/** The request totals each cell plans from the configuration, for the bound check. */
export interface PlanInputs {
  sampleRequestsPerSubscription: number;
  businessUnits: readonly { weight: number }[];
  callers: readonly { weight: number }[];
  models: readonly { requestsPerBu: number }[];
  /** D2's requests per caller before weighting ({@link MOCK_AI_REQUESTS_PER_CALLER}). */
  mockAiRequestsPerCaller: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/**
 * Checks that no cell plans more than {@link MAX_PLANNED_REQUESTS} requests.
 * @returns one problem per cell over the bound, naming the field to lower and by how much.
 */
export function plannedTotalProblems(v: PlanInputs): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const buWeights = v.businessUnits.map((b) => b.weight);
  const callerWeights = v.callers.map((c) => c.weight);
  const total = (base: number, weights: readonly number[]): number =>
    weights.reduce((sum, w) => sum + requestsFor(base, w), 0);
  const over = (cells: string, n: number): string =>
    `plans ${fmt(n)} requests in ${cells}; at most ${fmt(MAX_PLANNED_REQUESTS)} per cell: ` +
    'lower this value (or the weights) in cell A1';
  const base = v.sampleRequestsPerSubscription;
  const c1 = total(base, buWeights);
  const c2 = total(base, callerWeights);
  if (Math.max(c1, c2) > MAX_PLANNED_REQUESTS) {
    problems.push({
      field: 'traffic.sampleRequestsPerSubscription',
      received: String(base),
      expected: over(
        c1 >= c2 ? 'C1 (base x business-unit weights)' : 'C2 (base x caller weights)',
        Math.max(c1, c2),
      ),
    });
  }
  const perModel = v.models.map((m) => total(m.requestsPerBu, buWeights));
  const d1 = perModel.reduce((a, b) => a + b, 0);
  if (d1 > MAX_PLANNED_REQUESTS) {
    const largest = perModel.indexOf(Math.max(...perModel));
    problems.push({
      field: `models[${largest}].requestsPerBu`,
      received: String(v.models[largest]?.requestsPerBu),
      expected: over('D1 (every model x requestsPerBu x business-unit weights)', d1),
    });
  }
  const d2 = total(v.mockAiRequestsPerCaller, callerWeights);
  if (d2 > MAX_PLANNED_REQUESTS) {
    problems.push({
      field: 'callers',
      received: `${v.callers.length} callers`,
      expected: over(`D2 (${v.mockAiRequestsPerCaller} x caller weights)`, d2),
    });
  }
  return problems;
}
