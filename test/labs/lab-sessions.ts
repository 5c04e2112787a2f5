/**
 * Turns the lab's steps into kernel sessions: each "Restart & Run All" starts a fresh kernel on
 * the notebook (create.ipynb with cell A1 as the attendee has edited it so far, or
 * clean-up.ipynb); cells run again and new cells typed afterwards run in that same kernel, in the
 * order the attendee runs them. After each exercise's steps a probe cell hands the kernel's
 * `target` to the test, which checks that exercise's checkpoints at that point.
 */
import { readCodeCells } from '../../lib/internal/notebook-runner.js';
import { editA1, type LabExercise } from './lab-guide.js';

export interface SessionCell {
  exercise: number;
  source: string;
  /** Set on the probe cell that checks this exercise's checkpoints. */
  probe?: number;
}

export interface LabSession {
  notebook: 'create.ipynb' | 'clean-up.ipynb';
  cells: SessionCell[];
}

/** The global the probe cells call; the test installs it. */
export const PROBE_HOOK = 'labCheckpoint';

/** The cell's tag: `A1`, `E3`, `Lab 2a`, or clean-up.ipynb's `1`..`3`. */
export function tagOf(source: string): string | undefined {
  return /^\/\/ (Lab \w+|\w+)/.exec(source)?.[1];
}

function probeCell(exercise: number): string {
  // The hook's result is awaited inside an expression, as the kit's own cells do: tslab only
  // wraps a cell for top-level await when the await sits in such an expression.
  return (
    `// lab probe ${exercise}\n` +
    `const labHook${exercise} = globalThis as unknown as Record<string, (n: number, t: unknown) => Promise<void>>;\n` +
    `void (await labHook${exercise}['${PROBE_HOOK}']!(${exercise}, target));`
  );
}

/** The sessions that replay every exercise, in order. */
export function labSessions(
  exercises: readonly LabExercise[],
  createPath: string,
  cleanUpPath: string,
): LabSession[] {
  const create = readCodeCells(createPath).map((c) => c.source);
  const cleanUp = readCodeCells(cleanUpPath).map((c) => c.source);
  const a1Index = create.findIndex((s) => tagOf(s) === 'A1');
  if (a1Index < 0) throw new Error('create.ipynb has no cell A1');
  let a1 = create[a1Index]!;
  const sessions: LabSession[] = [];
  let session: LabSession | undefined;
  for (const ex of exercises) {
    for (const step of ex.steps) {
      switch (step.kind) {
        case 'edit-a1':
          a1 = editA1(a1, step.replacements);
          break;
        case 'run-all': {
          const sources =
            step.notebook === 'create.ipynb'
              ? create.map((s, i) => (i === a1Index ? a1 : s))
              : cleanUp;
          session = {
            notebook: step.notebook,
            cells: sources.map((source) => ({ exercise: ex.number, source })),
          };
          sessions.push(session);
          break;
        }
        case 'run-cells':
          if (!session || session.notebook !== 'create.ipynb')
            throw new Error(`Exercise ${ex.number} runs cells before any Run All of create.ipynb`);
          for (const tag of step.tags) {
            const source = tag === 'A1' ? a1 : create.find((s) => tagOf(s) === tag);
            if (source === undefined) throw new Error(`create.ipynb has no cell ${tag}`);
            session.cells.push({ exercise: ex.number, source });
          }
          break;
        case 'new-cell':
          if (!session) throw new Error(`Exercise ${ex.number} adds a cell before any Run All`);
          session.cells.push({ exercise: ex.number, source: step.source });
          break;
      }
    }
    if (!session) throw new Error(`Exercise ${ex.number} comes before any Run All`);
    session.cells.push({ exercise: ex.number, source: probeCell(ex.number), probe: ex.number });
  }
  return sessions;
}
