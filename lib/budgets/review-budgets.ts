/**
 * Cell E5, first half: each BU's month to date (the allocated bill's actual when cell E4 gives
 * it, else the cost model's estimate from `kql/budget-burn-rate.kql`), its daily series, the
 * month-end projection from the recent burn and the forecast alert, evaluated here as a daily
 * scheduled query rule would (`kql/budget-forecast-alert.kql` is that rule's query).
 */
import { buDisplayName } from '../artifacts/names.js';
import { rowsOf } from '../common/kql-rows.js';
import { loadQuery } from '../kql/query-files.js';
import { getApimPricing, getModelPricing, tokenCost } from '../pricing/pricing.js';
import { loadPricedQuery } from '../pricing/query-prices.js';
import type { BuEnforcementState, CostingTarget, OperationOptions } from '../target.js';
import { forecastBudget, type BudgetForecast, type DailyCost } from './forecast.js';

/** What E5 may be given: the allocated bill (cell E4) and the day to forecast at. */
export interface ReviewBudgetsOptions extends OperationOptions {
  /** Per-BU actual month-to-date cost from the allocated bill; BUs without one use the estimate. */
  actual?: readonly { bu: string; actualUsd: number }[];
  /** The forecast's day (UTC). @default now */
  asOf?: Date;
  /** Days of recent burn the rate averages. @default 7 */
  windowDays?: number;
}

/** One BU's budget review. */
export interface BuBudgetReview {
  bu: string;
  displayName: string;
  /** Where the month to date comes from. */
  source: 'actual' | 'estimate';
  /** Daily cost this month (scaled to the actual when there is one). */
  daily: DailyCost[];
  forecast: BudgetForecast;
  /** Tokens this month (prompt + completion). */
  monthTokens: number;
  /** The subscription state and token limits deployed now. */
  enforcement: BuEnforcementState | undefined;
  /**
   * Whether the forecast alert's rule query (`kql/budget-forecast-alert.kql`, the Azure scheduled
   * query rule's) returns a row for the BU over the logs now; `undefined` without a budget or
   * when an actual replaces the estimate (the rule only sees the logs).
   */
  ruleFires: boolean | undefined;
}

/** What E5's forecast found. */
export interface BudgetReview {
  asOfDay: string;
  month: string;
  businessUnits: BuBudgetReview[];
}

/**
 * Reads the month's traffic, prices it per BU and day, and forecasts each BU against its budget.
 * @example kit.showBudgets(await kit.reviewBudgets(target, { onProgress: kit.progressLine() }));
 */
export async function reviewBudgets(
  target: CostingTarget,
  options: ReviewBudgetsOptions = {},
): Promise<BudgetReview> {
  target.requireDeployment();
  const config = target.config;
  const asOf = options.asOf ?? new Date();
  const asOfDay = asOf.toISOString().slice(0, 10);
  const monthStart = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), 1));
  const daysInMonth = new Date(
    Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() + 1, 0),
  ).getUTCDate();
  options.onProgress?.({ message: 'Reading this month’s requests and tokens per BU and day' });
  const result = await target.queryLogs(loadQuery('budget-burn-rate', { monthStart }).text, {
    ...options,
    timespan: `${monthStart.toISOString()}/${new Date(asOf.getTime() + 1).toISOString()}`,
  });
  const rows = rowsOf(result.table);
  const apim = getApimPricing(config.deployment.apimSku);
  // Per day: each BU's requests (for its share of the day's base cost) and priced tokens.
  const dayRequests = new Map<string, number>();
  const perBuDay = new Map<
    string,
    Map<string, { requests: number; tokenUsd: number; tokens: number }>
  >();
  for (const r of rows) {
    const day = String(r.Day).slice(0, 10);
    const bu = String(r.Subscription);
    const requests = Number(r.Requests ?? 0);
    const prompt = Number(r.PromptTokens ?? 0);
    const completion = Number(r.CompletionTokens ?? 0);
    const model = String(r.Model ?? '');
    dayRequests.set(day, (dayRequests.get(day) ?? 0) + requests);
    const byDay = perBuDay.get(bu) ?? new Map();
    perBuDay.set(bu, byDay);
    const cell = byDay.get(day) ?? { requests: 0, tokenUsd: 0, tokens: 0 };
    cell.requests += requests;
    cell.tokens += prompt + completion;
    if (model !== '' && prompt + completion > 0)
      cell.tokenUsd += tokenCost(prompt, completion, getModelPricing(model));
    byDay.set(day, cell);
  }
  const enforcement = await target.readEnforcement(options);
  const businessUnits = config.businessUnits.map((bu): BuBudgetReview => {
    const budget = config.budgets.businessUnits[bu.name]?.monthlyBudgetUsd;
    const byDay = perBuDay.get(bu.name) ?? new Map();
    // The day's base cost is shared by that day's requests; the variable part is per request.
    let daily: DailyCost[] = [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, c]) => ({
        day,
        costUsd:
          (apim.baseMonthlyUsd / daysInMonth) *
            (c.requests / (dayRequests.get(day) ?? c.requests)) +
          c.requests * (apim.overagePer1kUsd / 1000) +
          c.tokenUsd,
      }));
    const actual = options.actual?.find((a) => a.bu === bu.name);
    const estimate = daily.reduce((n, d) => n + d.costUsd, 0);
    if (actual) {
      // The bill says what was spent; the estimate says when: scale the days to the actual.
      daily =
        estimate > 0
          ? daily.map((d) => ({ day: d.day, costUsd: (d.costUsd * actual.actualUsd) / estimate }))
          : [{ day: asOfDay, costUsd: actual.actualUsd }];
    }
    const windowDays = options.windowDays;
    return {
      ruleFires: undefined,
      bu: bu.name,
      displayName: buDisplayName(bu.name),
      source: actual ? 'actual' : 'estimate',
      daily,
      forecast: forecastBudget(daily, {
        budgetUsd: budget,
        asOfDay,
        ...(windowDays !== undefined ? { windowDays } : {}),
      }),
      monthTokens: [...byDay.values()].reduce((n, c) => n + c.tokens, 0),
      enforcement: enforcement.find((e) => e.bu === bu.name),
    };
  });
  // The forecast alert, evaluated here as the scheduled query rule would run on Azure.
  for (const b of businessUnits) {
    if (b.forecast.budgetUsd === undefined || b.source === 'actual') continue;
    const rule = loadPricedQuery('budget-forecast-alert', config, {
      businessUnit: b.bu,
      budgetUsd: b.forecast.budgetUsd,
      asOf: new Date(
        Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate(), 23, 59, 59, 999),
      ),
      windowDays: options.windowDays ?? 7,
    });
    const fired = await target.queryLogs(rule.text, {
      ...options,
      timespan: `${monthStart.toISOString()}/${new Date(asOf.getTime() + 1).toISOString()}`,
    });
    b.ruleFires = fired.table.rows.length > 0;
  }
  return { asOfDay, month: asOfDay.slice(0, 7), businessUnits };
}
