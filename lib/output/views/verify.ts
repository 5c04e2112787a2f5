/**
 * Cells E1-E3's output: ingestion, requests, cost and tokens per BU (E1); requests per caller
 * (E2); the ledger beside the workbook's tiles and the budget-alert evaluation (E3).
 */
import { withColumn } from '../../common/kql-rows.js';
import type { CrossReference } from '../../verify/cross-reference.js';
import type { LogsVerification } from '../../verify/verify-logs.js';
import type { MetricsVerification } from '../../verify/verify-metrics.js';
import { barFigure, pieFigure, showChart } from '../charts.js';
import { showMarkdown } from '../mime.js';
import { showTable } from '../tables.js';

/** Shows E1: ingestion, requests and cost per BU, tokens per BU and model, tokens per model and mode. */
export function showLogsVerification(v: LogsVerification): void {
  showTable(v.ingestion, { title: 'Log ingestion (this run)' });
  showChart(
    barFigure(v.requestsPerBu, {
      x: 'BusinessUnit',
      y: ['Requests'],
      title: 'Gateway requests per business unit',
    }),
  );
  showChart(
    barFigure(v.requestsPerBu, {
      x: 'BusinessUnit',
      y: ['BaseCost', 'VariableCost'],
      stacked: true,
      title: 'Cost allocation per business unit (USD/month, estimate): base share + variable',
    }),
  );
  showTable(v.requestsPerBu, {
    title: 'Cost allocation per business unit (kql/cost-allocation-subscription.kql)',
  });
  if (v.tokenUsage.rows.length === 0) return;
  showChart(
    barFigure(v.tokenUsage, {
      x: 'BusinessUnit',
      y: ['TotalTokens'],
      series: 'Model',
      stacked: true,
      title: 'Tokens per business unit and model (LLM log)',
    }),
  );
  const withMode = withColumn(
    v.tokenUsage,
    { name: 'Mode', type: 'string' },
    (r) => `${String(r.ApiSurface)} · ${String(r.DeliveryMode)} (${String(r.UsageSource)})`,
  );
  showChart(
    barFigure(withMode, {
      x: 'Model',
      y: ['Requests'],
      series: 'Mode',
      stacked: true,
      title: 'AI requests per model and mode (API surface, delivery, usage source)',
    }),
  );
  showTable(v.tokenUsage, {
    title: 'Tokens per BU, model, API surface and delivery mode (kql/bu-token-usage.kql)',
  });
}

/** Shows E2: the per-caller table and chart. */
export function showMetricsVerification(v: MetricsVerification): void {
  showTable(v.ingestion, { title: 'caller-requests metric ingestion (this run)' });
  showChart(
    barFigure(v.perCaller, {
      x: 'Caller',
      y: ['Requests'],
      title: 'Requests per Entra ID caller (caller-requests metric)',
    }),
  );
  showChart(
    pieFigure(v.perCaller, { x: 'Caller', y: ['Requests'], title: 'Share of caller requests' }),
  );
  showTable(v.perCaller, { title: 'Requests per caller, API and operation' });
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
    return;
  }
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
