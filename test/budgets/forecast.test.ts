/**
 * The burn-rate forecast against generated month-to-date data: $1 a day for ten days, then $5 a
 * day, against a $60 budget in June (30 days). With a 7-day window the projection first reaches
 * the budget at the end of day 13 (by hand: day 12 projects 20 + 18 x 15/7 = 58.57, day 13
 * projects 25 + 17 x 19/7 = 71.14), while the spend (25) is far below it: the alert fires on
 * day 13 and not before; once the spend passes the budget it no longer fires (over budget).
 */
import { describe, expect, it } from 'vitest';
import {
  firstForecastAlertDay,
  forecastBudget,
  type DailyCost,
} from '../../lib/budgets/forecast.js';

const june = (d: number): string => `2026-06-${String(d).padStart(2, '0')}`;
const series: DailyCost[] = Array.from({ length: 30 }, (_, i) => ({
  day: june(i + 1),
  costUsd: i + 1 <= 10 ? 1 : 5,
}));

describe('burn-rate forecast', () => {
  it('projects month to date + the 7-day burn over the days left', () => {
    const f12 = forecastBudget(series, { budgetUsd: 60, asOfDay: june(12) });
    expect(f12.monthToDateUsd).toBe(20);
    expect(f12.burnRatePerDayUsd).toBeCloseTo(15 / 7, 10);
    expect(f12.projectedUsd).toBeCloseTo(20 + 18 * (15 / 7), 10);
    expect(f12.alert).toBe(false);
    const f13 = forecastBudget(series, { budgetUsd: 60, asOfDay: june(13) });
    expect(f13.projectedUsd).toBeCloseTo(25 + 17 * (19 / 7), 10);
    expect(f13).toMatchObject({ overBudget: false, projectedOverBudget: true, alert: true });
    // (60 - 25) / (19 / 7) = 12.9 days after day 13.
    expect(f13.projectedCrossingDay).toBe(26);
  });

  it('the alert fires on day 13 and not before', () => {
    expect(firstForecastAlertDay(series, { budgetUsd: 60, month: '2026-06' })).toBe(13);
    for (let d = 1; d < 13; d++)
      expect(forecastBudget(series, { budgetUsd: 60, asOfDay: june(d) }).alert, `day ${d}`).toBe(
        false,
      );
  });

  it('stops alerting once the spend itself is over (the plan suspends then), and ignores later days', () => {
    // Spend reaches 60 on day 20 (10 + 10 x 5).
    const f20 = forecastBudget(series, { budgetUsd: 60, asOfDay: june(20) });
    expect(f20).toMatchObject({ monthToDateUsd: 60, overBudget: true, alert: false });
    // Data after the forecast day is not read.
    expect(forecastBudget(series, { budgetUsd: 60, asOfDay: june(5) }).monthToDateUsd).toBe(5);
    // No budget: never an alert.
    expect(forecastBudget(series, { budgetUsd: undefined, asOfDay: june(25) }).alert).toBe(false);
  });

  it('averages fewer days at the start of the month', () => {
    const f2 = forecastBudget(series, { budgetUsd: 1000, asOfDay: june(2) });
    expect(f2.burnRatePerDayUsd).toBe(1);
    expect(f2.projectedUsd).toBe(30);
  });
});
