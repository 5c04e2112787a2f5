/**
 * The shape of `lib/`: the root holds only the public index, the target interface and the errors;
 * every folder says in its README what lives there and what may import it; a phase never imports
 * another phase; the targets and the KQL engine never import a phase or the output; and no file
 * grows past about 400 lines. This test reads the sources, so a change to the shape shows here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

/** Folders below the notebook phases: every phase may use them. */
const FOUNDATION = ['config', 'pricing', 'ledger', 'artifacts', 'workbook', 'common', 'kql'];
/** One folder per notebook phase (A2, B2-B4, C-D, E1-E3, F). */
const PHASES = ['deploy', 'governance', 'traffic', 'verify', 'publish', 'bill', 'budgets'];
/** The two target implementations. */
const TARGETS = ['local', 'azure'];

/** What each top-level module may import (`.` is a root file: errors.ts, target.ts). */
const ALLOWED: Record<string, readonly string[]> = {
  'errors.ts': [],
  'target.ts': ['config'],
  config: ['errors.ts'],
  artifacts: ['errors.ts'],
  common: ['errors.ts', 'target.ts', 'config'],
  kql: ['errors.ts', 'target.ts', 'artifacts', 'common'],
  pricing: ['errors.ts', 'config', 'kql', 'artifacts'],
  ledger: ['errors.ts', 'target.ts', 'config', 'artifacts'],
  workbook: ['errors.ts', 'target.ts', 'config', 'pricing', 'artifacts', 'kql', 'common'],
  local: ['errors.ts', 'target.ts', ...FOUNDATION],
  azure: ['errors.ts', 'target.ts', ...FOUNDATION],
  deploy: ['errors.ts', 'target.ts', ...FOUNDATION, ...TARGETS],
  governance: ['errors.ts', 'target.ts', ...FOUNDATION],
  traffic: ['errors.ts', 'target.ts', ...FOUNDATION],
  verify: ['errors.ts', 'target.ts', ...FOUNDATION],
  publish: ['errors.ts', 'target.ts', ...FOUNDATION],
  budgets: ['errors.ts', 'target.ts', ...FOUNDATION],
  bill: ['errors.ts', 'target.ts', ...FOUNDATION],
  output: ['errors.ts', 'target.ts', ...FOUNDATION, ...PHASES],
  internal: ['errors.ts'],
  'index.ts': ['*'],
};

const MAX_LINES = 400;

function filesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesBelow(full) : [full];
  });
}

/** `errors.ts`, `target.ts`, `index.ts` for root files, else the top-level folder. */
function moduleOf(file: string): string {
  const rel = path.relative(LIB, file).split(path.sep);
  return rel.length === 1 ? rel[0]! : rel[0]!;
}

function relativeImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) out.push(m[1]!);
  return out;
}

const sources = filesBelow(LIB).filter((f) => f.endsWith('.ts'));

describe('lib/ layout', () => {
  it('holds only the public index, the target interface, the errors and folders at its root', () => {
    const rootFiles = readdirSync(LIB).filter((n) => statSync(path.join(LIB, n)).isFile());
    expect(rootFiles.sort()).toEqual(['errors.ts', 'index.ts', 'target.ts']);
  });

  it('has a README in every folder saying what lives there and what may import it', () => {
    const folders = readdirSync(LIB).filter((n) => statSync(path.join(LIB, n)).isDirectory());
    expect(folders.sort()).toEqual(
      Object.keys(ALLOWED)
        .filter((k) => !k.endsWith('.ts'))
        .sort(),
    );
    for (const folder of folders) {
      const readme = path.join(LIB, folder, 'README.md');
      expect(existsSync(readme), `lib/${folder}/README.md`).toBe(true);
      expect(readFileSync(readme, 'utf8'), `lib/${folder}/README.md`).toMatch(/may import/i);
    }
  });

  it('imports only along the layers: no phase imports another, targets and KQL no phase or output', () => {
    const problems: string[] = [];
    for (const file of sources) {
      const from = moduleOf(file);
      const allowed = ALLOWED[from];
      if (allowed === undefined) {
        problems.push(`${path.relative(LIB, file)}: lib/${from} is not a known layer`);
        continue;
      }
      for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(LIB)) continue;
        const to = moduleOf(target.replace(/\.js$/, '.ts'));
        if (to === from || allowed.includes('*') || allowed.includes(to)) continue;
        problems.push(`${path.relative(LIB, file)} imports lib/${to} (${spec})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = sources
      .map((f) => ({
        file: path.relative(LIB, f),
        lines: readFileSync(f, 'utf8').split('\n').length,
      }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it('throws no anonymous KitError: every error a caller may branch on has its own class', () => {
    const anonymous = sources
      .filter((f) => !f.endsWith('errors.ts'))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${path.relative(LIB, f)}:${i + 1}`, line }))
          .filter((l) => /new KitError\(/.test(l.line)),
      )
      .map((l) => l.where);
    expect(anonymous).toEqual([]);
  });
});
