/**
 * Cell E5's output: the forecast per BU (table, and a chart per BU of the spend so far, the
 * projection to the month's end and the budget line), and the enforcement plan as a diff.
 */
import type { BuBudgetReview, BudgetReview } from '../../budgets/review-budgets.js';
import type {
  EnforcementPlan,
  EnforcementRestore,
  EnforcementUndo,
} from '../../budgets/enforcement-plan.js';
import type { BuEnforcementState } from '../../target.js';
import { showChart, type PlotlyFigure } from '../charts.js';
import { showMarkdown } from '../mime.js';
import { showTable } from '../tables.js';
import { usd as money } from '../../common/money.js';

const usd = (n: number | undefined): string => (n === undefined ? '' : money(n));

/** The figure of one BU: cumulative spend by day, the projection to month end, the budget. */
export function budgetFigure(month: string, b: BuBudgetReview): PlotlyFigure {
  const f = b.forecast;
  const day = (d: number): string => `${month}-${String(d).padStart(2, '0')}`;
  const spentX: string[] = [];
  const spentY: number[] = [];
  let sum = 0;
  const byDay = new Map(b.daily.map((d) => [Number(d.day.slice(8, 10)), d.costUsd]));
  for (let d = 1; d <= f.daysElapsed; d++) {
    sum += byDay.get(d) ?? 0;
    spentX.push(day(d));
    spentY.push(sum);
  }
  const data: PlotlyFigure['data'] = [
    { type: 'scatter', mode: 'lines+markers', name: 'Spend so far', x: spentX, y: spentY },
    {
      type: 'scatter',
      mode: 'lines',
      name: 'Projection',
      line: { dash: 'dot' },
      x: [day(f.daysElapsed), day(f.daysInMonth)],
      y: [f.monthToDateUsd, f.projectedUsd],
    },
  ];
  if (f.budgetUsd !== undefined)
    data.push({
      type: 'scatter',
      mode: 'lines',
      name: 'Budget',
      line: { color: 'red' },
      x: [day(1), day(f.daysInMonth)],
      y: [f.budgetUsd, f.budgetUsd],
    });
  return {
    data,
    layout: {
      title: { text: `${b.displayName}: month to date, projection and budget (USD)` },
      xaxis: { title: { text: 'Day' } },
      yaxis: { title: { text: 'USD' } },
      height: 300,
    },
  };
}

/** Shows the forecast table, the alerts that fire, and one chart per BU with a budget. */
export function showBudgets(review: BudgetReview): void {
  showTable(
    {
      columns: [
        'BU',
        'Source',
        'Month to date',
        'Burn/day',
        'Projected',
        'Budget',
        'State',
        'Forecast alert',
      ],
      rows: review.businessUnits.map((b) => [
        b.displayName,
        b.source,
        usd(b.forecast.monthToDateUsd),
        usd(b.forecast.burnRatePerDayUsd),
        usd(b.forecast.projectedUsd),
        usd(b.forecast.budgetUsd),
        b.forecast.overBudget
          ? 'over budget'
          : b.forecast.projectedOverBudget
            ? 'projected over'
            : 'within',
        b.forecast.alert ? `fires (crosses ~day ${b.forecast.projectedCrossingDay ?? '?'})` : '',
      ]),
    },
    { title: `Budgets on ${review.asOfDay}: month to date projected to the month's end` },
  );
  for (const b of review.businessUnits)
    if (b.forecast.budgetUsd !== undefined && b.daily.length > 0)
      showChart(budgetFigure(review.month, b));
}

function limits(s: BuEnforcementState): string {
  const parts: string[] = [s.state];
  if (s.tokensPerMinute !== undefined) parts.push(`${s.tokensPerMinute} TPM`);
  if (s.tokenQuota !== undefined) parts.push(`quota ${s.tokenQuota}/${s.tokenQuotaPeriod ?? ''}`);
  return parts.join(', ');
}

/** Shows the plan as a diff (BU, current, proposed, why) and whether it was applied. */
export function showEnforcementPlan(plan: EnforcementPlan): void {
  if (plan.changes.length === 0) {
    showMarkdown(
      '**Enforcement plan:** no BU is over or projected over its budget; nothing to change.',
    );
    return;
  }
  showTable(
    {
      columns: ['BU', 'Current', 'Proposed', 'Why'],
      rows: plan.changes.map((c) => [
        c.displayName,
        `- ${limits(c.current)}`,
        `+ ${limits(c.proposed)}`,
        c.why,
      ]),
    },
    {
      title: plan.applied
        ? 'Enforcement plan: applied'
        : 'Enforcement plan (dry run: nothing changed)',
    },
  );
  showMarkdown(
    plan.applied
      ? `Applied and recorded in \`${plan.recordFile ?? ''}\`. Undo: ${plan.undo ?? ''}`
      : 'Nothing was changed. To perform it, run the cell with `{ apply: true }`.',
  );
}

/** Shows what an undo restored. */
export function showEnforcementUndo(undo: EnforcementUndo): void {
  showTable(
    { columns: ['BU', 'Now'], rows: undo.restored.map((s) => [s.bu, limits(s)]) },
    { title: 'Enforcement undone' },
  );
}

/** Shows clean-up's restore step: what an applied plan changed, and whether it was put back. */
export function showEnforcementRestore(r: EnforcementRestore): void {
  if (r.action === 'nothing') {
    showMarkdown('**Budget enforcement:** no applied plan is recorded; nothing to restore.');
    return;
  }
  showTable(
    {
      columns: ['BU', 'Applied', 'Restored to'],
      rows: r.changes.map((c) => [c.displayName, limits(c.proposed), limits(c.current)]),
    },
    {
      title:
        r.action === 'restored'
          ? 'Budget enforcement restored'
          : 'Budget enforcement (dry run): what would be restored',
    },
  );
}
