import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotebookCellError, cellText, runNotebook } from '../../lib/internal/notebook-runner.js';

const fixtures = path.join(__dirname, '..', 'fixtures');

describe('in-process notebook runner (tslab executor)', () => {
  it('fails naming the cell number, its id and the error, and runs no later cell', async () => {
    let caught: unknown;
    try {
      await runNotebook(path.join(fixtures, 'failing.ipynb'));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NotebookCellError);
    const err = caught as NotebookCellError;
    expect(err.cellNumber).toBe(2);
    expect(err.message).toMatch(/^failing\.ipynb: code cell 2 \(id bad2\) failed:\n/);
    expect(err.message).toContain('deliberate failure in cell two');
    expect(err.run.cells.map((c) => [c.cellNumber, c.ok])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(cellText(err.run.cells[0]!)).toBe('answer 42\n');
  });

  it('reports a TypeScript error in a cell as that cell failing', async () => {
    await expect(runNotebook(path.join(fixtures, 'type-error.ipynb'))).rejects.toThrow(
      /code cell 1 \(id te1\) failed:\n[\s\S]*not assignable to type 'number'/,
    );
  });

  it('captures rich displays, in-place updates, raw stdout and the last expression', async () => {
    const run = await runNotebook(path.join(fixtures, 'display.ipynb'));
    const outputs = run.cells[0]!.outputs;
    const displays = outputs.filter((o) => o.kind === 'display');
    expect(displays[0]).toMatchObject({ data: { 'text/html': '<b>bold</b>' }, update: false });
    const live = displays.slice(1);
    expect(live.map((d) => d.kind === 'display' && [d.data['text/plain'], d.update])).toEqual([
      ['first', false],
      ['second', true],
    ]);
    const ids = new Set(live.map((d) => (d.kind === 'display' ? d.displayId : undefined)));
    expect(ids.size).toBe(1);
    expect(cellText(run.cells[0]!)).toContain('raw stdout\n');
    expect(cellText(run.cells[0]!)).toContain('2\n');
  });
});
