/**
 * Cell E5 on the local target: the review of the default run (Marketing over its tiny budget,
 * Engineering projected over), the plan's dry run changing nothing (state compared before and
 * after), apply then D1 showing the effect (a suspended subscription's requests refused, a
 * lowered quota), and the undo restoring every BU.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  planEnforcement,
  restoreEnforcement,
  undoEnforcement,
} from '../../lib/budgets/enforcement-plan.js';
import { reviewBudgets } from '../../lib/budgets/review-budgets.js';
import { EnforcementRecordError } from '../../lib/errors.js';
import { readLedger } from '../../lib/ledger/ledger.js';
import { loadPricedQuery } from '../../lib/pricing/query-prices.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { startTestTarget, type TestTarget } from '../local/helpers.js';

let t: TestTarget;

beforeAll(async () => {
  t = await startTestTarget({
    config: {
      budgets: {
        businessUnits: {
          'bu-marketing': { tokenQuota: 200, tokenQuotaPeriod: 'Daily', monthlyBudgetUsd: 0.01 },
          'bu-engineering': { tokensPerMinute: 100_000, monthlyBudgetUsd: 1_000 },
          'bu-hr': { monthlyBudgetUsd: 1_000 },
        },
      },
    },
  });
  await sendTraffic(t.target, 'bu');
  await sendTraffic(t.target, 'ai');
}, 120_000);

afterAll(async () => {
  await t?.dispose();
});

describe('the enforcement plan (local)', () => {
  it('reviews each BU: month to date from the logs, projection, over-budget and alert', async () => {
    const review = await reviewBudgets(t.target);
    const mk = review.businessUnits.find((b) => b.bu === 'bu-marketing');
    expect(mk?.source).toBe('estimate');
    expect(mk?.forecast.monthToDateUsd).toBeGreaterThan(0.01);
    expect(mk?.forecast.overBudget).toBe(true);
    expect(mk?.enforcement).toMatchObject({
      state: 'active',
      tokenQuota: 200,
      tokenQuotaPeriod: 'Daily',
    });
    expect(review.businessUnits.find((b) => b.bu === 'bu-hr')?.forecast.overBudget).toBe(false);
    // The scheduled rule's query agrees with the forecast, BU by BU.
    for (const b of review.businessUnits)
      if (b.forecast.budgetUsd !== undefined) expect(b.ruleFires, b.bu).toBe(b.forecast.alert);
    // The rule's query fires exactly between the spend and the projection.
    const hrF = review.businessUnits.find((b) => b.bu === 'bu-hr')?.forecast;
    if (!hrF) throw new Error('no hr');
    const fires = async (budgetUsd: number): Promise<boolean> => {
      const q = loadPricedQuery('budget-forecast-alert', t.config, {
        businessUnit: 'bu-hr',
        budgetUsd,
        asOf: new Date(`${review.asOfDay}T23:59:59.999Z`),
      });
      const r = await t.target.queryLogs(q.text);
      if (r.table.rows.length > 0)
        expect(Number(r.table.rows[0]?.[1])).toBeCloseTo(hrF.monthToDateUsd, 6);
      return r.table.rows.length > 0;
    };
    if (hrF.projectedUsd > hrF.monthToDateUsd * 1.001)
      expect(await fires(hrF.monthToDateUsd * 1.001)).toBe(true);
    expect(await fires(hrF.monthToDateUsd * 0.5)).toBe(false);
    expect(await fires(hrF.projectedUsd * 2)).toBe(false);
    // An actual from the allocated bill (E4) replaces the estimate.
    const withBill = await reviewBudgets(t.target, { actual: [{ bu: 'bu-hr', actualUsd: 2_000 }] });
    const hr = withBill.businessUnits.find((b) => b.bu === 'bu-hr');
    expect(hr?.source).toBe('actual');
    expect(hr?.forecast.monthToDateUsd).toBeCloseTo(2_000, 6);
    expect(hr?.forecast.overBudget).toBe(true);
  });

  it('a dry run changes nothing; apply suspends, D1 then gets refused; undo restores', async () => {
    const before = await t.target.readEnforcement();
    const review = await reviewBudgets(t.target);
    const dry = await planEnforcement(t.target, review);
    expect(dry.applied).toBe(false);
    expect(dry.changes.map((c) => [c.bu, c.proposed.state])).toEqual([
      ['bu-marketing', 'suspended'],
    ]);
    expect(await t.target.readEnforcement()).toEqual(before);
    const record = path.join(t.dataDir, 'budget-enforcement.local.json');
    expect(existsSync(record)).toBe(false);

    const applied = await planEnforcement(t.target, review, { apply: true });
    expect(applied.applied).toBe(true);
    expect(existsSync(record)).toBe(true);
    const after = await t.target.readEnforcement();
    expect(after.find((s) => s.bu === 'bu-marketing')?.state).toBe('suspended');
    expect(after.filter((s) => s.bu !== 'bu-marketing')).toEqual(
      before.filter((s) => s.bu !== 'bu-marketing'),
    );

    // A new session over the same data folder (a kernel restart) keeps the applied plan.
    const { createLocalTarget } = await import('../../lib/local/local-target.js');
    const restarted = createLocalTarget(t.config);
    expect((await restarted.readEnforcement()).find((s) => s.bu === 'bu-marketing')?.state).toBe(
      'suspended',
    );
    await restarted.close();
    // D1 again: every Marketing request is refused with the inactive-subscription answer (401).
    await sendTraffic(t.target, 'ai');
    const d1 = (await readLedger(t.config)).sources.ai;
    expect(d1?.byBu['bu-marketing']?.failedByStatus['401']).toBe(6);
    expect(d1?.byBu['bu-hr']?.succeeded).toBe(12);

    const undo = await undoEnforcement(t.target);
    expect(undo.restored).toEqual(before);
    expect(existsSync(record)).toBe(false);
    await expect(undoEnforcement(t.target)).rejects.toThrow(EnforcementRecordError);
  }, 60_000);

  it('a lowered quota throttles sooner: the plan proposes a monthly quota when projected over', async () => {
    const review = await reviewBudgets(t.target);
    const hr = review.businessUnits.find((b) => b.bu === 'bu-hr');
    if (!hr) throw new Error('no hr');
    // Make HR projected over but not yet over: a budget just above its spend, so the budget
    // covers almost none of the rest of the month and the quota is about what it used so far.
    const mid = hr.forecast.monthToDateUsd + 1e-6;
    const tight = {
      ...review,
      businessUnits: [
        {
          ...hr,
          forecast: {
            ...hr.forecast,
            budgetUsd: mid,
            overBudget: false,
            projectedOverBudget: true,
            alert: true,
          },
        },
      ],
    };
    const plan = await planEnforcement(t.target, tight, { apply: true });
    const change = plan.changes[0];
    expect(change?.proposed).toMatchObject({ state: 'active', tokenQuotaPeriod: 'Monthly' });
    expect(change?.proposed.tokenQuota).toBeGreaterThanOrEqual(hr.monthTokens);
    expect(change?.proposed.tokenQuota).toBeLessThan(hr.monthTokens + 10);
    // The new quota's counter starts with the new monthly period: two D1 runs (HR sent two so
    // far) use it up, so a third one's HR requests get 403.
    for (let run = 0; run < 3; run++) await sendTraffic(t.target, 'ai');
    const d1 = (await readLedger(t.config)).sources.ai;
    expect(d1?.byBu['bu-hr']?.failedByStatus['403'] ?? 0).toBeGreaterThan(0);
    // Clean-up's step: a dry run lists the change and changes nothing; then it restores.
    const before = await t.target.readEnforcement();
    const listed = await restoreEnforcement(t.target);
    expect(listed.action).toBe('would-restore');
    expect(await t.target.readEnforcement()).toEqual(before);
    const restored = await restoreEnforcement(t.target, { dryRun: false });
    expect(restored.action).toBe('restored');
    expect((await t.target.readEnforcement()).find((s) => s.bu === 'bu-hr')).toMatchObject({
      tokenQuota: undefined,
      tokenQuotaPeriod: undefined,
    });
    expect((await restoreEnforcement(t.target)).action).toBe('nothing');
  }, 60_000);
});
