/**
 * The workbook's Actual cost tab (issue 17, item 5) after a real local run that includes E4:
 * every item runs on the local engine with rows, renders in the preview, and shows the same
 * figures as the statement E4 returned, to the cent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KqlValue } from '../../lib/target.js';
import { walk } from '../../lib/workbook/parameters.js';
import { previewResults, renderWorkbookHtml } from '../../lib/workbook/render-preview.js';
import { ACTUAL_COST_ITEMS } from './original-items.js';
import { runLocalWorkbook, type LocalWorkbookRun } from './local-run.js';

let run: LocalWorkbookRun;

beforeAll(async () => {
  run = await runLocalWorkbook();
}, 240_000);

afterAll(async () => {
  await run?.dispose();
});

function records(name: string): Record<string, KqlValue>[] {
  const outcome = run.outcomes.find((o) => o.query.name === name);
  if (outcome?.result?.status !== 'success')
    throw new Error(
      `query ${name} did not succeed: ${outcome?.error ?? JSON.stringify(outcome?.result)}`,
    );
  const t = outcome.result.table;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i] ?? null])));
}

const cents = (usd: unknown) => Math.round(Number(usd) * 100);

/** Key to cents, for comparing a query's rows with the statement. */
function byKey(rows: Record<string, KqlValue>[], key: (r: Record<string, KqlValue>) => string) {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + cents(r.ActualUsd));
  return m;
}

