/**
 * Cell B4: the action group and one scheduled query alert per BU from
 * `kql/budget-alert-threshold.kql`; the rules are recorded for cell E3's evaluation.
 */
import { forgetBudgetAlerts, recordBudgetAlerts } from '../ledger/budget-alert-rules.js';
import type { ActionOutcome, CostingTarget, OperationOptions } from '../target.js';

/**
 * Creates the budget alerts (B4). With `createBudgetAlerts: false` it creates nothing and says so.
 * @example showOutcome('B4 Budget alerts', await createBudgetAlerts(target));
 */
export async function createBudgetAlerts(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  const { governance, businessUnits } = target.config;
  if (!governance.createBudgetAlerts) {
    forgetBudgetAlerts(target.config);
    return {
      status: 'skipped',
      reason: 'governance.createBudgetAlerts is false in cell A1.',
      wouldHaveDone: `Create one scheduled query alert per BU (${businessUnits.length}) above ${governance.alertThreshold} requests in the last hour, evaluated every 5 minutes.`,
    };
  }
  const outcome = await target.createBudgetAlerts(options);
  recordBudgetAlerts(target.config, {
    threshold: governance.alertThreshold,
    businessUnits: businessUnits.map((b) => b.name),
    registeredAt: new Date().toISOString(),
  });
  return outcome;
}
