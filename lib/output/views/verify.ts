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
  showTable(v.ingestion, { title: 'Log ingestion (every run in the window)' });
  showRuns(v);
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

/** Shows E2: the per-caller table and chart, and the AI APIs' token-metric check. */
export function showMetricsVerification(v: MetricsVerification): void {
  showTable(v.ingestion, { title: 'caller-requests metric ingestion (every run in the window)' });
  if (v.notes.length > 0) showMarkdown(v.notes.map((n) => `- ${n}`).join('\n'));
  showChart(
    barFigure(v.perCaller, {
      x: 'Caller',
      y: ['Requests'],
      title: 'Requests per caller (caller-requests metric: Entra ID and AI APIs)',
    }),
  );
  showChart(
    pieFigure(v.perCaller, { x: 'Caller', y: ['Requests'], title: 'Share of caller requests' }),
  );
  showTable(v.perCaller, { title: 'Requests per caller, API and operation' });
  showTable(
    {
      columns: ['AI API', 'Ledger (D1, D2)', 'caller-requests rows', 'Match'],
      rows: v.aiApis.map((a) => [a.api, a.expected, a.received, a.match ? 'match' : 'MISMATCH']),
    },
    {
      title: `Token-metric check: caller-requests of the AI APIs (${v.aiApis.filter((a) => a.match).length}/${v.aiApis.length} match)`,
    },
  );
  if (v.aiIngestion.rows.length > 0)
    showTable(v.aiIngestion, {
      title:
        'AI APIs: caller-requests per API and operation (kql/token-metric-ingestion-check.kql)',
    });
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
        r.explainedBy !== undefined ? `match (${r.explainedBy})` : r.match ? 'match' : 'MISMATCH',
      ]),
    },
    {
      title: `Ledger vs workbook tiles (${x.rows.filter((r) => r.match).length}/${x.rows.length} match)`,
    },
  );
  if (x.notes.length > 0) showMarkdown(x.notes.map((n) => `- ${n}`).join('\n'));
  if (x.hint) showMarkdown(`**Not all tiles match yet.** ${x.hint}`);
  if (x.budgetAlerts === undefined) {
    showMarkdown('No budget-alert rules were registered: run cell B4 to see which BUs would fire.');
    return;
  }
  showTable(
    {
      columns: [
        'Business unit',
        'Most requests in a rolling hour',
        'At evaluation',
        'Threshold',
        'Would fire',
      ],
      rows: x.budgetAlerts.map((a) => [
        a.bu,
        a.maxWindowRequests,
        a.peakAt ?? '-',
        a.threshold,
        a.wouldFire ? `yes (${a.firstFiringAt ?? ''})` : 'no',
      ]),
    },
    {
      title: `Budget alerts (B4's rule per BU): ${x.budgetAlerts.filter((a) => a.wouldFire).length} would fire, replayed every 5 minutes over the last hour (${x.budgetAlerts[0]?.evaluations ?? 0} evaluations)`,
    },
  );
}

/** E1's gateway rows run by run, and the notes on earlier, dead and unexplained rows. */
function showRuns(v: LogsVerification): void {
  showTable(
    {
      columns: ['Cell', 'Run', 'Status', 'Started', 'Gateway rows (ledger)', 'Gateway rows (logs)'],
      rows: v.runs.runs.map((r) => [
        r.cell,
        r.runId,
        r.status === 'died' ? `died (${r.inFlightAtDeath ?? 0} in flight)` : r.status,
        r.startedAt,
        r.expectedRows,
        r.foundRows,
      ]),
    },
    {
      title: `Gateway rows by run (CorrelationId): ${v.runs.unexplainedRows} row(s) no run explains`,
    },
  );
  if (v.runs.notes.length > 0) showMarkdown(v.runs.notes.map((n) => `- ${n}`).join('\n'));
}
