/**
 * E3's evaluation of the budget-alert rules cell B4 registered: for each BU, its busiest window
 * in the traffic runs, and whether the rule would have fired.
 */
import { BUDGET_ALERT_QUERY_FILE } from '../artifacts/names.js';
import { readArtifact } from '../artifacts/read-artifact.js';
import { rowsOf } from '../common/kql-rows.js';
import { bindParameters } from '../kql/query-files.js';
import { readBudgetAlerts } from '../ledger/budget-alert-rules.js';
import type { CostingTarget } from '../target.js';

/** A BU's budget-alert rule evaluated over the runs. */
export interface BudgetAlertEvaluation {
  bu: string;
  threshold: number;
  /** Busiest window's requests. */
  maxHourlyRequests: number;
  wouldFire: boolean;
}

/**
 * Evaluates each registered rule over `timespan`; `undefined` when B4 registered none.
 * @throws {@link LedgerError} when B4's record is unreadable (it names the file and cell B4).
 */
export async function evaluateBudgetAlerts(
  target: CostingTarget,
  timespan: string,
  signal?: AbortSignal,
): Promise<BudgetAlertEvaluation[] | undefined> {
  const rules = readBudgetAlerts(target.config);
  if (!rules) return undefined;
  const source = readArtifact('kql', BUDGET_ALERT_QUERY_FILE);
  const out: BudgetAlertEvaluation[] = [];
  for (const bu of rules.businessUnits) {
    // threshold 0 returns every window with traffic: the busiest one shows how close the BU came.
    const text = bindParameters(source, {
      threshold: 0,
      businessUnit: bu,
      lookback: { timespanMs: 30 * 86_400_000 },
    });
    const result = await target.queryLogs(text, { timespan, ...(signal ? { signal } : {}) });
    const hours =
      result.status === 'success' ? rowsOf(result.table).map((r) => Number(r.Requests)) : [];
    const max = hours.length > 0 ? Math.max(...hours) : 0;
    out.push({
      bu,
      threshold: rules.threshold,
      maxHourlyRequests: max,
      wouldFire: max > rules.threshold,
    });
  }
  return out;
}
