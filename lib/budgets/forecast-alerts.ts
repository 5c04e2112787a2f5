/**
 * Cell E5's forecast alerts on the target: Azure creates one daily scheduled query rule per BU
 * with a budget (`kql/budget-forecast-alert.kql`); the local target says it evaluates the query in
 * the cell instead (`reviewBudgets` sets `ruleFires`).
 */
import type { ActionOutcome, CostingTarget, OperationOptions } from '../target.js';

/**
 * Creates the forecast alert rules (Azure) or says what it would have done (local).
 * @example kit.showOutcome('E5 Forecast alerts', await kit.createForecastAlerts(target));
 */
export async function createForecastAlerts(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  target.requireDeployment();
  return target.createForecastAlerts(options);
}
