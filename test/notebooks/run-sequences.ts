/**
 * Shared by the run-integrity tests: the cells of create.ipynb by tag, the ledger on disk, and
 * what E1-E3 printed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { cellText, readCodeCells, type CellRun } from '../../lib/internal/notebook-runner.js';

export const root = path.resolve(__dirname, '..', '..');
const cells = readCodeCells(path.join(root, 'create.ipynb'));

/** The source of the create.ipynb cell tagged `// <tag> `. */
export function cellSource(tag: string): string {
  const cell = cells.find((c) => c.source.startsWith(`// ${tag} `));
  if (!cell) throw new Error(`create.ipynb has no cell ${tag}`);
  return cell.source;
}

/** Every tag, in notebook order. */
export const TAGS = cells.map((c) => /^\/\/ (\w+)/.exec(c.source)?.[1] ?? '?');

export interface RunOnDisk {
  runId: string;
  cell: string;
  source: string;
  status: string;
  reason?: string;
  inFlightAtDeath?: number;
  totals: { sent: number; planned: number };
}

/** The runs in the data folder's ledger. */
export function runsOnDisk(dataDir: string): RunOnDisk[] {
  const file = path.join(dataDir, 'ledger.local.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { runs: RunOnDisk[] }).runs;
}

/** Finished-request lines in the journals of running runs. */
export function journalRecords(dataDir: string): number {
  const dir = path.join(dataDir, 'runs');
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir))
    n += (readFileSync(path.join(dir, f), 'utf8').match(/^\{"r":/gm) ?? []).length;
  return n;
}

/** Checks E1-E3's outputs: E3 all tiles match; E1 explains every row; E2 no unexplained rows. */
export function expectVerified(
  e1: CellRun,
  e2: CellRun,
  e3: CellRun,
  step: string,
): { e1: string; e3: string } {
  for (const c of [e1, e2, e3]) expect(c.ok, `${step}: ${cellText(c)}`).toBe(true);
  const t3 = cellText(e3);
  const m = /Ledger vs workbook tiles \((\d+)\/(\d+) match\)/.exec(t3);
  expect(m, `${step}: ${t3}`).not.toBeNull();
  expect(m![1], `${step}: ${t3}`).toBe(m![2]);
  expect(t3, step).not.toContain('MISMATCH');
  const t1 = cellText(e1);
  expect(t1, step).toMatch(/Gateway rows by run \(CorrelationId\): 0 row\(s\) no run explains/);
  expect(cellText(e2), step).not.toContain('no run in the ledger explains');
  return { e1: t1, e3: t3 };
}

/** Waits until `check` holds, polling every 20 ms, for at most `ms`. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
