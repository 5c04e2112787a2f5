/**
 * The burn-rate forecast of cell E5, as plain functions: a BU's month-to-date cost projected to
 * the month's end from its recent daily burn, against its budget, and the forecast alert that
 * fires when the projection crosses the budget while the spend has not (yet).
 */

/** One day's cost of a BU. */
export interface DailyCost {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  costUsd: number;
}

/** How the forecast reads the series. */
export interface ForecastOptions {
  /** The month's budget. */
  budgetUsd: number | undefined;
  /** The day the forecast is made at its end (UTC), `YYYY-MM-DD`; days after it are ignored. */
  asOfDay: string;
  /** Days of recent burn the rate averages (fewer at the start of the month). @default 7 */
  windowDays?: number;
}

/** The forecast of one BU at the end of one day. */
export interface BudgetForecast {
  monthToDateUsd: number;
  /** Mean daily cost over the recent window. */
  burnRatePerDayUsd: number;
  daysElapsed: number;
  daysInMonth: number;
  /** month to date + burn rate x days left. */
  projectedUsd: number;
  budgetUsd: number | undefined;
  /** The spend has reached the budget. */
  overBudget: boolean;
  /** The projection reaches the budget (by the month's end). */
  projectedOverBudget: boolean;
  /** The forecast alert: projected over while the spend is not. */
  alert: boolean;
  /** Day of the month the projection reaches the budget, when it does and the spend has not. */
  projectedCrossingDay: number | undefined;
}

/**
 * Projects a BU's month-end cost from its month to date.
 * @example const f = forecastBudget(series, { budgetUsd: 60, asOfDay: '2026-06-13' });
 */
export function forecastBudget(
  series: readonly DailyCost[],
  options: ForecastOptions,
): BudgetForecast {
  const asOf = parseDay(options.asOfDay);
  const monthPrefix = options.asOfDay.slice(0, 7);
  const daysInMonth = new Date(Date.UTC(asOf.y, asOf.m + 1, 0)).getUTCDate();
  const daysElapsed = asOf.d;
  const byDay = new Map<number, number>();
  for (const p of series) {
    if (!p.day.startsWith(monthPrefix)) continue;
    const d = parseDay(p.day).d;
    if (d > daysElapsed) continue;
    byDay.set(d, (byDay.get(d) ?? 0) + p.costUsd);
  }
  let monthToDateUsd = 0;
  for (const v of byDay.values()) monthToDateUsd += v;
  const window = Math.max(1, Math.min(options.windowDays ?? 7, daysElapsed));
  let recent = 0;
  for (let d = daysElapsed - window + 1; d <= daysElapsed; d++) recent += byDay.get(d) ?? 0;
  const burnRatePerDayUsd = recent / window;
  const daysLeft = daysInMonth - daysElapsed;
  const projectedUsd = monthToDateUsd + burnRatePerDayUsd * daysLeft;
  const budget = options.budgetUsd;
  const overBudget = budget !== undefined && monthToDateUsd >= budget;
  const projectedOverBudget = budget !== undefined && projectedUsd >= budget;
  const alert = projectedOverBudget && !overBudget;
  const projectedCrossingDay =
    alert && budget !== undefined && burnRatePerDayUsd > 0
      ? daysElapsed + Math.ceil((budget - monthToDateUsd) / burnRatePerDayUsd)
      : undefined;
  return {
    monthToDateUsd,
    burnRatePerDayUsd,
    daysElapsed,
    daysInMonth,
    projectedUsd,
    budgetUsd: budget,
    overBudget,
    projectedOverBudget,
    alert,
    projectedCrossingDay,
  };
}

/**
 * Replays the forecast alert at the end of every day of the series' month (as a daily scheduled
 * rule would run) and returns the first day of the month it fires, or `undefined`.
 * @example firstForecastAlertDay(series, { budgetUsd: 60, month: '2026-06' }) // 13
 */
export function firstForecastAlertDay(
  series: readonly DailyCost[],
  options: { budgetUsd: number; month: string; windowDays?: number },
): number | undefined {
  const { y, m } = parseDay(`${options.month}-01`);
  const days = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  for (let d = 1; d <= days; d++) {
    const asOfDay = `${options.month}-${String(d).padStart(2, '0')}`;
    const f = forecastBudget(series, { ...options, asOfDay });
    if (f.alert) return d;
  }
  return undefined;
}

function parseDay(day: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!m) throw new RangeError(`'${day}' is not a YYYY-MM-DD day`);
  return { y: Number(m[1]), m: Number(m[2]) - 1, d: Number(m[3]) };
}
