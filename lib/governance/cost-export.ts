/**
 * Cells B2 and B3: the Cost Management export of the resource group, created (or recreated) and
 * run once, on whichever target is in use.
 */
import type { ActionOutcome, CostingTarget, OperationOptions } from '../target.js';

/**
 * Creates (or recreates) the Cost Management export at `governance.costExportFrequency` (B2).
 * @example showOutcome('B2 Cost Management export', await createCostExport(target));
 */
export function createCostExport(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  return target.createCostExport(options);
}

/**
 * Runs the export once now (B3).
 * @example showOutcome('B3 Run the export now', await runCostExport(target));
 */
export function runCostExport(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  return target.runCostExport(options);
}
