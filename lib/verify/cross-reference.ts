/**
 * Cell E3: the ledger's ground truth beside what the workbook's headline tiles show, tile by
 * tile, with a match column; and, from the rule cell B4 registered, which BUs' budget alerts
 * would fire. The workbook queries run exactly as `workbook.json` has them (placeholders filled,
 * parameters at their defaults), over this run's time window.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readArtifact } from '../artifacts/read-artifact.js';
import type { KitConfig } from '../config/load-config.js';
import { showMarkdown } from '../output/mime.js';
import { bindParameters } from '../kql/index.js';
import { readLedger } from '../ledger/ledger.js';
import { allocateCost, getApimPricing } from '../pricing/pricing.js';
import { showTable } from '../output/tables.js';
import type { CostingTarget, Deployment, KqlTable, OperationOptions } from '../target.js';
import { expectedLogCounts, type ExpectedLogCounts } from '../ledger/expected-logs.js';
import { rowsOf, runTimespan } from './verify.js';
import { listWorkbookQueries } from '../workbook/index.js';
import { deployedWorkbook } from '../publish/publish-workbook.js';
import { KitError, MissingStepError } from '../errors.js';

/** One tile: the ledger's figure beside the workbook's. */
export interface CrossReferenceRow {
  tile: string;
  /** Workbook query item the figure comes from. */
  query: string;
  groundTruth: number;
  workbook: number | null;
  match: boolean;
}

/** A BU's budget-alert rule evaluated over this run. */
export interface BudgetAlertEvaluation {
  bu: string;
  threshold: number;
  /** Busiest hour's requests. */
  maxHourlyRequests: number;
  wouldFire: boolean;
}

export interface CrossReference {
  timespan: string;
  rows: CrossReferenceRow[];
  allMatch: boolean;
  /** `undefined` when cell B4 registered no rules. */
  budgetAlerts: BudgetAlertEvaluation[] | undefined;
  /** What to do when figures do not match yet. */
  hint: string | undefined;
}

/** The budget-alert rules B4 registered, kept in the data folder for E3. */
export interface RegisteredBudgetAlerts {
  threshold: number;
  businessUnits: string[];
  registeredAt: string;
}

const ALERTS_FILE = 'budget-alerts.local.json';

/** Records the rules B4 created (or, on the local target, would have created). */
export function recordBudgetAlerts(config: KitConfig, rules: RegisteredBudgetAlerts): void {
  mkdirSync(config.local.dataDir, { recursive: true });
  writeFileSync(
    path.join(config.local.dataDir, ALERTS_FILE),
    `${JSON.stringify(rules, null, 2)}\n`,
  );
}

/** Removes B4's record (alerts turned off). */
export function forgetBudgetAlerts(config: KitConfig): void {
  rmSync(path.join(config.local.dataDir, ALERTS_FILE), { force: true });
}

function readBudgetAlerts(config: KitConfig): RegisteredBudgetAlerts | undefined {
  const file = path.join(config.local.dataDir, ALERTS_FILE);
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as RegisteredBudgetAlerts)
    : undefined;
}

