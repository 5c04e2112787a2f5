/**
 * The workshop lab (`labs/README.md`), replayed: every exercise's steps run through the
 * in-process notebook runner in the order an attendee runs them (A1 edits, Restart & Run All,
 * cells run again, new cells), and every checkpoint is checked at the point the attendee checks
 * it, against what the kit computes. The values a checkpoint names come from the page and must
 * equal what `checkpoints.ts` reads off the outputs.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNotebook, type CellRun } from '../../lib/internal/notebook-runner.js';
import { readLedger } from '../../lib/ledger/ledger.js';
import type { Ledger } from '../../lib/ledger/ledger-types.js';
import type { CostingTarget } from '../../lib/target.js';
import { CHECKS, type LabContext } from './checkpoints.js';
import { readLab } from './lab-guide.js';
import { labSessions, PROBE_HOOK, tagOf } from './lab-sessions.js';

const root = path.resolve(__dirname, '..', '..');
const labFile = path.join(root, 'labs', 'README.md');
const exercises = readLab(labFile);
const checkpoints = exercises.flatMap((e) => e.checkpoints);

describe('the lab page', () => {
  it('has numbered exercises, each with a goal, steps, checkpoints and a why', () => {
    expect(exercises.length).toBeGreaterThanOrEqual(6);
    expect(exercises.map((e) => e.number)).toEqual(exercises.map((_, i) => i + 1));
    for (const e of exercises) {
      for (const part of ['**Goal:**', '**Steps**', '**Why.**'])
        expect(e.body, `exercise ${e.number}`).toContain(part);
      expect(e.checkpoints.length, `exercise ${e.number}`).toBeGreaterThan(0);
      e.checkpoints.forEach((c, i) => expect(c.id).toBe(`${e.number}.${i + 1}`));
      for (const c of e.checkpoints) expect(c.values.length, c.id).toBeGreaterThan(0);
    }
  });

  it('has a check for every checkpoint, and a checkpoint for every check', () => {
    expect(checkpoints.map((c) => c.id).sort()).toEqual(Object.keys(CHECKS).sort());
  });

  it('keeps new cells short, each one kit call shown with kit.show*', () => {
    for (const e of exercises)
      for (const s of e.steps)
        if (s.kind === 'new-cell') {
          expect(s.source.split('\n').length, s.source).toBeLessThanOrEqual(12);
          expect(s.source).toMatch(/^\/\/ Lab \w+: /);
          expect(s.source).toMatch(/^kit\.show\w+\(/m);
        }
  });

  it('replays on cells that exist: every A1 edit applies to the notebook as committed', () => {
    expect(() =>
      labSessions(exercises, path.join(root, 'create.ipynb'), path.join(root, 'clean-up.ipynb')),
    ).not.toThrow();
  });
});

describe('the lab, replayed on the local target', () => {
  const results = new Map<string, { values: string[] } | { error: unknown }>();
  const history = new Map<number, { cells: CellRun[]; ledger: Ledger }>();
  const targets: CostingTarget[] = [];
  let dataDir: string;
  let workDir: string;
  const savedDataDir = process.env.COSTING_DATA_DIR;
  const hooks = globalThis as unknown as Record<string, unknown>;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist', 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first.');
    workDir = mkdtempSync(path.join(tmpdir(), 'costing-lab-'));
    // One data folder for the whole lab, as an attendee's clone has one `.data/`.
    dataDir = path.join(workDir, 'data');
    process.env.COSTING_DATA_DIR = dataDir;
    const sessions = labSessions(
      exercises,
      path.join(root, 'create.ipynb'),
      path.join(root, 'clean-up.ipynb'),
    );
    let cells: CellRun[] = [];
    hooks[PROBE_HOOK] = async (exercise: number, kernelTarget: unknown): Promise<void> => {
      const target = kernelTarget as CostingTarget;
      if (!targets.includes(target)) targets.push(target);
      const ledger = await readLedger(target.config);
      const snapshot = [...cells];
      history.set(exercise, { cells: snapshot, ledger });
      const runsIn = (list: CellRun[], tag: string): CellRun[] =>
        list.filter((c) => tagOf(c.source) === tag);
      const latest = (list: CellRun[], tag: string): CellRun => {
        const runs = runsIn(list, tag);
        if (runs.length === 0) throw new Error(`cell ${tag} has not run yet`);
        return runs[runs.length - 1]!;
      };
      const earlier = (n: number): { cells: CellRun[]; ledger: Ledger } => {
        const h = history.get(n);
        if (!h) throw new Error(`exercise ${n} has not been checked yet`);
        return h;
      };
      const ctx: LabContext = {
        target,
        ledger,
        cell: (tag) => latest(snapshot, tag),
        runsOf: (tag) => runsIn(snapshot, tag),
        cellAt: (n, tag) => latest(earlier(n).cells, tag),
        ledgerAt: (n) => earlier(n).ledger,
      };
      for (const cp of checkpoints.filter((c) => c.exercise === exercise)) {
        const check = CHECKS[cp.id];
        if (!check) continue;
        try {
          results.set(cp.id, { values: await check(ctx) });
        } catch (error) {
          results.set(cp.id, { error });
        }
      }
    };
    for (const [i, session] of sessions.entries()) {
      const file = path.join(workDir, `session-${i + 1}-${session.notebook}`);
      writeFileSync(
        file,
        JSON.stringify({
          cells: session.cells.map((c) => ({ cell_type: 'code', source: c.source })),
        }),
      );
      cells = [];
      try {
        await runNotebook(file, { rootDir: root, onCell: (c) => void cells.push(c) });
      } finally {
        // Restart & Run All ends the kernel, and its emulators with it.
        for (const t of targets.splice(0)) await t.close();
      }
    }
  }, 240_000);

  afterAll(() => {
    delete hooks[PROBE_HOOK];
    if (savedDataDir === undefined) delete process.env.COSTING_DATA_DIR;
    else process.env.COSTING_DATA_DIR = savedDataDir;
    rmSync(workDir, { recursive: true, force: true });
  });

  it.each(checkpoints.map((c) => [c.id, c] as const))('checkpoint %s', (_id, cp) => {
    const result = results.get(cp.id);
    expect(result, `checkpoint ${cp.id} was never reached`).toBeDefined();
    if (result === undefined) return;
    if ('error' in result) throw result.error;
    expect(cp.values, `checkpoint ${cp.id}: ${cp.text}`).toEqual(result.values);
  });
});
