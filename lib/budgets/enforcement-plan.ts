/**
 * Cell E5, second half: the reviewable enforcement plan. From a budget review it drafts, per BU
 * over budget, a suspended subscription, and per BU projected over budget, a lower token quota;
 * it changes nothing unless called with `apply: true`. Applying writes the proposed states
 * through the target, records before and after in the data folder
 * (`budget-enforcement.local.json`) and returns how to undo it; `undoEnforcement` puts the
 * recorded states back (clean-up calls it too).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buDisplayName, DATA_FILES } from '../artifacts/names.js';
import type { KitConfig } from '../config/types.js';
import { trackDataFile } from '../ledger/data-folder.js';
import { EnforcementRecordError } from '../errors.js';
import type { BuEnforcementState, CostingTarget, OperationOptions } from '../target.js';
import type { BudgetReview, BuBudgetReview } from './review-budgets.js';
import { usd } from '../common/money.js';

/** One drafted change: a BU, its state now, the proposal and why. */
export interface PlanChange {
  bu: string;
  displayName: string;
  current: BuEnforcementState;
  proposed: BuEnforcementState;
  why: string;
}

export interface EnforcementPlanOptions extends OperationOptions {
  /** Perform the changes; without it the plan is only drafted. @default false */
  apply?: boolean;
}

/** The plan, and what applying it did. */
export interface EnforcementPlan {
  changes: PlanChange[];
  applied: boolean;
  /** The record of an applied plan (in the data folder), when applied. */
  recordFile: string | undefined;
  /** How to undo an applied plan, one line. */
  undo: string | undefined;
}

/** What an undo put back. */
export interface EnforcementUndo {
  restored: BuEnforcementState[];
  recordFile: string;
}

/**
 * Drafts (and with `apply: true` performs) the enforcement plan of a budget review.
 * @example kit.showEnforcementPlan(await kit.planEnforcement(target, review, { apply: false }));
 */
export async function planEnforcement(
  target: CostingTarget,
  review: BudgetReview,
  options: EnforcementPlanOptions = {},
): Promise<EnforcementPlan> {
  const changes = review.businessUnits.flatMap((b) => {
    const c = draftChange(b);
    return c ? [c] : [];
  });
  if (!options.apply || changes.length === 0)
    return { changes, applied: false, recordFile: undefined, undo: undefined };
  options.onProgress?.({ message: `Applying ${changes.length} change(s)` });
  await target.writeEnforcement(
    changes.map((c) => c.proposed),
    options,
  );
  const file = recordPath(target.config);
  mkdirSync(path.dirname(file), { recursive: true });
  // Written to a temporary file, then renamed: a crash never leaves half a record.
  writeFileSync(
    `${file}.tmp`,
    `${JSON.stringify({ version: 1, appliedAt: new Date().toISOString(), changes }, null, 2)}\n`,
  );
  renameSync(`${file}.tmp`, file);
  trackDataFile(target.config.local.dataDir, file);
  return {
    changes,
    applied: true,
    recordFile: file,
    undo: 'kit.undoEnforcement(target) puts every changed BU back as it was (clean-up.ipynb does too).',
  };
}

/**
 * Puts back what the last applied plan changed, and removes its record.
 * @throws {@link EnforcementRecordError} when no applied plan is recorded.
 */
export async function undoEnforcement(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<EnforcementUndo> {
  const file = recordPath(target.config);
  const record = readRecord(file);
  if (!record)
    throw new EnforcementRecordError(
      `No applied enforcement plan is recorded in ${file}: nothing to undo (run cell E5 with apply: true first).`,
    );
  const restored = await target.writeEnforcement(
    record.changes.map((c) => c.current),
    options,
  );
  rmSync(file, { force: true });
  return { restored, recordFile: file };
}

/** What clean-up found of an applied plan, and whether it put the BUs back. */
export interface EnforcementRestore {
  /** The recorded changes (empty when no plan was applied). */
  changes: PlanChange[];
  /** `would-restore` on a dry run, `restored` after, `nothing` when no plan is recorded. */
  action: 'would-restore' | 'restored' | 'nothing';
}

/**
 * Clean-up's step for an applied plan: lists (dry run, the default) or undoes what it changed.
 * @example kit.showEnforcementRestore(await kit.restoreEnforcement(target, { dryRun: false }));
 */
export async function restoreEnforcement(
  target: CostingTarget,
  options: OperationOptions & { dryRun?: boolean } = {},
): Promise<EnforcementRestore> {
  const changes = appliedEnforcement(target.config) ?? [];
  if (changes.length === 0) return { changes, action: 'nothing' };
  if (options.dryRun ?? true) return { changes, action: 'would-restore' };
  await undoEnforcement(target, options);
  return { changes, action: 'restored' };
}

/** The changes of the recorded applied plan, if there is one (clean-up restores them). */
export function appliedEnforcement(config: KitConfig): PlanChange[] | undefined {
  return readRecord(recordPath(config))?.changes;
}

// --- Internal helpers ---

function recordPath(config: KitConfig): string {
  return path.resolve(config.local.dataDir, DATA_FILES.enforcement);
}

function readRecord(file: string): { changes: PlanChange[] } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as { changes?: unknown };
    if (!Array.isArray(v.changes)) throw new Error('no changes list');
    return { changes: v.changes as PlanChange[] };
  } catch (cause) {
    throw new EnforcementRecordError(
      `The enforcement record ${file} cannot be read (${(cause as Error).message}); fix or delete it.`,
      { cause },
    );
  }
}

/** The change for one BU, or none: suspend when over budget, lower the quota when projected over. */
function draftChange(b: BuBudgetReview): PlanChange | undefined {
  const current = b.enforcement;
  const f = b.forecast;
  if (!current || f.budgetUsd === undefined || current.state === 'suspended') return undefined;
  const base = { bu: b.bu, displayName: buDisplayName(b.bu), current };
  if (f.overBudget)
    return {
      ...base,
      proposed: { ...current, state: 'suspended' },
      why: `month to date ${usd(f.monthToDateUsd)} (${b.source}) has reached the budget ${usd(f.budgetUsd)}`,
    };
  if (!f.alert) return undefined;
  // Keep the rest of the month's tokens to the share of the projected spend the budget still covers.
  const daysLeft = f.daysInMonth - f.daysElapsed;
  const tokensPerDay = b.monthTokens / Math.max(1, f.daysElapsed);
  const covered =
    (f.budgetUsd - f.monthToDateUsd) / Math.max(1e-9, f.projectedUsd - f.monthToDateUsd);
  const quota = Math.max(1, Math.floor(b.monthTokens + tokensPerDay * daysLeft * covered));
  if (
    current.tokenQuota !== undefined &&
    current.tokenQuotaPeriod === 'Monthly' &&
    current.tokenQuota <= quota
  )
    return undefined;
  return {
    ...base,
    proposed: { ...current, tokenQuota: quota, tokenQuotaPeriod: 'Monthly' },
    why: `projected ${usd(f.projectedUsd)} by month end passes the budget ${usd(f.budgetUsd)}${f.projectedCrossingDay !== undefined ? ` around day ${f.projectedCrossingDay}` : ''}; ${usd(f.monthToDateUsd)} spent so far`,
  };
}
