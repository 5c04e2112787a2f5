import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellText, runNotebook, type NotebookRun } from '../../lib/internal/notebook-runner.js';

const root = path.resolve(__dirname, '..', '..');
const notebooks = ['create.ipynb', 'clean-up.ipynb'];

interface RawNotebook {
  metadata: { kernelspec?: { name: string; language: string } };
  cells: {
    cell_type: string;
    id?: string;
    outputs?: unknown[];
    execution_count?: number | null;
    source: string[];
  }[];
}

describe.each(notebooks)('%s as committed', (name) => {
  const nb = JSON.parse(readFileSync(path.join(root, name), 'utf8')) as RawNotebook;
  it('uses the tslab kernelspec', () => {
    expect(nb.metadata.kernelspec).toMatchObject({ name: 'tslab', language: 'typescript' });
  });
  it('has no outputs and no execution counts', () => {
    for (const cell of nb.cells.filter((c) => c.cell_type === 'code')) {
      expect(cell.outputs).toEqual([]);
      expect(cell.execution_count ?? null).toBeNull();
    }
  });
  it('gives every cell a unique id', () => {
    const ids = nb.cells.map((c) => c.id);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('executing the notebooks in-process on the local target', () => {
  let dataDir: string;
  const runs: Record<string, NotebookRun> = {};
  const savedDataDir = process.env.COSTING_DATA_DIR;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist', 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first.');
    dataDir = mkdtempSync(path.join(tmpdir(), 'costing-nb-'));
    process.env.COSTING_DATA_DIR = dataDir;
    for (const name of notebooks) runs[name] = await runNotebook(path.join(root, name));
  }, 600_000);

  afterAll(() => {
    if (savedDataDir === undefined) delete process.env.COSTING_DATA_DIR;
    else process.env.COSTING_DATA_DIR = savedDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every code cell of both notebooks without error', () => {
    for (const name of notebooks) {
      expect(runs[name]!.cells.length).toBeGreaterThan(0);
      expect(runs[name]!.cells.filter((c) => !c.ok)).toEqual([]);
    }
  });

  it('shows the A1 summary: target, SKU, BUs, callers, models, toggles', () => {
    const a1 = cellText(runs['create.ipynb']!.cells[0]!);
    for (const needle of [
      '**Target:** `local`',
      'APIM SKU **BasicV2**',
      'Business units (6)',
      'Entra ID callers (6)',
      'Models (3)',
      'Entra ID tracking on',
    ]) {
      expect(a1).toContain(needle);
    }
  });
});
