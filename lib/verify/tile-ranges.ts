/**
 * How E3 reads one tile beside its truth, and what it says about outcomes the workbook shows
 * differently from the ledger. A tile is exact unless a dead run left attempts without an outcome
 * that could land in it: then it must lie in the range the ledger allows (`tile-truths.ts`), and
 * the row names the run. Client timeouts and cut streams are predicted exactly; the notes say how
 * the workbook counts them.
 */
import type { ExpectedLogCounts } from '../ledger/expected-logs.js';
import type { TileTruth } from './tile-truths.js';

/** One tile: the ledger's figure beside the workbook's. */
export interface CrossReferenceRow {
  tile: string;
  /** Workbook query item the figure comes from. */
  query: string;
  groundTruth: number;
  workbook: number | null;
  match: boolean;
  /**
   * When the tile can hold rows a dead run may have left without an outcome in the ledger: which
   * run, and the range allowed. Such a row matches when the figure is in that range.
   */
  explainedBy?: string;
}

function show(n: number, cost: boolean): string {
  if (!Number.isFinite(n)) return 'any more';
  return cost ? n.toFixed(6) : String(n);
}

/** The dead runs behind a ledger's unsure rows, named, and how many requests they left open. */
export function unsureRuns(expected: ExpectedLogCounts): { names: string; requests: number } {
  const runs = new Map<string, string>();
  let requests = 0;
  for (const u of expected.uncertainRows) {
    runs.set(u.runId, `${u.cell} run ${u.runId}`);
    requests += u.requests;
  }
  return { names: [...runs.values()].join(', '), requests };
}

/**
 * Compares one tile: exact (within the cost tolerance) when nothing unsure can land in it, else
 * within `[low, high]`, naming the dead run.
 * @example compareTile({ item: 'overview-headline', tile: 'BU requests', truth: 5, tolerance: 0, high: 7 }, 6, expected)
 */
export function compareTile(
  t: TileTruth,
  workbook: number | null,
  expected: ExpectedLogCounts,
): CrossReferenceRow {
  const low = t.low ?? t.truth;
  const high = t.high ?? t.truth;
  const row: CrossReferenceRow = {
    tile: t.tile,
    query: t.item,
    groundTruth: t.truth,
    workbook,
    match: workbook !== null && workbook >= low - t.tolerance && workbook <= high + t.tolerance,
  };
  if (row.match && (t.low !== undefined || t.high !== undefined)) {
    const cost = t.tolerance > 0;
    const { names, requests } = unsureRuns(expected);
    const range = Number.isFinite(high)
      ? `${show(low, cost)} to ${show(high, cost)}`
      : `at least ${show(low, cost)}`;
    const diff = workbook! - t.truth;
    const arrived = cost || !Number.isFinite(high) ? '' : `; ${diff} such row(s) are in the logs`;
    row.explainedBy = `${names} died with ${requests} request(s) that may be in the logs without an outcome, so this tile may show ${range}${arrived}`;
  }
  return row;
}

/** What E3 says about outcomes the workbook counts its own way: client timeouts and cut streams. */
export function outcomeNotes(expected: ExpectedLogCounts): string[] {
  const notes: string[] = [];
  for (const t of expected.clientTimeouts) {
    const after = String(Number((t.afterMs / 1000).toFixed(1)));
    let text =
      `${t.cell} run ${t.runId}: ${t.requests} request(s) timed out on the client after ${after} s ` +
      `(${t.attemptsWithoutHead} attempt(s) gave up before any response). The gateway logged each of those attempts anyway ` +
      `(ResponseCode 0, LastErrorReason ClientConnectionFailure), so the workbook counts them in BU requests, AI requests, ` +
      `the per-BU tiles and the cost shares, but in none of Successful (2xx), Client Errors (4xx) or Server Errors (5xx); ` +
      `the ledger records them as timed-out and predicts those rows`;
    if (t.attemptsAfterHead > 0)
      text += `; ${t.attemptsAfterHead} attempt(s) timed out after the head and are logged with the status already sent`;
    notes.push(`${text}.`);
  }
  for (const c of expected.streamCuts) {
    const codes = Object.keys(c.byStatus).join('/');
    notes.push(
      `${c.cell} run ${c.runId}: ${c.requests} stream(s) were cut mid-way after a ${codes} head. The gateway logged them with ` +
        `that status (the head had gone out, as on APIM), so the workbook counts ${c.buRequests} of them as Successful (all 2xx) ` +
        `and, with no tokens in the LLM log, as Successful (no tokens); the ledger records them as stream-cut, not succeeded.`,
    );
  }
  return notes;
}