/** Ground truth per tile from the ledger (one gateway row per attempt that got a status). */
function groundTruth(
  expected: ExpectedLogCounts,
  deployment: Deployment,
  config: KitConfig,
): Map<string, { query: string; value: number }> {
  const ai = new Set([deployment.apis.aoai.apiId, deployment.apis.tokenTracking.apiId]);
  const cells = expected.cells;
  const sum = (pred: (c: (typeof cells)[number]) => boolean): number =>
    cells.filter(pred).reduce((n, c) => n + c.rows, 0);
  const isBu = (s: string): boolean => s.startsWith('bu-');
  const aiCell = (c: (typeof cells)[number]): boolean => ai.has(c.apiId);
  const ok = (code: number): boolean => code >= 200 && code < 300;
  const tokens = Object.values(expected.llmTokensByBu).reduce(
    (t, x) => ({ p: t.p + x.promptTokens, c: t.c + x.completionTokens, t: t.t + x.totalTokens }),
    { p: 0, c: 0, t: 0 },
  );
  const okAi = sum((c) => aiCell(c) && ok(c.responseCode));
  const out = new Map<string, { query: string; value: number }>();
  const put = (tile: string, query: string, value: number): void =>
    void out.set(tile, { query, value });
  put(
    'BU requests',
    'overview-headline',
    sum((c) => isBu(c.subscription)),
  );
  put(
    'BU AI requests',
    'overview-headline',
    sum((c) => isBu(c.subscription) && aiCell(c)),
  );
  put('AI Requests (all subs)', 'ai-tiles-inbound-all', sum(aiCell));
  for (const bu of config.businessUnits) {
    put(
      `AI requests ${bu.name.slice(3)}`,
      'ai-tiles-inbound-per-bu',
      sum((c) => c.subscription === bu.name && aiCell(c)),
    );
  }
  put('Successful (all 2xx)', 'ai-tiles-successful', okAi);
  put('Successful (2xx, with tokens)', 'ai-tiles-successful', expected.llmRequestsWithTokens);
  put('Successful (no tokens)', 'ai-tiles-successful', okAi - expected.llmRequestsWithTokens);
  put(
    'Throttled (429)',
    'ai-tiles-errors',
    sum((c) => aiCell(c) && c.responseCode === 429),
  );
  put(
    'Client Errors (4xx)',
    'ai-tiles-errors',
    sum(
      (c) => aiCell(c) && c.responseCode >= 400 && c.responseCode < 500 && c.responseCode !== 429,
    ),
  );
  put(
    'Server Errors (5xx)',
    'ai-tiles-errors',
    sum((c) => aiCell(c) && c.responseCode >= 500),
  );
  put('Total Tokens', 'ai-tiles-tokens', tokens.t);
  put('Prompt Tokens', 'ai-tiles-tokens', tokens.p);
  put('Completion Tokens', 'ai-tiles-tokens', tokens.c);
  const requestsByBu: Record<string, number> = {};
  for (const c of cells)
    if (isBu(c.subscription))
      requestsByBu[c.subscription] = (requestsByBu[c.subscription] ?? 0) + c.rows;
  for (const a of allocateCost(requestsByBu, getApimPricing(config.deployment.apimSku))) {
    // The workbook shows the base share to 4 decimals and the variable cost to 6, then their sum to 4.
    const shown = round(round(a.baseShareUsd, 4) + round(a.variableUsd, 6), 4);
    put(`Cost ${a.bu.slice(3)} (USD)`, 'subscription-cost-allocation', shown);
  }
  return out;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Tile name to value from a workbook query result. */
function workbookValues(query: string, table: KqlTable): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rowsOf(table)) {
    if (query === 'subscription-cost-allocation')
      out.set(`Cost ${String(r.BusinessUnit)} (USD)`, Number(r.TotalCost));
    else if (query === 'ai-tiles-inbound-per-bu')
      out.set(`AI requests ${String(r.Metric)}`, Number(r.Value));
    else out.set(String(r.Metric), Number(r.Value));
  }
  return out;
}

/**
 * Runs the workbook's headline queries over this run and compares them with the ledger (E3).
 * @example showCrossReference(await crossReference(target, config));
 */
