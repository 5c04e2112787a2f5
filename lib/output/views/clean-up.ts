/**
 * `clean-up.ipynb`'s output: what clean-up found and what it did (or would do) with each item.
 */
import type { CleanUpItem } from '../../target.js';
import { showTable } from '../tables.js';

/** Shows a clean-up listing or result. */
export function showCleanUp(items: CleanUpItem[]): void {
  showTable(
    {
      columns: ['Kind', 'Name', 'Action', 'Reason'],
      rows: items.map((i) => [i.kind, i.name, i.action, i.reason ?? '']),
    },
    {
      title: items.some((i) => i.action === 'would-delete')
        ? 'Clean-up (dry run): what would be deleted'
        : 'Clean-up',
    },
  );
}
