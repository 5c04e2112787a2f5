/**
 * E3's evaluation of the budget-alert rules cell B4 registered, on the rules' own schedule: every
 * 5 minutes from the rule's creation, `kql/budget-alert-threshold.kql` counts each BU's requests
 * in the rolling hour before the evaluation (the query's time range is that hour, as Azure's
 * `windowSize` makes it), and the rule fires when a BU is over its threshold in any of them.
 */
import { BU_PREFIX, BUDGET_ALERT_QUERY_FILE } from '../artifacts/names.js';
import { readArtifact } from '../artifacts/read-artifact.js';
import { rowsOf } from '../common/kql-rows.js';
import { bindParameters } from '../kql/query-files.js';
import { BUDGET_ALERT_SCHEDULE, readBudgetAlerts } from '../ledger/budget-alert-rules.js';
import type { CostingTarget } from '../target.js';

/** At most this many evaluations are replayed (one week); a longer window keeps the latest. */
const MAX_EVALUATIONS = 2016;

/** A BU's budget-alert rule evaluated over the runs. */
export interface BudgetAlertEvaluation {
  bu: string;
  threshold: number;
  /** Most requests one evaluation counted (the rolling hour before it). */
  maxWindowRequests: number;
  /** When that evaluation runs (ISO); the last one may be up to 5 minutes ahead. */
  peakAt: string | undefined;
  /** Evaluations replayed over the runs. */
  evaluations: number;
  wouldFire: boolean;
  /** The first evaluation over the threshold (ISO), when the rule fires. */
  firstFiringAt: string | undefined;
}

/** Options of {@link evaluateBudgetAlerts}. */
export interface EvaluateBudgetAlertsOptions {
  signal?: AbortSignal;
  /** The time E3 runs at (queries bind their look-back from it). @default the current time */
  now?: Date;
}

/**
 * The times a rule created at `createdMs` evaluates within [fromMs, toMs]: every 5 minutes.
 * @example evaluationTimes(Date.parse('2026-01-01T09:02:00Z'), fromMs, toMs)
 */
export function evaluationTimes(createdMs: number, fromMs: number, toMs: number): number[] {
  const every = BUDGET_ALERT_SCHEDULE.everyMs;
  const first = Math.max(0, Math.ceil((fromMs - createdMs) / every));
  const last = Math.floor((toMs - createdMs) / every);
  const out: number[] = [];
  for (let k = Math.max(first, last - MAX_EVALUATIONS + 1); k <= last; k += 1)
    out.push(createdMs + k * every);
  return out;
}

/**
 * Evaluates each registered rule over `timespan` (`start/end` ISO dates); `undefined` when B4
 * registered none.
 * @throws {@link LedgerError} when B4's record is unreadable (it names the file and cell B4).
 */
export async function evaluateBudgetAlerts(
  target: CostingTarget,
  timespan: string,
  options: EvaluateBudgetAlertsOptions = {},
): Promise<BudgetAlertEvaluation[] | undefined> {
  const rules = readBudgetAlerts(target.config);
  if (!rules) return undefined;
  const [from = '', to = ''] = timespan.split('/');
  const nowMs = (options.now ?? new Date()).getTime();
  const times = evaluationTimes(Date.parse(rules.registeredAt), Date.parse(from), Date.parse(to));
  const source = readArtifact('kql', BUDGET_ALERT_QUERY_FILE);
  const windowMs = BUDGET_ALERT_SCHEDULE.windowMs;
  // Each evaluation's window is its query time range; the look-back only has to reach back to
  // the earliest window from now.
  const lookbackMs = Math.max(windowMs, nowMs - (times[0] ?? nowMs) + windowMs);
  const text = bindParameters(source, {
    threshold: 0,
    businessUnit: '',
    lookback: { timespanMs: lookbackMs },
  });
  const peaks = new Map<string, { requests: number; at: number }>();
  const firing = new Map<string, number>();
  for (const t of times) {
    options.signal?.throwIfAborted();
    const result = await target.queryLogs(text, {
      timespan: `${new Date(t - windowMs).toISOString()}/${new Date(t).toISOString()}`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.status !== 'success') continue;
    for (const r of rowsOf(result.table)) {
      const bu = `${BU_PREFIX}${String(r.BusinessUnit)}`;
      const requests = Number(r.Requests);
      if (requests > (peaks.get(bu)?.requests ?? 0)) peaks.set(bu, { requests, at: t });
      if (requests > rules.threshold && !firing.has(bu)) firing.set(bu, t);
    }
  }
  const iso = (t: number | undefined): string | undefined =>
    t === undefined ? undefined : new Date(t).toISOString();
  return rules.businessUnits.map((bu) => ({
    bu,
    threshold: rules.threshold,
    maxWindowRequests: peaks.get(bu)?.requests ?? 0,
    peakAt: iso(peaks.get(bu)?.at),
    evaluations: times.length,
    wouldFire: firing.has(bu),
    firstFiringAt: iso(firing.get(bu)),
  }));
}
