/**
 * Clean-up on the local target: what kind of thing each file the kit wrote in the data folder is.
 */
import { existsSync } from 'node:fs';
import { DATA_FILES } from '../artifacts/names.js';
import { releaseDataFolder, removeTrackedFiles, trackDataFolder } from '../ledger/data-folder.js';
import type { CleanUpItem } from '../target.js';

/** Data-folder sub-folders whose files the kit makes through other programs or phases. */
const KIT_FOLDERS = ['azurite', 'cost-management', 'statements'] as const;

/**
 * Folders other writers fill for the kit (Azurite, the emulated Cost Management, E4's
 * statements): clean-up removes them with the rest of what the kit made.
 */
export function trackKitFolders(dataDir: string): void {
  for (const folder of KIT_FOLDERS) trackDataFolder(dataDir, folder);
}

/**
 * Only the files the kit wrote (its manifest), then the folder if nothing else is left; on a
 * real run the data folder's lock goes too.
 */
export function cleanUpDataFolder(dataDir: string, dryRun: boolean): CleanUpItem[] {
  if (!existsSync(dataDir)) return [{ kind: 'data-dir', name: dataDir, action: 'already-gone' }];
  const items: CleanUpItem[] = removeTrackedFiles(dataDir, dryRun).map((f) => ({
    kind: dataFileKind(f.name),
    name: f.name,
    action: f.action,
    ...(f.reason ? { reason: f.reason } : {}),
  }));
  if (!dryRun) releaseDataFolder(dataDir);
  return items;
}

/** The clean-up kind of a file in the data folder (relative path). */
export function dataFileKind(rel: string): string {
  if (rel.startsWith(`${DATA_FILES.logs}/`)) return 'log-table';
  // Azurite's account data: the cost export's files (and its own index of them).
  if (rel.startsWith('azurite/')) return 'cost-export-files';
  if (rel.startsWith('cost-management/')) return 'cost-export-definition';
  if (rel.startsWith('statements/')) return 'bill-statement';
  if (rel.startsWith(`${DATA_FILES.runs}/`)) return 'run-journal';
  if (rel === DATA_FILES.keys) return 'subscription-keys';
  if (rel === DATA_FILES.skippedActions) return 'skipped-actions-record';
  if (rel === DATA_FILES.lock) return 'kernel-lock';
  if (rel === DATA_FILES.manifest) return 'kit-file-list';
  if (rel.endsWith('.local.json')) return 'ledger';
  return 'file';
}
