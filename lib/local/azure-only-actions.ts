/**
 * What the local target does for the actions only Azure can perform (the Cost Management export,
 * Azure Monitor alerts): it changes nothing, records what it would have done in the data folder,
 * and returns a `skipped` outcome the cell shows in one line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DATA_FILES } from '../artifacts/names.js';
import { trackDataFile } from '../ledger/data-folder.js';
import type { KitConfig } from '../config/types.js';
import type { ActionOutcome } from '../target.js';

/** One recorded action: what it would have done, and why it did not. */
export interface SkippedAction {
  action: string;
  at: string;
  reason: string;
  wouldHaveDone: string;
}

/** Records `action` as skipped (replacing an earlier record of it) and returns the outcome. */
export function recordSkippedAction(
  dataDir: string,
  action: string,
  reason: string,
  wouldHaveDone: string,
): ActionOutcome {
  const file = path.join(dataDir, DATA_FILES.skippedActions);
  let entries: SkippedAction[] = [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (Array.isArray(parsed)) entries = parsed as SkippedAction[];
  } catch {
    // No record yet (or an unreadable one): start a new list.
  }
  entries = entries.filter((e) => e?.action !== action);
  entries.push({ action, at: new Date().toISOString(), reason, wouldHaveDone });
  mkdirSync(dataDir, { recursive: true });
  trackDataFile(dataDir, file);
  writeFileSync(file, JSON.stringify(entries, null, 2) + '\n');
  return { status: 'skipped', reason, wouldHaveDone };
}

/** The three Azure-only actions of cells B2-B4, as the local target answers them. */
export function localAzureOnlyActions(
  config: KitConfig,
  dataDir: string,
  storage: { container: string },
): {
  createCostExport(): ActionOutcome;
  runCostExport(): ActionOutcome;
  createBudgetAlerts(): ActionOutcome;
} {
  const rg = config.deployment.resourceGroup;
  return {
    createCostExport: () =>
      recordSkippedAction(
        dataDir,
        'createCostExport',
        'The local target has no Cost Management; nothing was exported.',
        `Create a ${config.governance.costExportFrequency} Cost Management export of ${rg} to storage container ${storage.container}, with a system-assigned identity granted Storage Blob Data Contributor.`,
      ),
    runCostExport: () =>
      recordSkippedAction(
        dataDir,
        'runCostExport',
        'The local target has no Cost Management; no export ran.',
        `Run the Cost Management export of ${rg} once now.`,
      ),
    createBudgetAlerts: () => {
      const email = config.governance.alertEmail ? ` emailing ${config.governance.alertEmail}` : '';
      const bus = config.businessUnits.map((b) => b.name);
      return recordSkippedAction(
        dataDir,
        'createBudgetAlerts',
        'The local target has no Azure Monitor alerts; none were created.',
        `Create an action group${email} and ${bus.length} scheduled query alerts (one per BU: ${bus.join(', ')}) firing above ${config.governance.alertThreshold} requests in the last hour, evaluated every 5 minutes.`,
      );
    },
  };
}
