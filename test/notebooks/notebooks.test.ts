import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_BUSINESS_UNITS,
  DEFAULT_CALLERS,
  DEFAULT_MODELS,
} from '../../lib/config/defaults.js';
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

describe('cell A1 shows the knobs a user edits', () => {
  const nb = JSON.parse(readFileSync(path.join(root, 'create.ipynb'), 'utf8')) as RawNotebook;
  const a1 = nb.cells.find((c) => c.source.join('').startsWith('// A1 '))?.source.join('') ?? '';
  const lineOf = (needle: string): string =>
    a1.split('\n').find((l) => l.includes(needle)) ?? `(no line with ${needle})`;
  const num = (n: number): string => (Number.isInteger(n) ? `${n}(\\.0)?` : String(n));

  it('lists every default BU, caller and model, one line each with the values loadConfig uses', () => {
    for (const b of DEFAULT_BUSINESS_UNITS)
      expect(lineOf(`'${b.name}'`)).toMatch(
        new RegExp(`displayName: '${b.displayName}', weight: ${num(b.weight)} }`),
      );
    for (const c of DEFAULT_CALLERS)
      expect(lineOf(c.appId)).toMatch(new RegExp(`name: '${c.name}', weight: ${num(c.weight)} }`));
    for (const m of DEFAULT_MODELS)
      expect(lineOf(`'${m.name}'`)).toContain(
        `version: '${m.version}', capacityKTpm: ${m.capacityKTpm}, requestsPerBu: ${m.requestsPerBu} }`,
      );
  });

  it('shows the alert e-mail, the Foundry and real-JWT toggles and each group with a comment', () => {
    for (const knob of [
      'alertEmail:',
      'alertThreshold:',
      'enableFoundry:',
      'useRealJwt:',
      'enableEntraIdTracking:',
      'enableTokenTracking:',
      'forceStreamIncludeUsage:',
      'errorShare:',
      'businessUnits: [',
      'callers: [',
      'models: [',
    ]) {
      expect(a1, knob).toContain(knob);
      // A comment on the knob's line, or on the line just above it.
      const lines = a1.split('\n');
      const i = lines.findIndex((l) => l.includes(knob));
      expect(`${lines[i - 1] ?? ''}\n${lines[i] ?? ''}`, knob).toMatch(/\/\/ \S/);
    }
  });
});

describe('cell A1 shows the bring-your-own knobs, commented out (issue 13)', () => {
  const nb = JSON.parse(readFileSync(path.join(root, 'create.ipynb'), 'utf8')) as RawNotebook;
  const a1 = nb.cells.find((c) => c.source.join('').startsWith('// A1 '))?.source.join('') ?? '';
  it('names each BYO field on a commented line, so the default run keeps its own infrastructure', () => {
    for (const knob of [
      'apimName:',
      'apimResourceGroup:',
      'logAnalyticsWorkspaceId:',
      'appInsightsId:',
      'gatewayUrl:',
    ]) {
      const line = a1.split('\n').find((l) => l.includes(knob)) ?? `(no line with ${knob})`;
      expect(line.trim(), knob).toMatch(/^\/\/ /);
    }
  });
});

