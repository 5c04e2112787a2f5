/**
 * Cell E4's output: the statement per BU (table and a stacked bar of actual cost by service with
 * the list-price estimate beside it), the shared lines, the unallocated remainder with its
 * reasons, and where the statement file is.
 */
import type { BillStatement } from '../../bill/allocate-bill.js';
import { showChart } from '../charts.js';
import { showMarkdown } from '../mime.js';
import { showTable } from '../tables.js';
import { usd } from '../../common/money.js';

/** Shows the allocated bill (E4). */
export function showBill(bill: BillStatement): void {
  showMarkdown(
    `**E4 Allocate the bill:** export ${bill.exportName}, run ${bill.runId} (${bill.period.start.slice(0, 10)} to ${bill.period.end.slice(0, 10)}), ` +
      `file total ${usd(bill.fileTotalUsd)} = allocated ${usd(bill.allocatedUsd)} + shared ${usd(bill.sharedUsd)} + unallocated ${usd(bill.unallocatedUsd)}` +
      (bill.excludedRows > 0
        ? `; ${bill.excludedRows} rows of other resource groups left out`
        : '') +
      (bill.runsInProgress > 0
        ? `; ${bill.runsInProgress} newer run(s) still being written were not read`
        : '') +
      '.',
  );
  showTable(
    {
      columns: [
        'BU',
        'Actual (USD)',
        'Estimate at list price (USD)',
        'Variance (USD)',
        'By service',
      ],
      rows: bill.byBu.map((b) => [
        b.displayName,
        b.actualUsd.toFixed(2),
        b.estimateUsd.toFixed(2),
        b.varianceUsd.toFixed(2),
        Object.entries(b.byService)
          .map(([s, v]) => `${s} ${usd(v)}`)
          .join(', '),
      ]),
    },
    { title: 'Statement per business unit (month to date)' },
  );
  const services = [...new Set(bill.byBu.flatMap((b) => Object.keys(b.byService)))].sort();
  showChart({
    data: [
      ...services.map((s) => ({
        type: 'bar',
        name: `Actual: ${s}`,
        x: bill.byBu.map((b) => b.displayName),
        y: bill.byBu.map((b) => b.byService[s] ?? 0),
      })),
      {
        type: 'scatter',
        mode: 'markers',
        name: 'Estimate at list price',
        marker: { symbol: 'diamond', size: 12 },
        x: bill.byBu.map((b) => b.displayName),
        y: bill.byBu.map((b) => b.estimateUsd),
      },
    ],
    layout: {
      title: { text: 'Actual allocated cost vs list-price estimate per BU (USD)' },
      barmode: 'stack',
      margin: { t: 48, l: 60, r: 20, b: 60 },
    },
  });
  showTable(
    {
      columns: ['Not allocated to a BU', 'Why', 'USD'],
      rows: [
        ...bill.unallocated.map((u) => ['unallocated', u.reason, u.actualUsd.toFixed(2)]),
        ...bill.shared.map((s) => ['shared', s.name, s.actualUsd.toFixed(2)]),
      ],
    },
    { title: 'Remainder with its reasons' },
  );
  showMarkdown(
    `Statement file (FOCUS with the allocation columns): \`${bill.statementFile}\`. ${bill.ingestion.status === 'done' ? bill.ingestion.summary : `Custom table: skipped: ${bill.ingestion.reason}`}`,
  );
}
