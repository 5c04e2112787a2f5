/**
 * Cell E5 on Azure: one scheduled query rule per BU with a monthly budget, from
 * `kql/budget-forecast-alert.kql` (prices bound from lib/pricing, the BU and its budget bound as
 * parameters). It runs once a day; the query reads the month to date, so the rule overrides its
 * query time range to 31 days (`overrideQueryTimeRange`), and fires when the query returns a row:
 * the projection crosses the budget while the spend has not.
 */
import type { MonitorClient } from '@azure/arm-monitor';
import type { KitConfig } from '../config/types.js';
import { loadPricedQuery } from '../pricing/query-prices.js';
import type { ActionOutcome, OperationOptions } from '../target.js';
import { anyRowFires, putBuLogAlert } from './budget-alerts.js';
import { kitTags, resourceId, type AzureResourceNames } from './resource-names.js';

/** How often the forecast rules run and how far back their query reads. */
export const FORECAST_ALERT_SCHEDULE = {
  evaluationFrequency: 'P1D',
  windowSize: 'P1D',
  overrideQueryTimeRange: 'P31D',
} as const;

/** The rule name of a BU's forecast alert (beside its B4 request alert). */
export function forecastAlertRuleName(names: AzureResourceNames, bu: string): string {
  return `${names.alertRuleName(bu)}-forecast`;
}

/**
 * Creates (or updates) one forecast alert rule per BU with a budget, acting through B4's action group.
 * @example await createForecastAlerts(monitor, config, names, workspaceId);
 */
export async function createForecastAlerts(
  monitor: MonitorClient,
  config: KitConfig,
  names: AzureResourceNames,
  workspaceResourceId: string,
  options: OperationOptions = {},
): Promise<ActionOutcome> {
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const actionGroupId = resourceId(names, 'Microsoft.Insights/actionGroups', names.actionGroupName);
  const rules: string[] = [];
  const budgeted = config.businessUnits.filter(
    (b) => config.budgets.businessUnits[b.name]?.monthlyBudgetUsd !== undefined,
  );
  for (const [i, bu] of budgeted.entries()) {
    const budgetUsd = config.budgets.businessUnits[bu.name]?.monthlyBudgetUsd ?? 0;
    const ruleName = forecastAlertRuleName(names, bu.name);
    options.onProgress?.({
      message: `Creating alert ${ruleName}`,
      done: i,
      total: budgeted.length,
    });
    const query = loadPricedQuery('budget-forecast-alert', config, {
      businessUnit: bu.name,
      budgetUsd,
    }).text;
    await putBuLogAlert(monitor, names.resourceGroup, ruleName, abort, {
      location: config.deployment.location,
      tags: kitTags(config),
      displayName: `APIM costing: ${bu.displayName} projected over its $${budgetUsd} budget`,
      description: `Fires when business unit ${bu.name}'s month-end cost, projected from its last 7 days, crosses its monthly budget of $${budgetUsd} before its spend does (evaluated daily).`,
      scopes: [workspaceResourceId],
      ...FORECAST_ALERT_SCHEDULE,
      ...anyRowFires(query, actionGroupId, bu.name),
      autoMitigate: false,
    });
    rules.push(ruleName);
  }
  return {
    status: 'done',
    summary: `${rules.length} forecast alert rule(s), evaluated daily over the month to date, acting through ${names.actionGroupName}.`,
    details: { rules: rules.join(', ') },
  };
}
