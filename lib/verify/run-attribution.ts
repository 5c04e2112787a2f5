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
  /**
   * Of `foundRows`: rows whose `CorrelationId` the ledger cannot know, tied to this run by their
   * time (attempts the client timed out on before a head; a dead run's attempts without outcome).
   */
  rowsByTime?: number;
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

/** Attempts of a run without an outcome (a dead run's): each may or may not have a gateway row. */
export function unsureAttempts(run: LedgerEntry): number {
  let n = 0;
  for (const rec of run.requests)
    for (const a of rec.attempts) {
      if (a.status !== undefined) continue;
      // A dead run's timeout is unsure too: its row is written when the gateway sees the hang-up.
      if (a.error === 'died' || (a.error === 'timeout' && run.status === 'died')) n += 1;
    }
  return n;
}

/** Requests that may be in the logs without an outcome in the ledger, over the dead runs. */
export function diedInFlight(ledger: Ledger): {
  runs: LedgerEntry[];
  requests: number;
  attempts: number;
} {
  const runs = ledger.runs.filter((r) => r.status === 'died');
  return {
    runs,
    requests: runs.reduce((n, r) => n + (r.inFlightAtDeath ?? 0), 0),
    attempts: runs.reduce((n, r) => n + unsureAttempts(r), 0),
  };
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
  for (const r of died.runs) {
    const attempts = unsureAttempts(r);
    notes.push(
      `${runName(r)}: its kernel went away mid-run; ${r.inFlightAtDeath ?? 0} of its requests were in flight (${attempts} attempt(s) started), so 0 to ${attempts} gateway row(s) of them may be in the logs without an outcome in the ledger; every figure they can reach is checked against that range, the rest exactly.`,
    );
  }
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
    'ApiManagementGatewayLogs | summarize Rows = count(), At = min(TimeGenerated) by CorrelationId',
    { timespan, ...(signal ? { signal } : {}) },
  );
  const found = runs.map(() => 0);
  const byTime = runs.map(() => 0);
  // Rows no attempt's id names can still be a run's: attempts that never saw the gateway's id
  // (timed out before a head: certain rows; a dead run's: maybe), within the run's time.
  const idless = expectedLogCounts(ledger).rowsWithoutRequestId;
  const room = runs.map((r) => (idless[r.runId ?? `${r.source}-legacy`] ?? 0) + unsureAttempts(r));
  const windows = runs.map((r) => {
    const from = Date.parse(r.startedAt) - 5_000;
    const to = r.finishedAt === undefined ? Infinity : Date.parse(r.finishedAt) + 5_000;
    return { from, to };
  });
  let unexplained = 0;
  for (const row of rowsOf(result.table)) {
    const n = Number(row.Rows) || 0;
    const i = owner.get(String(row.CorrelationId ?? '').toLowerCase());
    if (i !== undefined) {
      found[i] = (found[i] ?? 0) + n;
      continue;
    }
    const at = Date.parse(String(row.At ?? ''));
    const j = runs.findIndex(
      (_, k) => (room[k] ?? 0) >= n && at >= windows[k]!.from && at <= windows[k]!.to,
    );
    if (j < 0) {
      unexplained += n;
      continue;
    }
    room[j] = (room[j] ?? 0) - n;
    found[j] = (found[j] ?? 0) + n;
    byTime[j] = (byTime[j] ?? 0) + n;
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
    if ((byTime[i] ?? 0) > 0) row.rowsByTime = byTime[i];
    return row;
  });
  const byRun = new Map(out.map((r) => [r.runId, r.expectedRows]));
  const notes = runNotes(
    ledger,
    'gateway rows',
    (r) => byRun.get(r.runId ?? `${r.source}-legacy`) ?? 0,
  );
  if (unexplained > 0) {
    notes.push(
      `${unexplained} gateway row(s) in the window carry a CorrelationId that no run in the ledger recorded, beyond what the runs' timed-out and dead attempts can explain: traffic the kit did not send (another client of this gateway), or a ledger replaced since.`,
    );
  }
  return { runs: out, unexplainedRows: unexplained, notes };
}
