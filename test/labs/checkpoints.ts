/**
 * One check per checkpoint of the lab. Each reads the figures off the cell outputs the attendee
 * sees (or the workbook preview), checks them against what the kit computes from its own sources
 * (the configuration, the pricing module, the ledger, the logs), and returns the values the
 * checkpoint must name, in order. The test compares those with the checkpoint's code spans, so a
 * number on the lab page that the kit no longer produces fails the test.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { buDisplayName } from '../../lib/artifacts/names.js';
import { requestsFor } from '../../lib/config/load-config.js';
import type { KitConfig } from '../../lib/config/types.js';
import type { CellRun } from '../../lib/internal/notebook-runner.js';
import { cellText } from '../../lib/internal/notebook-runner.js';
import { ledgerPath } from '../../lib/ledger/ledger.js';
import type { Ledger, LedgerEntry, TrafficCounts } from '../../lib/ledger/ledger-types.js';
import { allocateCost, getApimPricing } from '../../lib/pricing/pricing.js';
import type { CostingTarget } from '../../lib/target.js';
import { queryTable } from '../../lib/verify/query-table.js';
import {
  cellHtml,
  firstHtmlTable,
  htmlTableAfter,
  markdownTable,
  rowOf,
  rowsOf,
  type ScreenTable,
} from './output-tables.js';

export interface LabContext {
  /** The kernel's `target` at the probe. */
  target: CostingTarget;
  ledger: Ledger;
  /** The latest run of the cell tagged `tag` in this session. */
  cell(tag: string): CellRun;
  /** Every run of the cell tagged `tag` in this session, in order. */
  runsOf(tag: string): CellRun[];
  /** The latest run of `tag` as it stood when an earlier exercise was checked. */
  cellAt(exercise: number, tag: string): CellRun;
  ledgerAt(exercise: number): Ledger;
}

type Check = (ctx: LabContext) => Promise<string[]>;

const ENGINEERING = 'bu-engineering';
const FINANCE = 'bu-finance';
/** E1's table (not the chart's data fallback, which shares the start of its title). */
const E1_COST_TABLE =
  '<strong>Cost allocation per business unit (kql/cost-allocation-subscription.kql)';

/** What the attendee predicts per BU from A1 alone: C1's max(1, floor(50 x w)) plus D1's per model. */
function predictedRequests(config: KitConfig): { c1: number; d1: number; total: number }[] {
  return config.businessUnits.map((bu) => {
    const c1 = requestsFor(config.traffic.sampleRequestsPerSubscription, bu.weight);
    const d1 = config.models.reduce((n, m) => n + requestsFor(m.requestsPerBu, bu.weight), 0);
    return { c1, d1, total: c1 + d1 };
  });
}

