/**
 * The kernel's converter on a worker thread (scripts/tslab-converter.mjs) answers as tslab's own
 * converter does: the same compiled output and declarations cell after cell, the same
 * diagnostics, hover and completion, and errors that reach the caller instead of a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import * as path from 'node:path';

interface Diagnostic {
  messageText: string;
  code: number;
}
interface Converted {
  output?: string;
  declOutput?: string;
  diagnostics: Diagnostic[];
  lastExpressionVar?: string;
  hasToplevelAwait?: boolean;
}
interface Converter {
  convert(prevDecl: string, src: string): Converted;
  inspect(prevDecl: string, src: string, position: number): { displayParts?: { text: string }[] };
  complete(prevDecl: string, src: string, position: number): { candidates: string[] };
  addModule(name: string, content: string): Diagnostic[];
  close(): void;
}

const root = path.resolve(__dirname, '..', '..');
const tslabDir = path.join(root, 'node_modules', 'tslab');
const direct = (
  createRequire(__filename)(path.join(tslabDir, 'dist', 'converter.js')) as {
    createConverter(o?: object): Converter;
  }
).createConverter();
let threaded: Converter;

beforeAll(async () => {
  const mod = (await import(path.join(root, 'scripts', 'tslab-converter.mjs'))) as {
    workerConverter(dir: string, o?: object): Converter;
  };
  threaded = mod.workerConverter(tslabDir, { isJS: false, isBrowser: false });
}, 60_000);
afterAll(() => {
  direct.close();
  threaded.close();
});

const cells = [
  'const n: number = 40 + 2;\nn',
  'interface Row { bu: string; cost: number }\nconst rows: Row[] = [{ bu: "hr", cost: n }];',
  'const total = rows.reduce((s, r) => s + r.cost, 0);\nawait Promise.resolve(total);',
];

describe('the worker-thread converter', () => {
  it('compiles a run of cells exactly as tslab does, declarations carried from cell to cell', () => {
    let prevDirect = '';
    let prevThreaded = '';
    for (const src of cells) {
      const a = direct.convert(prevDirect, src);
      const b = threaded.convert(prevThreaded, src);
      expect(b).toEqual(a);
      expect(b.diagnostics).toEqual([]);
      prevDirect = a.declOutput ?? '';
      prevThreaded = b.declOutput ?? '';
    }
    expect(prevThreaded).toContain('total');
  });

  it('reports type errors as diagnostics, the same ones', () => {
    const src = 'const s: string = 42;';
    const b = threaded.convert('', src);
    expect(b.diagnostics.map((d) => d.code)).toEqual([2322]);
    expect(b).toEqual(direct.convert('', src));
  });

  it('answers hover and completion (the notebook UI calls these)', () => {
    const src = 'const budget = { monthlyUsd: 50 };\nbudget.mon';
    const hover = threaded.inspect('', src, src.indexOf('budget') + 2);
    expect(hover.displayParts?.map((p) => p.text).join('')).toContain('monthlyUsd: number');
    expect(threaded.complete('', src, src.length).candidates).toContain('monthlyUsd');
  });

  it('defines in-memory modules', () => {
    expect(threaded.addModule('prices', 'export const perK: number = 0.003;')).toEqual([]);
    const r = threaded.convert('', 'import { perK } from "./prices";\nperK * 2');
    expect(r.diagnostics).toEqual([]);
  });

  it('throws what the converter throws, and stays usable', () => {
    expect(() => direct.addModule('', 'export {}')).toThrow(/invalid module name/);
    expect(() => threaded.addModule('', 'export {}')).toThrow(/invalid module name/);
    expect(threaded.convert('', '1 + 1').diagnostics).toEqual([]);
  });
});
