/**
 * Clean-up on the local target: what kind of thing each file the kit wrote in the data folder is.
 */
import { DATA_FILES } from '../artifacts/names.js';

/** The clean-up kind of a file in the data folder (relative path). */
export function dataFileKind(rel: string): string {
  if (rel.startsWith(`${DATA_FILES.logs}/`)) return 'log-table';
  if (rel.startsWith(`${DATA_FILES.runs}/`)) return 'run-journal';
  if (rel === DATA_FILES.keys) return 'subscription-keys';
  if (rel === DATA_FILES.skippedActions) return 'skipped-actions-record';
  if (rel === DATA_FILES.lock) return 'kernel-lock';
  if (rel === DATA_FILES.manifest) return 'kit-file-list';
  if (rel.endsWith('.local.json')) return 'ledger';
  return 'file';
}
