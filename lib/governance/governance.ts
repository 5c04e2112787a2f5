/**
 * Cells B2-B4: the cost export and the per-BU budget alerts, on whichever target is in use.
 */
import { readArtifact } from '../artifacts/read-artifact.js';
import type { KitConfig } from '../config/load-config.js';
import { forgetBudgetAlerts, recordBudgetAlerts } from '../verify/cross-reference.js';
import type { ActionOutcome, CostingTarget, OperationOptions } from '../target.js';

/** The budget-alert query file every BU rule is made from. */
export const BUDGET_ALERT_QUERY_FILE = 'budget-alert-threshold.kql';

/**
 * Creates (or recreates) the Cost Management export at the configured frequency (B2).
 * @example showOutcome('Cost export', await setupCostExport(target, config));
 */
export function setupCostExport(
  target: CostingTarget,
  config: KitConfig,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  return target.setupCostExport({ ...options, frequency: config.governance.costExportFrequency });
}

/**
 * The action group and one scheduled query alert per BU from `kql/budget-alert-threshold.kql` (B4).
 * With `createBudgetAlerts: false` it creates nothing and says so.
 */
export async function setupBudgetAlerts(
  target: CostingTarget,
  config: KitConfig,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  if (!config.governance.createBudgetAlerts) {
    forgetBudgetAlerts(config);
    return {
      status: 'skipped',
      reason: 'governance.createBudgetAlerts is false in cell A1.',
      wouldHaveDone: `Create one scheduled query alert per BU (${config.businessUnits.length}) above ${config.governance.alertThreshold} requests per hour.`,
    };
  }
  const outcome = await target.createBudgetAlerts({
    ...options,
    threshold: config.governance.alertThreshold,
    ...(config.governance.alertEmail !== undefined ? { email: config.governance.alertEmail } : {}),
    query: readArtifact('kql', BUDGET_ALERT_QUERY_FILE),
  });
  // E3 evaluates each BU's rule over the run, on Azure too (the portal shows the real alerts).
  recordBudgetAlerts(config, {
    threshold: config.governance.alertThreshold,
    businessUnits: config.businessUnits.map((b) => b.name),
    registeredAt: new Date().toISOString(),
  });
  return outcome;
}
