/**
 * Runs a notebook's code cells in-process through tslab's own executor (no Jupyter, no Python),
 * the way the kernel does: same TypeScript 5.0 type-check, same `require`, stdout/stderr and
 * rich displays captured per cell.
 *
 * tslab's executor and display sink are internal modules of a pinned tslab version; the
 * harness is kept small and covered by a test so an upgrade that changes them fails loudly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { format } from 'node:util';
import { KitError } from '../errors.js';

/** One output of a cell, shaped like nbformat outputs. */
export type CellOutput =
  | { kind: 'stream'; name: 'stdout' | 'stderr'; text: string }
  | { kind: 'display'; data: Record<string, string>; displayId?: string; update: boolean };

export interface CellRun {
  /** 1-based number among the notebook's code cells. */
  cellNumber: number;
  /** The cell's `id` in the notebook file. */
  cellId: string | undefined;
  source: string;
  ok: boolean;
  elapsedMs: number;
  outputs: CellOutput[];
}

export interface NotebookRun {
  notebook: string;
  cells: CellRun[];
  elapsedMs: number;
}

/** A code cell failed; the message names the cell and carries its error text. */
export class NotebookCellError extends KitError {
  readonly cellNumber: number;
  readonly run: NotebookRun;
  constructor(notebook: string, cell: CellRun, run: NotebookRun) {
    const errText = cell.outputs
      .filter(
        (o): o is Extract<CellOutput, { kind: 'stream' }> =>
          o.kind === 'stream' && o.name === 'stderr',
      )
      .map((o) => o.text)
      .join('')
      .trim();
    super(
      `${path.basename(notebook)}: code cell ${cell.cellNumber}${cell.cellId ? ` (id ${cell.cellId})` : ''} failed:\n` +
        `${errText || '(no error text)'}`,
    );
    this.name = 'NotebookCellError';
    this.cellNumber = cell.cellNumber;
    this.run = run;
  }
}

export interface RunNotebookOptions {
  /** Stop at the first failing cell and throw {@link NotebookCellError}. @default true */
  throwOnError?: boolean;
  /** Folder cells resolve imports from. @default the notebook's folder */
  rootDir?: string;
  /** Called after each cell. */
  onCell?: (cell: CellRun) => void;
}

interface NotebookJson {
  cells: { cell_type: string; id?: string; source: string | string[] }[];
}

interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  interrupt(): void;
  close(): void;
}
interface TslabConverter {
  close(): void;
}
interface DisplayPayload {
  data: Record<string, string>;
  transient?: { display_id?: string };
}

/** Reads the code cells of a `.ipynb` file. */
export function readCodeCells(notebookPath: string): { id: string | undefined; source: string }[] {
  const nb = JSON.parse(readFileSync(notebookPath, 'utf8')) as NotebookJson;
  return nb.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => ({ id: c.id, source: Array.isArray(c.source) ? c.source.join('') : c.source }));
}

/** One kernel in this process: cells run in it one after another share their variables. */
export interface InProcessKernel {
  /**
   * Runs one cell's source (type-checked and executed as the kernel does).
   * @param meta - the cell's number and id, for the result.
   */
  execute(source: string, meta?: { cellNumber?: number; cellId?: string }): Promise<CellRun>;
  /**
   * Interrupts the running cell as Jupyter does: the kernel process receives SIGINT (here: its
   * listeners are called), and tslab stops waiting for the cell.
   */
  interrupt(): void;
  close(): void;
}

/**
 * Opens a kernel in this process, through tslab's own executor.
 * @param rootDir - folder cells resolve imports from (`./dist`).
 */
