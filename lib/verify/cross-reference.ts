/**
 * Cell E3: the ledger's ground truth beside what the workbook's headline tiles show, tile by
 * tile, with a match column; and, from the rules cell B4 registered, which BUs' budget alerts
 * would fire. The workbook queries run exactly as `workbook.json` has them (placeholders filled,
 * parameters at their defaults), over the runs' time window.
 */
import { rowsOf } from '../common/kql-rows.js';
import { withDeadline } from '../common/operation-signal.js';
import { WorkbookError } from '../errors.js';
import { expectedLogCounts } from '../ledger/expected-logs.js';
import type { CostingTarget, KqlTable, OperationOptions } from '../target.js';
import { deployedWorkbook } from '../workbook/deployed-workbook.js';
import {
  declaredTileLabels,
  listWorkbookQueries,
  type WorkbookQuery,
} from '../workbook/list-queries.js';
import { evaluateBudgetAlerts, type BudgetAlertEvaluation } from './budget-alert-evaluation.js';
import { trafficToVerify } from './ingestion-polling.js';
import { runNotes } from './run-attribution.js';
import { compareTile, outcomeNotes, type CrossReferenceRow } from './tile-ranges.js';
import {
  CROSS_REFERENCE_ITEMS,
  tileTruths,
  type CrossReferenceItem,
  type TileTruth,
} from './tile-truths.js';

export type { CrossReferenceRow } from './tile-ranges.js';

/** What E3 found. */
export interface CrossReference {
  timespan: string;
  rows: CrossReferenceRow[];
  allMatch: boolean;
  /** `undefined` when cell B4 registered no rules. */
  budgetAlerts: BudgetAlertEvaluation[] | undefined;
  /** What to do when figures do not match yet. */
  hint: string | undefined;
  /** Which runs the ground truth sums, and the dead runs (named, with their unknown requests). */
  notes: string[];
}

/** How one item's result is read: the label column and the value column. */
export interface Reading {
  query: WorkbookQuery;
  labelColumn: string;
  valueColumn: string;
  /** Labels the query declares as literals (empty when they come from the data). */
  labels: string[];
}

/**
 * Finds each item E3 reads in the workbook, with its columns from the tile settings, and checks
 * that every tile E3 compares is one the item declares.
 * @throws {@link WorkbookError} naming an item or a tile the workbook lacks.
 */
export function tileReadings(
  queries: readonly WorkbookQuery[],
  truths: readonly TileTruth[],
): Map<string, Reading> {
  const out = new Map<string, Reading>();
  for (const want of CROSS_REFERENCE_ITEMS) {
    const query = queries.find((q) => q.name === want.item);
    if (!query)
      throw new WorkbookError(
        `workbook.json has no query item '${want.item}': cell E3 compares its figures; restore the item or rename it in lib/verify/tile-truths.ts.`,
      );
    out.set(want.item, readingOf(query, want));
  }
  for (const t of truths) {
    const reading = out.get(t.item);
    if (reading === undefined)
      throw new WorkbookError(
        `cell E3 compares item '${t.item}', which lib/verify/tile-truths.ts does not list in CROSS_REFERENCE_ITEMS.`,
      );
    if (reading.labels.length > 0 && !reading.labels.includes(t.tile))
      throw new WorkbookError(
        `workbook.json item '${t.item}' has no tile '${t.tile}' (it has ${reading.labels.map((l) => `'${l}'`).join(', ')}): cell E3 compares that tile; restore its label or rename it in lib/verify/tile-truths.ts.`,
      );
  }
  return out;
}

function readingOf(query: WorkbookQuery, want: CrossReferenceItem): Reading {
  const labelColumn =
    want.table?.labelColumn ?? query.content.tileSettings?.titleContent?.columnMatch;
  const valueColumn =
    want.table?.valueColumn ?? query.content.tileSettings?.leftContent?.columnMatch;
  if (labelColumn === undefined || valueColumn === undefined)
    throw new WorkbookError(
      `workbook.json item '${want.item}' has no tile settings (titleContent and leftContent columnMatch): cell E3 reads its tiles by them.`,
    );
  return {
    query,
    labelColumn,
    valueColumn,
    labels: want.dataLabels ? [] : declaredTileLabels(query.query),
  };
}

function valuesOf(table: KqlTable, reading: Reading): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rowsOf(table))
    out.set(String(r[reading.labelColumn]), Number(r[reading.valueColumn]));
  return out;
}

/**
 * Runs the workbook's headline queries over the runs and compares them with the ledger (E3).
 * @throws {@link WorkbookError} when a tile E3 checks is missing from `workbook.json`.
 * @example showCrossReference(await crossReference(target));
 */
export function crossReference(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<CrossReference> {
  return withDeadline('E3 cross-reference', options, (_signal, bounded) =>
    crossReferenceWithin(target, bounded),
  );
}

async function crossReferenceWithin(
  target: CostingTarget,
  options: OperationOptions,
): Promise<CrossReference> {
  const deployment = target.requireDeployment();
  const config = target.config;
  const { ledger, timespan } = await trafficToVerify(config, 'Traffic to cross-reference');
  const truths = tileTruths(expectedLogCounts(ledger), deployment, config);
  const byItem = tileReadings(listWorkbookQueries(deployedWorkbook(config, deployment)), truths);
  const query = { timespan, ...(options.signal ? { signal: options.signal } : {}) };
  const values = new Map<string, Map<string, number>>();
  for (const [item, reading] of byItem) {
    options.signal?.throwIfAborted();
    const result = await target.queryLogs(reading.query.query, query);
    if (result.status === 'success') values.set(item, valuesOf(result.table, reading));
  }
  const expected = expectedLogCounts(ledger);
  const rows = truths.map((t): CrossReferenceRow => {
    const got = values.get(t.item);
    // A BU with no AI traffic has no tile at all: the workbook shows it as 0.
    const wb =
      got === undefined
        ? null
        : (got.get(t.tile) ?? (byItem.get(t.item)!.labels.length === 0 ? 0 : null));
    return compareTile(t, wb, expected);
  });
  const allMatch = rows.every((r) => r.match);
  const notes = [
    ...runNotes(ledger, 'figures', (r) => expectedLogCounts({ ...ledger, runs: [r] }).gatewayRows),
    ...outcomeNotes(expected),
  ];
  const hint = allMatch
    ? undefined
    : config.target === 'azure'
      ? 'Azure Monitor ingests resource logs in about 3 to 10 minutes (a new workspace can take longer): run this cell again in a few minutes.'
      : 'The local logs should match exactly: a mismatch means the ledger and the logs disagree; re-run the traffic cells (C1-D2) and E1.';
  return {
    timespan,
    rows,
    allMatch,
    budgetAlerts: await evaluateBudgetAlerts(
      target,
      timespan,
      options.signal ? { signal: options.signal } : {},
    ),
    hint,
    notes,
  };
}