export async function crossReference(
  target: CostingTarget,
  config: KitConfig,
  options: OperationOptions = {},
): Promise<CrossReference> {
  const deployment = target.requireDeployment();
  const ledger = await readLedger(config);
  const timespan = runTimespan(ledger);
  if (timespan === undefined)
    throw new MissingStepError('C1 (or D1/D2)', 'Traffic to cross-reference');
  const truth = groundTruth(expectedLogCounts(ledger), deployment, config);
  const queries = listWorkbookQueries(deployedWorkbook(config, deployment));
  const values = new Map<string, number>();
  for (const name of new Set([...truth.values()].map((t) => t.query))) {
    options.signal?.throwIfAborted();
    const q = queries.find((x) => x.name === name);
    if (!q)
      throw new KitError(
        `workbook.json has no query item '${name}': E3 compares its tiles; restore the item.`,
      );
    const result = await target.queryLogs(q.query, { timespan });
    if (result.status === 'success')
      for (const [k, v] of workbookValues(name, result.table)) values.set(k, v);
  }
  const rows = [...truth.entries()].map(([tile, t]) => {
    const wb = values.get(tile) ?? (tile.startsWith('AI requests ') && values.size > 0 ? 0 : null);
    return {
      tile,
      query: t.query,
      groundTruth: t.value,
      workbook: wb,
      match: wb !== null && wb === t.value,
    };
  });
  const allMatch = rows.every((r) => r.match);
  const hint = allMatch
    ? undefined
    : config.target === 'azure'
      ? 'Azure Monitor ingests resource logs in about 3 to 10 minutes (a new workspace can take longer): run this cell again in a few minutes.'
      : 'The local logs should match exactly: a mismatch means the ledger and the logs disagree; re-run the traffic cells (C1-D2) and E1.';
  return {
    timespan,
    rows,
    allMatch,
    budgetAlerts: await evaluateBudgetAlerts(target, config, timespan),
    hint,
  };
}

async function evaluateBudgetAlerts(
  target: CostingTarget,
  config: KitConfig,
  timespan: string,
): Promise<BudgetAlertEvaluation[] | undefined> {
  const rules = readBudgetAlerts(config);
  if (!rules) return undefined;
  const source = readArtifact('kql', 'budget-alert-threshold.kql');
  const out: BudgetAlertEvaluation[] = [];
  for (const bu of rules.businessUnits) {
    // threshold 0 returns every hour with traffic: the busiest one shows how close the BU came.
    const text = bindParameters(source, {
      threshold: 0,
      businessUnit: bu,
      lookback: { timespanMs: 30 * 86_400_000 },
    });
    const result = await target.queryLogs(text, { timespan });
    const hours =
      result.status === 'success' ? rowsOf(result.table).map((r) => Number(r.Requests)) : [];
    const max = hours.length > 0 ? Math.max(...hours) : 0;
    out.push({
      bu,
      threshold: rules.threshold,
      maxHourlyRequests: max,
      wouldFire: max > rules.threshold,
    });
  }
  return out;
}

/** Shows E3: the tile table with its match column, and the budget-alert evaluation. */
export function showCrossReference(x: CrossReference): void {
  showTable(
    {
      columns: ['Tile', 'Workbook query', 'Ground truth (ledger)', 'Workbook (KQL)', 'Match'],
      rows: x.rows.map((r) => [
        r.tile,
        r.query,
        r.groundTruth,
        r.workbook,
        r.match ? 'match' : 'MISMATCH',
      ]),
    },
    {
      title: `Ledger vs workbook tiles (${x.rows.filter((r) => r.match).length}/${x.rows.length} match)`,
    },
  );
  if (x.hint) showMarkdown(`**Not all tiles match yet.** ${x.hint}`);
  if (x.budgetAlerts === undefined) {
    showMarkdown('No budget-alert rules were registered: run cell B4 to see which BUs would fire.');
  } else {
    showTable(
      {
        columns: ['Business unit', 'Busiest hour (requests)', 'Threshold', 'Would fire'],
        rows: x.budgetAlerts.map((a) => [
          a.bu,
          a.maxHourlyRequests,
          a.threshold,
          a.wouldFire ? 'yes' : 'no',
        ]),
      },
      {
        title: `Budget alerts (B4's rule per BU): ${x.budgetAlerts.filter((a) => a.wouldFire).length} would fire`,
      },
    );
  }
}
