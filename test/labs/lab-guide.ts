/**
 * Reads the workshop lab (`labs/README.md`) as a script: each exercise's steps (edits to cell
 * A1, cells to run, new cells to type) and its checkpoints with the values they name. The test
 * replays the steps and checks every checkpoint, so the page and the kit cannot drift apart.
 *
 * The conventions the page follows (it says so to its readers too):
 * - `## Exercise N · Title` starts an exercise; `**Goal:**`, `**Steps**` and `**Why.**` are its parts.
 * - `**Run:** Restart & Run All` runs the whole of create.ipynb in a fresh kernel (or of
 *   clean-up.ipynb when the line names it); `**Run:** cell C1, then cell E3` runs those cells of
 *   create.ipynb again in the same kernel.
 * - A ` ```diff ` block edits cell A1: each `-` line (as it reads now) becomes the `+` line after it.
 * - A ` ```ts ` block is a new cell the attendee types and runs.
 * - `> **Checkpoint N.k** · ...` states what to see; its `code spans` are the exact values.
 */
import { readFileSync } from 'node:fs';

export type LabStep =
  | { kind: 'run-all'; notebook: 'create.ipynb' | 'clean-up.ipynb' }
  | { kind: 'run-cells'; tags: string[] }
  | { kind: 'edit-a1'; replacements: { from: string; to: string }[] }
  | { kind: 'new-cell'; source: string };

export interface LabCheckpoint {
  id: string;
  exercise: number;
  text: string;
  /** The checkpoint's code spans, in order: the values the attendee compares. */
  values: string[];
}

export interface LabExercise {
  number: number;
  title: string;
  /** The exercise's markdown, for checks of its parts. */
  body: string;
  steps: LabStep[];
  checkpoints: LabCheckpoint[];
}

const EXERCISE = /^## Exercise (\d+) · (.+)$/;
const FENCE = /^(\s*)```(\w*)\s*$/;

/** Parses the lab page into exercises. Throws on a step line the replay would not understand. */
export function readLab(file: string): LabExercise[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const exercises: LabExercise[] = [];
  let current: LabExercise | undefined;
  let bodyLines: string[] = [];
  const finish = (): void => {
    if (current) current.body = bodyLines.join('\n');
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const heading = EXERCISE.exec(line);
    if (heading) {
      finish();
      current = {
        number: Number(heading[1]),
        title: heading[2]!,
        body: '',
        steps: [],
        checkpoints: [],
      };
      bodyLines = [];
      exercises.push(current);
      continue;
    }
    if (line.startsWith('## ')) {
      finish();
      current = undefined;
      continue;
    }
    if (!current) continue;
    bodyLines.push(line);
    const fence = FENCE.exec(line);
    if (fence) {
      const indent = fence[1]!.length;
      const block: string[] = [];
      for (i += 1; i < lines.length && !FENCE.test(lines[i]!); i += 1) {
        bodyLines.push(lines[i]!);
        block.push(lines[i]!.slice(Math.min(indent, /^\s*/.exec(lines[i]!)![0].length)));
      }
      bodyLines.push(lines[i] ?? '');
      current.steps.push(blockStep(fence[2]!, block, current.number));
      continue;
    }
    const run = /^\s*\*\*Run:\*\* (.+)$/.exec(line);
    if (run) {
      current.steps.push(runStep(run[1]!, current.number));
      continue;
    }
    const cp = /^> \*\*Checkpoint (\d+\.\d+)\*\* · (.*)$/.exec(line);
    if (cp) {
      const text = [cp[2]!];
      while (lines[i + 1]?.startsWith('> ')) {
        i += 1;
        bodyLines.push(lines[i]!);
        text.push(lines[i]!.slice(2));
      }
      const joined = text.join(' ');
      current.checkpoints.push({
        id: cp[1]!,
        exercise: current.number,
        text: joined,
        values: [...joined.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      });
    }
  }
  finish();
  return exercises;
}

function runStep(text: string, exercise: number): LabStep {
  if (/Restart & Run All/.test(text))
    return {
      kind: 'run-all',
      notebook: text.includes('clean-up.ipynb') ? 'clean-up.ipynb' : 'create.ipynb',
    };
  const tags = [...text.matchAll(/\bcell ([A-F]\d?)\b/g)].map((m) => m[1]!);
  if (tags.length === 0)
    throw new Error(`Exercise ${exercise}: cannot replay the step "**Run:** ${text}"`);
  return { kind: 'run-cells', tags };
}

function blockStep(lang: string, block: string[], exercise: number): LabStep {
  if (lang === 'ts') return { kind: 'new-cell', source: block.join('\n').trimEnd() };
  if (lang === 'diff') {
    const replacements: { from: string; to: string }[] = [];
    for (let j = 0; j < block.length; j += 2) {
      const from = block[j]!;
      const to = block[j + 1] ?? '';
      if (!from.startsWith('-') || !to.startsWith('+'))
        throw new Error(
          `Exercise ${exercise}: a diff block must pair each '-' line with the '+' line after it`,
        );
      replacements.push({ from: from.slice(1), to: to.slice(1) });
    }
    return { kind: 'edit-a1', replacements };
  }
  throw new Error(`Exercise ${exercise}: a code block must be 'ts' (a new cell) or 'diff' (A1)`);
}

/** Applies an A1 edit: every `from` line must be in the cell exactly once (ignoring indentation). */
export function editA1(source: string, replacements: { from: string; to: string }[]): string {
  const lines = source.split('\n');
  for (const { from, to } of replacements) {
    const at = lines.flatMap((l, i) => (l.trim() === from.trim() ? [i] : []));
    if (at.length !== 1)
      throw new Error(
        `The lab edits an A1 line that cell A1 has ${at.length} times:\n  ${from.trim()}`,
      );
    const indent = /^\s*/.exec(lines[at[0]!]!)![0];
    lines[at[0]!] = indent + to.trim();
  }
  return lines.join('\n');
}
