/**
 * Clean-up on the local target: what the data folder holds, listed (dry run) or deleted.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DATA_FILES } from '../artifacts/names.js';
import type { CleanUpItem } from '../target.js';

/** Every file below `dataDir`, as `CleanUpItem`s with the given action. */
export function listDataFolder(dataDir: string, action: CleanUpItem['action']): CleanUpItem[] {
  if (!existsSync(dataDir)) return [{ kind: 'data-dir', name: dataDir, action: 'already-gone' }];
  return listFiles(dataDir).map((rel) => ({ kind: kindOf(rel), name: rel, action }));
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) out.push(...listFiles(full, rel));
    else out.push(rel);
  }
  return out;
}

function kindOf(rel: string): string {
  if (rel.startsWith(`${DATA_FILES.logs}/`)) return 'log-table';
  // Azurite's account data: the cost export's files (and its own index of them).
  if (rel.startsWith('azurite/')) return 'cost-export-files';
  if (rel.startsWith('cost-management/')) return 'cost-export-definition';
  if (rel.startsWith('statements/')) return 'bill-statement';
  if (rel === DATA_FILES.keys) return 'subscription-keys';
  if (rel === DATA_FILES.skippedActions) return 'skipped-actions-record';
  if (rel.endsWith('.local.json')) return 'ledger';
  return 'file';
}
