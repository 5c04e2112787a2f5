/**
 * Which runs the logs' rows belong to. The ledger keeps every run, and the logs keep every run's
 * rows, so E1-E3 expect the sum over every run in the window. Gateway rows are tied to their run
 * one to one: each attempt's `requestId` is the gateway's `x-ms-request-id`, the row's
 * `CorrelationId` (a standard column of `ApiManagementGatewayLogs` on Azure as locally), so a
 * row that no run's records name is one no run explains. That works the same on Azure, where
 * rows of earlier runs stay and later ones arrive late.
 */
import { rowsOf } from '../common/kql-rows.js';
import { expectedLogCounts } from '../ledger/expected-logs.js';
import type { Ledger, LedgerEntry } from '../ledger/ledger-types.js';
import type { CostingTarget } from '../target.js';

/** One run beside the rows found for it. */
export interface RunRows {
  runId: string;
  cell: string;
  status: string;
  startedAt: string;
  /** Gateway rows the run's records predict. */
  expectedRows: number;
  /** Gateway rows whose `CorrelationId` one of the run's attempts returned. */
  foundRows: number;
  /** `died` runs: requests that had started and have no outcome in the ledger. */
  inFlightAtDeath?: number;
}

/** What the gateway log's rows are, run by run. */
export interface RunAttribution {
  runs: RunRows[];
  /** Rows whose `CorrelationId` no run recorded. */
  unexplainedRows: number;
  /** One line per thing a reader should know: earlier runs counted, dead runs, unexplained rows. */
  notes: string[];
}

/** Runs that sent something (skipped runs add no rows). */
export function countedRuns(ledger: Ledger): LedgerEntry[] {
  return ledger.runs.filter((r) => r.status !== 'skipped');
}

/** Requests that may be in the logs without an outcome in the ledger, over the dead runs. */
export function diedInFlight(ledger: Ledger): { runs: LedgerEntry[]; requests: number } {
  const runs = ledger.runs.filter((r) => r.status === 'died');
  return { runs, requests: runs.reduce((n, r) => n + (r.inFlightAtDeath ?? 0), 0) };
}

function runName(r: Pick<LedgerEntry, 'cell' | 'runId' | 'status'>): string {
  return `${r.cell} run ${r.runId ?? '(legacy)'} (${r.status})`;
}

/** The lines that say which runs a figure sums and which dead runs leave requests unknown. */
export function runNotes(
  ledger: Ledger,
  what: string,
  perRun: (r: LedgerEntry) => number,
): string[] {
  const runs = countedRuns(ledger);
  const notes: string[] = [];
  const bySource = new Map<string, number>();
  for (const r of runs) bySource.set(r.source, (bySource.get(r.source) ?? 0) + 1);
  if (runs.length > new Set(runs.map((r) => r.source)).size) {
    notes.push(
      `The window holds ${runs.length} runs; the logs keep every run's rows, so the expected ${what} is their sum: ${runs
        .map((r) => `${runName(r)} ${perRun(r)}`)
        .join(', ')}.`,
    );
  }
  const died = diedInFlight(ledger);
  for (const r of died.runs)
    notes.push(
      `${runName(r)}: its kernel went away mid-run; ${r.inFlightAtDeath ?? 0} of its requests were in flight, so up to ${r.inFlightAtDeath ?? 0} gateway row(s) may be in the logs without an outcome in the ledger.`,
    );
  return notes;
}

/**
 * Counts the window's gateway rows per run by `CorrelationId`, and the rows no run explains.
 * @example const a = await attributeGatewayRows(target, ledger, timespan);
 */
export async function attributeGatewayRows(
  target: Pick<CostingTarget, 'queryLogs'>,
  ledger: Ledger,
  timespan: string,
  signal?: AbortSignal,
): Promise<RunAttribution> {
  const owner = new Map<string, number>();
  const runs = countedRuns(ledger);
  runs.forEach((run, i) => {
    for (const rec of run.requests)
      for (const a of rec.attempts) if (a.requestId) owner.set(a.requestId.toLowerCase(), i);
  });
  const result = await target.queryLogs(
    'ApiManagementGatewayLogs | summarize Rows = count() by CorrelationId',
    { timespan, ...(signal ? { signal } : {}) },
  );
  const found = runs.map(() => 0);
  let unexplained = 0;
  for (const row of rowsOf(result.table)) {
    const n = Number(row.Rows) || 0;
    const i = owner.get(String(row.CorrelationId ?? '').toLowerCase());
    if (i === undefined) unexplained += n;
    else found[i] = (found[i] ?? 0) + n;
  }
  const out: RunRows[] = runs.map((r, i) => {
    const row: RunRows = {
      runId: r.runId ?? `${r.source}-legacy`,
      cell: r.cell,
      status: r.status,
      startedAt: r.startedAt,
      expectedRows: expectedLogCounts({ ...ledger, runs: [r] }).gatewayRows,
      foundRows: found[i] ?? 0,
    };
    if (r.inFlightAtDeath !== undefined) row.inFlightAtDeath = r.inFlightAtDeath;
    return row;
  });
  const byRun = new Map(out.map((r) => [r.runId, r.expectedRows]));
  const notes = runNotes(
    ledger,
    'gateway rows',
    (r) => byRun.get(r.runId ?? `${r.source}-legacy`) ?? 0,
  );
  if (unexplained > 0) {
    const died = diedInFlight(ledger).requests;
    notes.push(
      `${unexplained} gateway row(s) in the window carry a CorrelationId that no run in the ledger recorded` +
        (died > 0
          ? `; up to ${died} of them can be requests a dead run had in flight, the rest came from traffic the kit did not send.`
          : ': traffic the kit did not send (another client of this gateway), or a ledger replaced since.'),
    );
  }
  return { runs: out, unexplainedRows: unexplained, notes };
}
