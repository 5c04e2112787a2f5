/**
 * Cell B4 on Azure: one action group (e-mail receiver when configured) and one scheduled query
 * alert per BU, from `kql/budget-alert-threshold.kql`.
 */
import type { MonitorClient } from '@azure/arm-monitor';
import type { KitConfig } from '../config.js';
import type { ActionOutcome, BudgetAlertsOptions } from '../target.js';
import { KitError } from '../errors.js';
import { toKitError } from './azure-errors.js';
import { kitTags, resourceId, type AzureResourceNames } from './resource-names.js';

/** One BU's alert query and how the rule reads it. */
export interface BudgetAlertQuery {
  query: string;
  /** Column holding the request count, when the query summarizes one. */
  metricMeasureColumn: string | undefined;
}

/**
 * Binds the alert query to one BU: `{BusinessUnit}` / `{Threshold}` style parameters are filled
 * when the KQL file declares them; the BU itself is selected by the rule's dimension.
 */
export function budgetAlertQuery(
  template: string,
  buName: string,
  threshold: number,
): BudgetAlertQuery {
  const query = template
    .replace(/\{(BusinessUnit|BU|SubscriptionId)\}/g, buName)
    .replace(/\{(Threshold|AlertThreshold)\}/g, String(threshold))
    .trim();
  // `summarize Requests = count() by ApimSubscriptionId` => measure the `Requests` column.
  const measure = /summarize\s+(\w+)\s*=\s*(?:count|sum|dcount)\s*\(/i.exec(query)?.[1];
  return { query, metricMeasureColumn: measure };
}

/**
 * Creates (or updates) the action group and one alert rule per BU.
 * @example await createBudgetAlertRules(monitor, config, names, workspaceId, { threshold: 1000, query });
 */
export async function createBudgetAlertRules(
  monitor: MonitorClient,
  config: KitConfig,
  names: AzureResourceNames,
  workspaceResourceId: string,
  options: BudgetAlertsOptions,
): Promise<ActionOutcome> {
  if (options.query.trim() === '')
    throw new KitError('The budget alert query is empty: check kql/budget-alert-threshold.kql.');
  if (!Number.isFinite(options.threshold) || options.threshold <= 0) {
    throw new KitError(
      `The alert threshold must be a number of requests greater than 0 (got ${options.threshold}); fix governance.alertThreshold in cell A1.`,
    );
  }
  const tags = kitTags(config);
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  options.onProgress?.({ message: `Creating action group ${names.actionGroupName}` });
  try {
    await monitor.actionGroups.createOrUpdate(
      names.resourceGroup,
      names.actionGroupName,
      {
        location: 'Global',
        tags,
        groupShortName: names.actionGroupShortName,
        enabled: true,
        emailReceivers:
          options.email !== undefined
            ? [{ name: 'budget-owner', emailAddress: options.email, useCommonAlertSchema: true }]
            : [],
      },
      abort,
    );
  } catch (error) {
    throw toKitError(error, `creating action group '${names.actionGroupName}'`);
  }
  const actionGroupId = resourceId(names, 'Microsoft.Insights/actionGroups', names.actionGroupName);
  const rules: string[] = [];
  for (const [i, bu] of config.businessUnits.entries()) {
    const ruleName = names.alertRuleName(bu.name);
    options.onProgress?.({
      message: `Creating alert ${ruleName}`,
      done: i,
      total: config.businessUnits.length,
    });
    const { query, metricMeasureColumn } = budgetAlertQuery(
      options.query,
      bu.name,
      options.threshold,
    );
    try {
      await monitor.scheduledQueryRules.createOrUpdate(
        names.resourceGroup,
        ruleName,
        {
          location: config.deployment.location,
          tags,
          kind: 'LogAlert',
          displayName: `APIM costing: ${bu.displayName} over ${options.threshold} requests per hour`,
          description: `Fires when business unit ${bu.name} sends more than ${options.threshold} requests through APIM in one hour.`,
          severity: 2,
          enabled: true,
          scopes: [workspaceResourceId],
          evaluationFrequency: 'PT1H',
          windowSize: 'PT1H',
          criteria: {
            allOf: [
              {
                query,
                timeAggregation: metricMeasureColumn !== undefined ? 'Total' : 'Count',
                ...(metricMeasureColumn !== undefined ? { metricMeasureColumn } : {}),
                dimensions: [
                  { name: 'ApimSubscriptionId', operator: 'Include', values: [bu.name] },
                ],
                operator: 'GreaterThan',
                threshold: options.threshold,
                failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
              },
            ],
          },
          actions: { actionGroups: [actionGroupId], customProperties: { businessUnit: bu.name } },
          autoMitigate: true,
        },
        abort,
      );
    } catch (error) {
      throw toKitError(error, `creating alert rule '${ruleName}'`);
    }
    rules.push(ruleName);
  }
  return {
    status: 'done',
    summary: `Action group ${names.actionGroupName}${options.email !== undefined ? ` (e-mail ${maskEmail(options.email)})` : ' (no e-mail receiver)'} and ${rules.length} alert rule(s) at ${options.threshold} requests per BU per hour.`,
    details: { actionGroup: names.actionGroupName, rules: rules.join(', ') },
  };
}

function maskEmail(email: string): string {
  const [user = '', domain = ''] = email.split('@');
  return `${user.slice(0, 1)}***@${domain}`;
}