describe('executing the notebooks in-process on the local target', () => {
  let dataDir: string;
  const runs: NotebookRun[] = [];
  let cleanUp: NotebookRun;
  let keys: string[] = [];
  let ledgerAfterTwoRuns: { runs: { source: string; status: string }[] };
  const savedDataDir = process.env.COSTING_DATA_DIR;

  beforeAll(async () => {
    if (!existsSync(path.join(root, 'dist', 'index.js')))
      throw new Error('dist/ is missing: run `npm run build` first.');
    dataDir = mkdtempSync(path.join(tmpdir(), 'costing-nb-'));
    process.env.COSTING_DATA_DIR = dataDir;
    // Twice in a row, as a user pressing Run All again would.
    runs.push(await runNotebook(path.join(root, 'create.ipynb')));
    runs.push(await runNotebook(path.join(root, 'create.ipynb')));
    const keyFile = JSON.parse(
      readFileSync(path.join(dataDir, 'subscriptions.local.json'), 'utf8'),
    ) as unknown;
    keys = JSON.stringify(keyFile).match(/[0-9a-f]{32}/g) ?? [];
    ledgerAfterTwoRuns = JSON.parse(
      readFileSync(path.join(dataDir, 'ledger.local.json'), 'utf8'),
    ) as typeof ledgerAfterTwoRuns;
    cleanUp = await runNotebook(path.join(root, 'clean-up.ipynb'));
  }, 600_000);

  afterAll(() => {
    if (savedDataDir === undefined) delete process.env.COSTING_DATA_DIR;
    else process.env.COSTING_DATA_DIR = savedDataDir;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cellTagged = (run: NotebookRun, tag: string): string => {
    const cell = run.cells.find((c) => c.source.startsWith(`// ${tag} `));
    if (!cell) throw new Error(`no cell tagged ${tag}`);
    return cellText(cell);
  };

  it('runs every code cell of both notebooks without error, twice in a row', () => {
    for (const run of [...runs, cleanUp]) {
      expect(run.cells.length).toBeGreaterThan(0);
      expect(run.cells.filter((c) => !c.ok).map((c) => c.cellNumber)).toEqual([]);
    }
    expect(runs[0]!.cells.map((c) => /^\/\/ (\w+)/.exec(c.source)?.[1])).toEqual([
      'A1',
      'A2',
      'B1',
      'B2',
      'B3',
      'B4',
      'C1',
      'C2',
      'C3',
      'D1',
      'D2',
      'E1',
      'E2',
      'E3',
      'E4',
      'E5',
      'E5',
      'E5',
      'F',
    ]);
  });

  it('E5 shows the forecast with a chart per BU, and the plan as a dry run that changed nothing', () => {
    const cells = runs[0]!.cells.filter((c) => c.source.startsWith('// E5 '));
    const [forecast, alerts, plan] = cells.map(cellText);
    expect(alerts).toMatch(
      /^\*\*E5 Forecast alerts:\*\* skipped: .* Would have: Create a daily scheduled query rule/,
    );
    expect(forecast).toMatch(/Budgets on \d{4}-\d{2}-\d{2}/);
    expect(forecast).toContain('over budget');
    expect(plan).toContain('Enforcement plan (dry run: nothing changed)');
    expect(plan).toMatch(/marketing[\s\S]*\+ suspended/);
    expect(plan).toContain('To perform it, run the cell with');
  });

  it('shows the A1 summary: target, SKU, BUs, callers, models, toggles', () => {
    const a1 = cellTagged(runs[0]!, 'A1');
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

  it('E3 shows every workbook tile matching the ledger, on both runs', () => {
    for (const run of runs) {
      const e3 = cellTagged(run, 'E3');
      const m = /Ledger vs workbook tiles \((\d+)\/(\d+) match\)/.exec(e3);
      expect(m).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThanOrEqual(20);
      expect(m![1]).toBe(m![2]);
      expect(e3).not.toContain('MISMATCH');
      expect(e3).toMatch(/Budget alerts \(B4(&#39;|')s rule per BU\): 0 would fire/);
    }
  });

  it('B2 and B3 do their work on the emulated Cost Management; E4 allocates to the cent', () => {
    for (const run of runs) {
      expect(cellTagged(run, 'B2')).toMatch(
        /^\*\*B2 Cost Management export:\*\* Emulated Cost Management export apim-costing-export-1 (created|recreated) \(FOCUS 1\.0, Daily/,
      );
      expect(cellTagged(run, 'B3')).toMatch(
        /^\*\*B3 Run the export now:\*\* Emulated export run completed: \d+ FOCUS rows/,
      );
      const e4 = cellTagged(run, 'E4');
      const m =
        /file total (\d+\.\d\d) USD = allocated (\d+\.\d\d) USD \+ shared (\d+\.\d\d) USD \+ unallocated (\d+\.\d\d) USD/.exec(
          e4,
        );
      expect(m).not.toBeNull();
      const [total, ...parts] = m!.slice(1).map((x) => Math.round(Number(x) * 100));
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      expect(e4).toContain('Statement per business unit');
      expect(e4).toContain('statement-');
      for (const skipped of ['B2', 'B3']) expect(cellTagged(run, skipped)).not.toContain('skipped');
    }
  });

  it('the local-only cells say in one line what they would have done', () => {
    expect(cellTagged(runs[0]!, 'D2')).toContain('**D2 skipped:** D1 already sent');
  });

  it('E1 and E2 draw their charts and F writes the local preview', () => {
    const charts = runs[1]!.cells
      .flatMap((c) => c.outputs)
      .filter(
        (o) => o.kind === 'display' && o.data['application/vnd.plotly.v1+json'] !== undefined,
      );
    expect(charts.length).toBeGreaterThanOrEqual(4);
    expect(cellTagged(runs[1]!, 'F')).toMatch(
      /Local preview written to `.*workbook-preview\.html`/,
    );
  });

  it('keeps every run of every traffic cell after two Run Alls, each done or skipped', () => {
    const sources = ledgerAfterTwoRuns.runs.map((r) => r.source).sort();
    expect(sources).toEqual(['ai', 'bu', 'entra', 'mock-ai', 'real-jwt'].flatMap((s) => [s, s]));
    for (const r of ledgerAfterTwoRuns.runs) expect(['done', 'skipped']).toContain(r.status);
  });

  it('never shows a full subscription key in any output', () => {
    // Six BU keys and the Entra ID and token-tracking APIs' own.
    expect(keys.length).toBe(6 + 2);
    const all = [...runs, cleanUp]
      .flatMap((r) => r.cells.map((c) => JSON.stringify(c.outputs)))
      .join('\n');
    for (const key of keys) expect(all).not.toContain(key);
  });

  it('clean-up.ipynb leaves no local data', () => {
    const left = existsSync(dataDir) ? readdirSync(dataDir) : [];
    expect(left).toEqual([]);
  });
});

describe('cells that fail tell the user what to do', () => {
  const create = JSON.parse(readFileSync(path.join(root, 'create.ipynb'), 'utf8')) as RawNotebook;
  const code = create.cells.filter((c) => c.cell_type === 'code');
  const tagged = (tag: string): RawNotebook['cells'][number] => {
    const cell = code.find((c) => c.source.join('').startsWith(`// ${tag} `));
    if (!cell) throw new Error(`no cell ${tag}`);
    return cell;
  };
  let dir: string;
  const savedDataDir = process.env.COSTING_DATA_DIR;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'costing-nb-bad-'));
    process.env.COSTING_DATA_DIR = path.join(dir, 'data');
  });
  afterAll(() => {
    if (savedDataDir === undefined) delete process.env.COSTING_DATA_DIR;
    else process.env.COSTING_DATA_DIR = savedDataDir;
    rmSync(dir, { recursive: true, force: true });
  });

  function notebookOf(cells: RawNotebook['cells'], name: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify({ ...create, cells }));
    return file;
  }

  it('A1 with wrong values fails naming each field, its value and what is allowed', async () => {
    const a1 = tagged('A1');
    const source = a1.source
      .join('')
      .replace("apimSku: 'BasicV2'", "apimSku: 'Gold'")
      .replace('sampleRequestsPerSubscription: 50', 'sampleRequestsPerSubscription: -5');
    const file = notebookOf([{ ...a1, source: [source] }], 'bad-a1.ipynb');
    await expect(runNotebook(file, { rootDir: root })).rejects.toThrow(
      /code cell 1 \(id \w+\) failed:[\s\S]*Invalid configuration \(2 problems\):\n {2}- deployment\.apimSku: got "Gold"; allowed: Developer, Basic, Standard, Premium, BasicV2, StandardV2, PremiumV2\n {2}- traffic\.sampleRequestsPerSubscription: got -5; must be a whole number greater than 0/,
    );
  });

  it('a traffic cell run before A2 says in one line (no stack trace) to run cell A2', async () => {
    const file = notebookOf([tagged('A1'), tagged('C1')], 'no-a2.ipynb');
    let message = '';
    try {
      await runNotebook(file, { rootDir: root });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /^no-a2\.ipynb: code cell 2 \(id \w+\) failed:\nMissingStepError: .* run cell A2 first\.$/,
    );
  });
});