export function openKernel(rootDir: string): InProcessKernel {
  const req = createRequire(path.join(rootDir, 'package.json'));
  const { createExecutor } = req('tslab/dist/executor') as {
    createExecutor: (
      root: string,
      convs: unknown,
      cons: { log: (...a: unknown[]) => void; error: (...a: unknown[]) => void },
    ) => TslabExecutor;
  };
  const { createConverter } = req('tslab/dist/converter') as {
    createConverter: (o?: { isBrowser?: boolean }) => TslabConverter;
  };
  const jupyter = req('tslab/dist/jupyter') as {
    lastWriteDisplayData: ((d: DisplayPayload, update: boolean) => void) | null;
  };

  let current: CellOutput[] = [];
  const stream = (name: 'stdout' | 'stderr', text: string): void => {
    const last = current[current.length - 1];
    if (last && last.kind === 'stream' && last.name === name) last.text += text;
    else current.push({ kind: 'stream', name, text });
  };
  const converters = {
    node: createConverter(),
    browser: createConverter({ isBrowser: true }),
    close(): void {
      this.node.close();
      this.browser.close();
    },
  };
  const executor = createExecutor(rootDir, converters, {
    log: (...args: unknown[]) => stream('stdout', `${format(...args)}\n`),
    error: (...args: unknown[]) => stream('stderr', `${format(...args)}\n`),
  });
  const previousSink = jupyter.lastWriteDisplayData;
  jupyter.lastWriteDisplayData = (d, update) => {
    current.push({
      kind: 'display',
      data: d.data,
      displayId: d.transient?.display_id,
      update: update === true,
    });
  };
  const realStdout = process.stdout.write.bind(process.stdout);
  const realStderr = process.stderr.write.bind(process.stderr);
  let count = 0;

  return {
    async execute(source, meta = {}) {
      count += 1;
      current = [];
      const outputs = current;
      // As the kernel does: whatever the cell's code prints goes to the cell's output.
      process.stdout.write = ((chunk: string | Uint8Array) => {
        stream('stdout', typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      }) as typeof process.stdout.write;
      process.stderr.write = ((chunk: string | Uint8Array) => {
        stream('stderr', typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      }) as typeof process.stderr.write;
      // Test runners replace the global console; route it to the cell too, as the kernel sees it.
      const saved = {
        log: console.log,
        info: console.info,
        warn: console.warn,
        error: console.error,
      };
      console.log = (...args: unknown[]) => stream('stdout', `${format(...args)}\n`);
      console.info = console.log;
      console.warn = (...args: unknown[]) => stream('stderr', `${format(...args)}\n`);
      console.error = console.warn;
      const t0 = performance.now();
      let ok: boolean;
      try {
        ok = await executor.execute(source);
      } finally {
        process.stdout.write = realStdout;
        process.stderr.write = realStderr;
        Object.assign(console, saved);
      }
      return {
        cellNumber: meta.cellNumber ?? count,
        cellId: meta.cellId,
        source,
        ok,
        elapsedMs: performance.now() - t0,
        outputs,
      };
    },
    interrupt() {
      // The listeners a kernel process has for SIGINT (the kit's own among them), then tslab's.
      for (const listener of process.listeners('SIGINT')) listener('SIGINT');
      executor.interrupt();
    },
    close() {
      jupyter.lastWriteDisplayData = previousSink;
      executor.close();
      converters.close();
    },
  };
}

/**
 * Executes every code cell of a notebook in order, in this process.
 * @param notebookPath - the `.ipynb` file; cells resolve imports relative to its folder.
 * @returns every cell's outputs and timing.
 * @throws {@link NotebookCellError} naming the first failing cell (unless `throwOnError: false`).
 */
export async function runNotebook(
  notebookPath: string,
  options: RunNotebookOptions = {},
): Promise<NotebookRun> {
  const abs = path.resolve(notebookPath);
  const rootDir = path.resolve(options.rootDir ?? path.dirname(abs));
  const kernel = openKernel(rootDir);
  const run: NotebookRun = { notebook: abs, cells: [], elapsedMs: 0 };
  const started = performance.now();
  const throwOnError = options.throwOnError ?? true;
  try {
    for (const [i, cell] of readCodeCells(abs).entries()) {
      const result = await kernel.execute(cell.source, {
        cellNumber: i + 1,
        ...(cell.id !== undefined ? { cellId: cell.id } : {}),
      });
      run.cells.push(result);
      options.onCell?.(result);
      if (!result.ok && throwOnError) throw new NotebookCellError(abs, result, run);
    }
  } finally {
    run.elapsedMs = performance.now() - started;
    kernel.close();
  }
  return run;
}

/** All text a cell produced: streams, and the `text/plain`/`text/markdown`/`text/html` of displays. */
export function cellText(cell: CellRun): string {
  return cell.outputs
    .map((o) =>
      o.kind === 'stream'
        ? o.text
        : (o.data['text/markdown'] ?? o.data['text/plain'] ?? o.data['text/html'] ?? ''),
    )
    .join('\n');
}
