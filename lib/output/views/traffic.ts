/**
 * Cells C1-D2's output: planned vs delivered per BU (and per caller), or why the cell skipped;
 * and plain tables of the ledger's runs and AI usage.
 */
import { isBuSubscription } from '../../artifacts/names.js';
import type { Ledger, TrafficCounts, TrafficSource } from '../../ledger/ledger-types.js';
import { TRAFFIC_SOURCES } from '../../ledger/ledger-types.js';
import { AI_MODES } from '../../traffic/ai-modes.js';
import { showMarkdown } from '../mime.js';
import { markdownCell } from '../tables.js';
import type { TrafficSummary, TrafficSummaryRow } from '../../traffic/session.js';

/** One row of {@link ledgerSummaryTable}: a source's totals. */
export interface LedgerSourceRow {
  source: TrafficSource;
  cell: string;
  status: string;
  planned: number;
  sent: number;
  delivered: number;
  succeeded: number;
  /** Non-2xx final statuses, e.g. `404:14, 429:2`. */
  failedByStatus: string;
  networkFailures: number;
  attempts: number;
  retries: number;
  totalTokens: number;
}

/** One row of {@link aiUsageTable}: a BU x model x mode cell. */
export interface AiUsageRow {
  bu: string;
  model: string;
  mode: number;
  modeLabel: string;
  requests: number;
  succeeded: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

function statusList(map: Record<string, number>): string {
  return Object.entries(map)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}:${v}`)
    .join(', ');
}

/**
 * One row per traffic source in the ledger, in cell order.
 * @example ledgerSummaryTable(await readLedger(config));
 */
export function ledgerSummaryTable(ledger: Ledger): LedgerSourceRow[] {
  const rows: LedgerSourceRow[] = [];
  for (const source of TRAFFIC_SOURCES) {
    const e = ledger.sources[source];
    if (!e) continue;
    const t: TrafficCounts = e.totals;
    rows.push({
      source,
      cell: e.cell,
      status: e.status,
      planned: t.planned,
      sent: t.sent,
      delivered: t.delivered,
      succeeded: t.succeeded,
      failedByStatus: statusList(t.failedByStatus),
      networkFailures: t.networkFailures,
      attempts: t.attempts,
      retries: t.retries,
      totalTokens: t.totalTokens,
    });
  }
  return rows;
}

/**
 * AI requests and client-side tokens per BU x model x mode (D1), sorted by BU, model, mode.
 * @example aiUsageTable(await readLedger(config));
 */
export function aiUsageTable(ledger: Ledger, source: 'ai' | 'mock-ai' = 'ai'): AiUsageRow[] {
  const e = ledger.sources[source];
  if (!e) return [];
  return e.byBuModelMode
    .map((c) => ({
      bu: c.bu,
      model: c.model,
      mode: c.mode,
      modeLabel: AI_MODES[c.mode]?.label ?? String(c.mode),
      requests: c.counts.sent,
      succeeded: c.counts.succeeded,
      promptTokens: c.counts.promptTokens,
      completionTokens: c.counts.completionTokens,
      totalTokens: c.counts.totalTokens,
    }))
    .sort((a, b) => a.bu.localeCompare(b.bu) || a.model.localeCompare(b.model) || a.mode - b.mode);
}

function markdownTable(
  rows: readonly TrafficSummaryRow[],
  title: string,
  withTokens: boolean,
): string {
  const head = [
    '',
    'planned',
    'sent',
    'delivered',
    'succeeded',
    'failed',
    'retries',
    ...(withTokens ? ['prompt tok', 'completion tok', 'total tok'] : []),
  ];
  const lines = [
    `| ${[markdownCell(title), ...head.slice(1)].join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const r of rows) {
    const cells = [
      r.group === 'total' ? '**total**' : markdownCell(r.group),
      r.planned,
      r.sent,
      r.delivered,
      r.succeeded,
      r.failed,
      r.retries,
    ];
    if (withTokens) cells.push(r.promptTokens, r.completionTokens, r.totalTokens);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * A markdown report of one traffic cell: a headline, then planned vs delivered per BU (and per
 * caller when the traffic carried callers).
 * @example showMarkdown(trafficSummaryMarkdown(await sendBuTraffic(target, config)));
 */
export function trafficSummaryMarkdown(summary: TrafficSummary): string {
  if (summary.status === 'skipped') return `**${summary.cell} skipped:** ${summary.reason ?? ''}`;
  const failed = statusList(summary.failedByStatus);
  const withTokens = summary.totals.totalTokens > 0;
  const parts = [
    `**${summary.cell}:** ${summary.delivered}/${summary.planned} delivered, ${summary.succeeded} succeeded` +
      `${failed ? `, failed by status ${failed}` : ''}${summary.networkFailures ? `, ${summary.networkFailures} network failures` : ''}` +
      `, ${summary.retries} retries, ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.requestsPerSecond} req/s)` +
      `${withTokens ? `, ${summary.totals.totalTokens} tokens` : ''}.`,
  ];
  // C2, C3 and D2 send with their API's own subscription, not a BU's: say which it is.
  const allBu = summary.byBu.every((r) => r.group === 'total' || isBuSubscription(r.group));
  if (summary.byBu.length > 0)
    parts.push(markdownTable(summary.byBu, allBu ? 'BU' : 'subscription', withTokens));
  if (summary.byCaller.length > 0)
    parts.push(markdownTable(summary.byCaller, 'caller', withTokens));
  return parts.join('\n\n');
}

/**
 * Shows a traffic cell's outcome: planned vs delivered per BU (and per caller), or why it skipped.
 * @example showTrafficSummary(await sendTraffic(target, 'bu', { onProgress: progressLine() }));
 */
export function showTrafficSummary(summary: TrafficSummary): void {
  showMarkdown(trafficSummaryMarkdown(summary));
}
