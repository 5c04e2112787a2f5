/**
 * The budget-alert rules cell B4 registered, kept in the data folder so cell E3 can evaluate each
 * BU's rule over the traffic runs (on Azure too: the portal shows the real alerts).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DATA_FILES } from '../artifacts/names.js';
import { trackDataFile } from './data-folder.js';
import type { KitConfig } from '../config/types.js';
import { LedgerError } from '../errors.js';

/**
 * The schedule of every budget-alert rule, as the original sample's: each rule runs every 5
 * minutes and counts the rolling hour before it (Azure's `evaluationFrequency` and `windowSize`;
 * cell E3 replays the same schedule).
 */
export const BUDGET_ALERT_SCHEDULE = {
  evaluationFrequency: 'PT5M',
  windowSize: 'PT1H',
  everyMs: 5 * 60_000,
  windowMs: 60 * 60_000,
} as const;

/** The rules B4 created (or, on the local target, would have created). */
export interface RegisteredBudgetAlerts {
  /** Requests per BU in the alert's window. */
  threshold: number;
  businessUnits: string[];
  registeredAt: string;
}

function rulesFile(config: Pick<KitConfig, 'local'>): string {
  return path.resolve(config.local.dataDir, DATA_FILES.budgetAlerts);
}

/** Records the rules B4 created. */
export function recordBudgetAlerts(
  config: Pick<KitConfig, 'local'>,
  rules: RegisteredBudgetAlerts,
): void {
  mkdirSync(config.local.dataDir, { recursive: true });
  trackDataFile(config.local.dataDir, rulesFile(config));
  writeFileSync(rulesFile(config), `${JSON.stringify(rules, null, 2)}\n`);
}

/** Removes B4's record (alerts turned off). */
export function forgetBudgetAlerts(config: Pick<KitConfig, 'local'>): void {
  rmSync(rulesFile(config), { force: true });
}

/**
 * The rules B4 registered, or `undefined` when it registered none.
 * @throws {@link LedgerError} naming the file and cell B4 when the record is not B4's.
 */
export function readBudgetAlerts(
  config: Pick<KitConfig, 'local'>,
): RegisteredBudgetAlerts | undefined {
  const file = rulesFile(config);
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const what =
      error instanceof SyntaxError
        ? 'is not valid JSON'
        : (error as NodeJS.ErrnoException).code === 'EISDIR'
          ? 'is a folder, not a file'
          : `cannot be read (${(error as Error).message})`;
    throw new LedgerError(
      `The budget-alert record ${file} ${what}: delete it and run cell B4 again to rewrite it.`,
      { cause: error },
    );
  }
  const v = value as Partial<RegisteredBudgetAlerts> | null;
  if (
    v === null ||
    typeof v !== 'object' ||
    typeof v.threshold !== 'number' ||
    !Number.isFinite(v.threshold) ||
    !Array.isArray(v.businessUnits) ||
    !v.businessUnits.every((b) => typeof b === 'string') ||
    typeof v.registeredAt !== 'string'
  ) {
    throw new LedgerError(
      `The budget-alert record ${file} is not one cell B4 wrote (it needs threshold, businessUnits and registeredAt): delete it and run cell B4 again to rewrite it.`,
    );
  }
  return { threshold: v.threshold, businessUnits: v.businessUnits, registeredAt: v.registeredAt };
}
