/**
 * Cell B4 on Azure: one action group (e-mail receiver when configured) and one scheduled query
 * alert per BU, from `kql/budget-alert-threshold.kql`.
 */
import type { MonitorClient } from '@azure/arm-monitor';
import type { KitConfig } from '../config/types.js';
import type { ActionOutcome, OperationOptions } from '../target.js';
import { ArtifactError, InvalidArgumentError } from '../errors.js';
import { bindParameters } from '../kql/query-files.js';
import { BUDGET_ALERT_SCHEDULE } from '../ledger/budget-alert-rules.js';
import { toKitError } from './azure-errors.js';
import { kitTags, resourceId, type AzureResourceNames } from './resource-names.js';

/**
 * Binds `kql/budget-alert-threshold.kql` to one BU: its declared `threshold` and `businessUnit`
 * parameters become `let` statements (lib/kql), so the query returns a row only when that BU's
 * requests in the rolling window exceed the threshold, and the rule fires when it returns any row.
 * @example budgetAlertQuery(readArtifact('kql', 'budget-alert-threshold.kql'), 'bu-hr', 1000)
 */
export function budgetAlertQuery(template: string, buName: string, threshold: number): string {
  return bindParameters(template, { threshold, businessUnit: buName });
}

/** What the alert rules are made of: the threshold, the optional e-mail, the query text. */
export interface BudgetAlertsOptions extends OperationOptions {
  /** Requests per BU in the rolling hour. */
  threshold: number;
  email?: string;
  /** The KQL text of `kql/budget-alert-threshold.kql`. */
  query: string;
}

/**
 * Creates (or updates) the action group and one alert rule per BU.
 * @example await createBudgetAlerts(monitor, config, names, workspaceId, { threshold: 1000, query });
 */
export async function createBudgetAlerts(
  monitor: MonitorClient,
  config: KitConfig,
  names: AzureResourceNames,
  workspaceResourceId: string,
  options: BudgetAlertsOptions,
): Promise<ActionOutcome> {
  if (options.query.trim() === '')
    throw new ArtifactError(
      'The budget alert query is empty: check kql/budget-alert-threshold.kql.',
    );
  if (!Number.isFinite(options.threshold) || options.threshold <= 0) {
    throw InvalidArgumentError.because(
      'governance.alertThreshold',
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
        location: 'global',
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
    const query = budgetAlertQuery(options.query, bu.name, options.threshold);
    await putBuLogAlert(monitor, names.resourceGroup, ruleName, abort, {
      location: config.deployment.location,
      tags,
      displayName: `APIM costing: ${bu.displayName} over ${options.threshold} requests per hour`,
      description: `Fires when business unit ${bu.name} sends more than ${options.threshold} requests through APIM in the last hour (evaluated every 5 minutes).`,
      scopes: [workspaceResourceId],
      evaluationFrequency: BUDGET_ALERT_SCHEDULE.evaluationFrequency,
      windowSize: BUDGET_ALERT_SCHEDULE.windowSize,
      ...anyRowFires(query, actionGroupId, bu.name),
      autoMitigate: true,
    });
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

/** The body of a per-BU log alert rule, less what every such rule shares. */
export type BuLogAlertBody = Omit<
  Parameters<MonitorClient['scheduledQueryRules']['createOrUpdate']>[2],
  'kind' | 'severity' | 'enabled'
>;

/** Creates (or updates) one per-BU log alert rule: severity 2, enabled. */
export async function putBuLogAlert(
  monitor: MonitorClient,
  resourceGroup: string,
  ruleName: string,
  abort: { abortSignal?: AbortSignal },
  body: BuLogAlertBody,
): Promise<void> {
  try {
    await monitor.scheduledQueryRules.createOrUpdate(
      resourceGroup,
      ruleName,
      { ...body, kind: 'LogAlert', severity: 2, enabled: true },
      abort,
    );
  } catch (error) {
    throw toKitError(error, `creating alert rule '${ruleName}'`);
  }
}

/**
 * The criteria and actions of a per-BU log alert whose query returns a row only when the BU is
 * in breach: any row fires, through the kit's action group, tagged with the BU.
 */
export function anyRowFires(
  query: string,
  actionGroupId: string,
  businessUnit: string,
): {
  criteria: { allOf: Record<string, unknown>[] };
  actions: { actionGroups: string[]; customProperties: Record<string, string> };
} {
  return {
    criteria: {
      allOf: [
        {
          query,
          timeAggregation: 'Count',
          operator: 'GreaterThan',
          threshold: 0,
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
        },
      ],
    },
    actions: { actionGroups: [actionGroupId], customProperties: { businessUnit } },
  };
}