function predictedByBu(config: KitConfig): Record<string, number> {
  const p = predictedRequests(config);
  return Object.fromEntries(config.businessUnits.map((bu, i) => [bu.name, p[i]!.total]));
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function failed(c: TrafficCounts): number {
  return sum(Object.values(c.failedByStatus));
}

function entry(ledger: Ledger, source: 'bu' | 'ai'): LedgerEntry {
  const e = ledger.sources[source];
  expect(e, `ledger entry ${source}`).toBeDefined();
  return e!;
}

/** Requests of a BU with a 4xx final status, over C1 and D1. */
function clientErrors(ledger: Ledger, bu: string): number {
  return sum(
    (['bu', 'ai'] as const).flatMap((s) =>
      Object.entries(ledger.sources[s]?.byBu[bu]?.failedByStatus ?? {})
        .filter(([code]) => Number(code) >= 400 && Number(code) < 500)
        .map(([, n]) => n),
    ),
  );
}

function expectNear(shown: string, value: number, tolerance: number, what: string): void {
  expect(
    Math.abs(Number(shown) - value),
    `${what}: shown ${shown}, computed ${value}`,
  ).toBeLessThan(tolerance);
}

/** E3's table and the "x/y match" of its title, with every row checked to match. */
function e3(cell: CellRun): { table: ScreenTable; matched: string } {
  const m = /Ledger vs workbook tiles \((\d+)\/(\d+) match\)/.exec(cellHtml(cell));
  expect(m, 'E3 title').not.toBeNull();
  const table = htmlTableAfter(cellHtml(cell), '<strong>Ledger vs workbook tiles');
  expect(m![1]).toBe(m![2]);
  expect(table.rows.length).toBe(Number(m![2]));
  expect(rowsOf(table).filter((r) => r.Match !== 'match')).toEqual([]);
  return { table, matched: `${m![1]}/${m![2]} match` };
}

/** An E3 row: its ledger and workbook figures, which must be shown alike. */
function e3Row(table: ScreenTable, tile: string, query?: string): string {
  const rows = rowsOf(table).filter(
    (r) => r.Tile === tile && (query === undefined || r['Workbook query'] === query),
  );
  expect(rows.length, `E3 rows for ${tile}`).toBe(1);
  const row = rows[0]!;
  expect(row['Workbook (KQL)']).toBe(row['Ground truth (ledger)']);
  return row['Ground truth (ledger)']!;
}

function trafficTotals(cell: CellRun, ledgerEntry: LedgerEntry): Record<string, string> {
  const total = rowOf(markdownTable(cell, 'BU'), '**total**');
  expect(total.planned).toBe(String(ledgerEntry.totals.planned));
  expect(total.succeeded).toBe(String(ledgerEntry.totals.succeeded));
  expect(total.failed).toBe(String(failed(ledgerEntry.totals)));
  return total;
}

async function c1Totals(ctx: LabContext): Promise<string[]> {
  const bu = entry(ctx.ledger, 'bu');
  const total = trafficTotals(ctx.cell('C1'), bu);
  expect(Number(total.planned)).toBe(sum(predictedRequests(ctx.target.config).map((p) => p.c1)));
  expect(bu.totals.attemptsByStatus['400']).toBe(failed(bu.totals));
  return [total.planned!, total.succeeded!, total.failed!];
}

/** Requests of D1 in mode 2 (the j-th request of a BU and model uses mode j % 6): j = 2, 8, 14... */
function predictedMode2(config: KitConfig): Record<string, number> {
  return Object.fromEntries(
    config.businessUnits.map((bu) => [
      bu.name,
      sum(
        config.models.map((m) => {
          const n = requestsFor(m.requestsPerBu, bu.weight);
          return n < 3 ? 0 : Math.floor((n - 3) / 6) + 1;
        }),
      ),
    ]),
  );
}

/**
 * Mode-2 requests per BU that the token quota refused (403): A1's default Marketing quota
 * refuses some of D1's requests, so the predicted mode-2 count minus these is what succeeds.
 */
function refusedMode2(ai: LedgerEntry): Record<string, number> {
  const out: Record<string, number> = {};
  for (const cell of ai.byBuModelMode) {
    if (cell.mode !== 2) continue;
    out[cell.bu] = (out[cell.bu] ?? 0) + (cell.counts.failedByStatus['403'] ?? 0);
  }
  return out;
}

/** Predicted mode-2 requests per BU that succeed: A1's plan less the quota's refusals. */
function succeededMode2(config: KitConfig, ai: LedgerEntry): Record<string, number> {
  const refused = refusedMode2(ai);
  return Object.fromEntries(
    Object.entries(predictedMode2(config)).map(([bu, n]) => [bu, n - (refused[bu] ?? 0)]),
  );
}

function costRow(ctx: LabContext, cell: CellRun, bu: string, config: KitConfig): string {
  const shown = e3Row(e3(cell).table, buDisplayName(bu), 'subscription-cost-allocation');
  const alloc = allocateCost(predictedByBu(config), getApimPricing(config.deployment.apimSku));
  expectNear(shown, alloc.find((a) => a.bu === bu)!.totalUsd, 1e-6, `${bu} cost`);
  return shown;
}

export const CHECKS: Record<string, Check> = {
  '1.1': c1Totals,

  '1.2': async (ctx) => {
    const ai = entry(ctx.ledger, 'ai');
    const total = trafficTotals(ctx.cell('D1'), ai);
    expect(Number(total.planned)).toBe(sum(predictedRequests(ctx.target.config).map((p) => p.d1)));
    return [total.planned!, total.succeeded!];
  },

  '1.3': async (ctx) => {
    const { table, matched } = e3(ctx.cell('E3'));
    const buRequests = e3Row(table, 'BU requests');
    expect(Number(buRequests)).toBe(sum(Object.values(predictedByBu(ctx.target.config))));
    expect(Number(buRequests)).toBe(
      entry(ctx.ledger, 'bu').totals.attempts + entry(ctx.ledger, 'ai').totals.attempts,
    );
    return [matched, buRequests];
  },

  '1.4': async (ctx) => {
    const config = ctx.target.config;
    const table = htmlTableAfter(cellHtml(ctx.cell('E1')), E1_COST_TABLE);
    const row = rowOf(table, buDisplayName(ENGINEERING));
    const byBu = predictedByBu(config);
    const alloc = allocateCost(byBu, getApimPricing(config.deployment.apimSku));
    const eng = alloc.find((a) => a.bu === ENGINEERING)!;
    expect(Number(row.Requests)).toBe(byBu[ENGINEERING]);
    expectNear(row.SharePct!, 100 * eng.share, 0.005 + 1e-9, 'SharePct');
    // The workbook query rounds base and variable parts to 4 decimals before adding them.
    expectNear(row.TotalCost!, eng.totalUsd, 2e-4, 'TotalCost');
    return [row.Requests!, row.SharePct!, row.TotalCost!];
  },

  '2.1': async (ctx) => {
    const rows = rowsOf(firstHtmlTable(ctx.cell('Lab 2a')));
    expect(rows.length).toBe(1);
    const row = rows[0]!;
    expect(row.ApiId).toBe(ctx.target.requireDeployment().apis.costing.apiId);
    expect(Number(row.Requests)).toBe(clientErrors(ctx.ledger, ENGINEERING));
    expect(row.Requests).toBe(rowOf(markdownTable(ctx.cell('C1'), 'BU'), ENGINEERING).failed);
    return [row.ApiId!, row.ResponseCode!, row.Requests!];
  },

  '2.2': async (ctx) => {
    const ai = entry(ctx.ledger, 'ai');
    const top = Object.entries(ai.byBu)
      .map(([bu, c]) => [bu, c.totalTokens] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    const rows = rowsOf(firstHtmlTable(ctx.cell('Lab 2b')));
    expect(rows.map((r) => [r.ApimSubscriptionId, Number(r.Tokens)])).toEqual(top);
    const d1 = markdownTable(ctx.cell('D1'), 'BU');
    for (const r of rows) expect(rowOf(d1, r.ApimSubscriptionId!)['total tok']).toBe(r.Tokens);
    return rows.flatMap((r) => [r.ApimSubscriptionId!, r.Tokens!]);
  },

  '3.1': async (ctx) => {
    const file = /Local preview written to `([^`]+)`/.exec(cellText(ctx.cell('F')))?.[1];
    expect(file).toMatch(/build\/workbook-preview\.html$/);
    const table = htmlTableAfter(
      readFileSync(file!, 'utf8'),
      'data-name="subscription-success-error-rates"',
    );
    const row = rowOf(table, buDisplayName(ENGINEERING));
    const succeeded = sum(
      (['bu', 'ai'] as const).map((s) => ctx.ledger.sources[s]?.byBu[ENGINEERING]?.succeeded ?? 0),
    );
    expect(Number(row.Requests)).toBe(predictedByBu(ctx.target.config)[ENGINEERING]);
    expect(Number(row.Successful)).toBe(succeeded);
    expect(Number(row.ClientErrors)).toBe(clientErrors(ctx.ledger, ENGINEERING));
    return [row.Requests!, row.Successful!, row.ClientErrors!];
  },

  '4.1': async (ctx) => {
    expect(ctx.runsOf('C1').length).toBe(2);
    return c1Totals(ctx);
  },

  '4.2': async (ctx) => {
    expect(ctx.runsOf('E3').length).toBe(2);
    const { table, matched } = e3(ctx.cell('E3'));
    const buRequests = e3Row(table, 'BU requests');
    // The log store holds both C1 runs, and the ledger keeps both: E3's truth is their sum.
    const all = await queryTable(
      ctx.target,
      "ApiManagementGatewayLogs | where ApimSubscriptionId startswith 'bu-' | count",
      { timespan: 'PT1H' },
    );
    expect(all.rows[0]?.[0]).toBe(Number(buRequests));
    return [matched, buRequests];
  },

  '5.1': async (ctx) => {
    const buRequests = e3Row(e3(ctx.cell('E3')).table, 'BU requests');
    expect(Number(buRequests)).toBe(sum(Object.values(predictedByBu(ctx.target.config))));
    return [buRequests];
  },

  '5.2': async (ctx) => {
    const config = ctx.target.config;
    const byBu = predictedByBu(config);
    const row = rowOf(
      htmlTableAfter(cellHtml(ctx.cell('E1')), E1_COST_TABLE),
      buDisplayName(ENGINEERING),
    );
    expect(Number(row.Requests)).toBe(byBu[ENGINEERING]);
    expectNear(row.SharePct!, (100 * byBu[ENGINEERING]!) / sum(Object.values(byBu)), 0.005, '%');
    return [row.Requests!, row.SharePct!];
  },

  '5.3': async (ctx) => {
    const config = ctx.target.config;
    const financeBefore = e3Row(
      e3(ctx.cellAt(1, 'E3')).table,
      buDisplayName(FINANCE),
      'subscription-cost-allocation',
    );
    return [
      costRow(ctx, ctx.cell('E3'), ENGINEERING, config),
      costRow(ctx, ctx.cell('E3'), FINANCE, config),
      financeBefore,
    ];
  },

  '6.1': async (ctx) => {
    const { table } = e3(ctx.cell('E3'));
    const noTokens = e3Row(table, 'Successful (no tokens)');
    const withTokens = e3Row(table, 'Successful (2xx, with tokens)');
    const ai = entry(ctx.ledger, 'ai');
    const mode2 = sum(Object.values(succeededMode2(ctx.target.config, ai)));
    expect(ctx.target.config.features.forceStreamIncludeUsage).toBe(false);
    expect(ai.byMode['2']?.succeeded).toBe(mode2);
    expect(ai.byMode['2']?.withUsage).toBe(0);
    expect(Number(noTokens)).toBe(mode2);
    expect(Number(withTokens)).toBe(ai.totals.succeeded - mode2);
    return [noTokens, withTokens];
  },

  '6.2': async (ctx) => {
    const now = trafficTotals(ctx.cell('D1'), entry(ctx.ledger, 'ai'))['total tok']!;
    const before = entry(ctx.ledgerAt(1), 'ai');
    const shownBefore = rowOf(markdownTable(ctx.cellAt(1, 'D1'), 'BU'), '**total**')['total tok']!;
    expect(Number(shownBefore)).toBe(before.totals.totalTokens);
    // Same prompts, same answers: only mode 2's tokens went missing.
    expect(Number(now)).toBe(before.totals.totalTokens - before.byMode['2']!.totalTokens);
    return [now, shownBefore];
  },

  '6.3': async (ctx) => {
    const rows = rowsOf(firstHtmlTable(ctx.cell('Lab 6')));
    const want = Object.entries(succeededMode2(ctx.target.config, entry(ctx.ledger, 'ai')))
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    expect(rows.map((r) => [r.ApimSubscriptionId, Number(r.Requests)])).toEqual(want);
    expect(rows[0]!.Requests).toBe(rows[1]!.Requests);
    return [
      String(rows.length),
      String(sum(rows.map((r) => Number(r.Requests)))),
      rows[0]!.ApimSubscriptionId!,
      rows[1]!.ApimSubscriptionId!,
      rows[0]!.Requests!,
    ];
  },

  '7.1': async (ctx) => {
    // Run journals the kit already removed when their runs ended are listed as already gone.
    const present = (r: Record<string, string | undefined>) => r.Action !== 'already-gone';
    const dryRun = rowsOf(firstHtmlTable(ctx.cell('2'))).filter(present);
    const deleted = rowsOf(firstHtmlTable(ctx.cell('3'))).filter(present);
    expect(dryRun.map((r) => r.Name)).toEqual(deleted.map((r) => r.Name));
    expect(new Set(dryRun.map((r) => r.Action))).toEqual(new Set(['would-delete']));
    expect(new Set(deleted.map((r) => r.Action))).toEqual(new Set(['deleted']));
    const dataDir = ctx.target.config.local.dataDir;
    expect(existsSync(dataDir)).toBe(false);
    const ledgerFile = path.basename(ledgerPath(ctx.target.config));
    expect(deleted.map((r) => path.basename(r.Name!))).toContain(ledgerFile);
    return [ledgerFile, dryRun[0]!.Action!, deleted[0]!.Action!];
  },
};