describe('the Actual cost tab after a local run with E4', () => {
  it('is a tab of its own, with every item the issue names, run with rows and rendered', () => {
    const html = renderWorkbookHtml(run.workbook, {
      displayName: 'x',
      results: previewResults(run.outcomes),
      now: run.now,
    });
    const names = new Set<string>();
    walk(run.workbook.items, (item) => names.add(item.name));
    for (const want of ACTUAL_COST_ITEMS) {
      expect(names, want.what).toContain(want.name);
      const q = run.queries.find((x) => x.name === want.name);
      expect(q?.tabLabel, want.name).toBe('Actual cost');
      // The local bill's only line without a driver (storage) rounds to zero cents: no shared
      // line here; the last test adds one.
      if (want.name === 'actual-cost-shared' && run.bill.shared.length === 0) continue;
      const rows = records(want.name);
      expect(rows.length, `${want.name} rows`).toBeGreaterThan(0);
      for (const col of want.columns ?? []) expect(Object.keys(rows[0]!), want.name).toContain(col);
      const at = html.indexOf(`data-name="${want.name}"`);
      expect(at, `${want.name} rendered`).toBeGreaterThan(0);
      const next = html.indexOf('data-name="', at + 1);
      const body = html.slice(at, next < 0 ? undefined : next);
      if (want.kind === 'table') expect(body, want.name).toMatch(/<tbody><tr>/);
      if (want.kind === 'chart') expect(body, want.name).toMatch(/data-series="[1-9]\d*"/);
    }
    expect(ACTUAL_COST_ITEMS.filter((i) => i.kind === 'chart').length).toBeGreaterThan(0);
  });

  it('shows the statement per BU: actual, estimate and variance equal E4 to the cent', () => {
    const rows = records('actual-cost-statement');
    expect(run.bill.byBu.length).toBeGreaterThan(0);
    expect(rows.map((r) => `bu-${String(r.BusinessUnit)}`).sort()).toEqual(
      run.bill.byBu.map((b) => b.bu).sort(),
    );
    for (const b of run.bill.byBu) {
      const r = rows.find((x) => `bu-${String(x.BusinessUnit)}` === b.bu)!;
      expect(cents(r.ActualUsd), b.bu).toBe(cents(b.actualUsd));
      expect(cents(r.EstimateUsd), b.bu).toBe(cents(b.estimateUsd));
      expect(Math.abs(cents(r.VarianceUsd) - cents(b.varianceUsd)), b.bu).toBeLessThanOrEqual(1);
    }
    // Actual differs from the list-price estimate (the emulated bill has a discount).
    expect(rows.some((r) => cents(r.VarianceUsd) !== 0)).toBe(true);
    const chart = records('actual-cost-vs-estimate');
    expect(byKey(chart, (r) => String(r.BusinessUnit))).toEqual(
      byKey(rows, (r) => String(r.BusinessUnit)),
    );
  });

  it('shows the unallocated remainder by reason and the shared lines as E4 has them', () => {
    const unallocated = byKey(records('actual-cost-unallocated'), (r) => String(r.Reason));
    expect(unallocated).toEqual(
      new Map(run.bill.unallocated.map((u) => [u.reason, cents(u.actualUsd)])),
    );
    const shared = byKey(records('actual-cost-shared'), (r) => String(r.Reason));
    expect(shared).toEqual(new Map(run.bill.shared.map((s) => [s.name, cents(s.actualUsd)])));
  });

  it('reconciles: allocated + shared + unallocated = the billed total of the export', () => {
    const parts = byKey(records('actual-cost-reconciliation'), (r) => String(r.Part));
    expect(parts.get('Allocated to business units')).toBe(cents(run.bill.allocatedUsd));
    expect(parts.get('Shared') ?? 0).toBe(cents(run.bill.sharedUsd));
    expect(parts.get('Unallocated') ?? 0).toBe(cents(run.bill.unallocatedUsd));
    expect([...parts.values()].reduce((a, b) => a + b, 0)).toBe(cents(run.bill.fileTotalUsd));
  });

  // Last: it adds a row to the newest allocation. Shared lines come from a resource without a
  // driver; the local run bills its storage under a cent, so one is added as E4 would write it.
  it('lists a shared line with its reason and cost, and counts it in the reconciliation', async () => {
    const newest = records('actual-cost-statement').length;
    expect(newest).toBeGreaterThan(0);
    const last = await run.target.queryLogs(
      'ApimCostAllocation_CL | summarize At = max(TimeGenerated), Run = take_any(RunId), Period = take_any(BillingPeriodStart)',
    );
    const [at, runId, period] = last.table.rows[0]!;
    const reason = 'no usage driver: stcostinglocal1';
    const outcome = await run.target.ingestCostAllocation([
      {
        TimeGenerated: new Date(String(at)).toISOString(),
        BillingPeriodStart: new Date(String(period)).toISOString(),
        ChargePeriodStart: new Date(String(period)).toISOString(),
        AllocatedTo: 'shared',
        Reason: reason,
        ResourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${run.deployment.resourceGroup}/providers/Microsoft.Storage/storageAccounts/stcostinglocal1`,
        ServiceName: 'Storage',
        Meter: 'Hot LRS Data Stored',
        AllocatedMethodId: 'shared',
        AllocatedRatio: 1,
        UsageQuantity: 2,
        UsageUnit: 'GB/Month',
        BilledCostUsd: 1.23,
        EstimateUsd: 0,
        RunId: String(runId),
      },
    ]);
    expect(outcome.status).toBe('done');
    const query = (name: string) => run.queries.find((q) => q.name === name)!.query;
    const shared = (await run.target.queryLogs(query('actual-cost-shared'))).table;
    const cols = shared.columns.map((c) => c.name);
    expect(
      shared.rows.map((r) => [r[cols.indexOf('Reason')], cents(r[cols.indexOf('ActualUsd')])]),
    ).toEqual([[reason, 123]]);
    const recon = (await run.target.queryLogs(query('actual-cost-reconciliation'))).table;
    const part = recon.rows.find(
      (r) => r[recon.columns.findIndex((c) => c.name === 'Part')] === 'Shared',
    );
    expect(cents(part?.[recon.columns.findIndex((c) => c.name === 'ActualUsd')])).toBe(
      cents(run.bill.sharedUsd) + 123,
    );
  });
});
