/**
 * Runs an analysed query: `let` statements, then the last expression statement, pipe by pipe
 * over the official syntax tree. Tabular `let`s are evaluated where referenced (as Kusto
 * does); `materialize()` results are computed once per query.
 */
import type { LogTableSource } from '../log-tables.js';
import type { KqlTable, QueryResult } from '../../target.js';
import { OperationTimeoutError } from '../../errors.js';
import { KqlRuntimeError, KqlUnsupportedError, KqlValidationError } from '../errors.js';
import { loadSchemas } from '../global-state.js';
import {
  elements,
  kindName,
  prop,
  referencedSymbol,
  symbolKindName,
  type KNode,
} from '../kusto-language.js';
import { analyse, diagnosticsOf, lineStarts, positionOf } from '../analyse.js';
import '../functions/index.js';
import { OPERATORS } from '../operators/index.js';
import { datatable } from '../operators/datatable.js';
import { print } from '../operators/print.js';
import { range } from '../operators/range.js';
import { unionOf } from '../operators/union.js';
import type { Binding, Env, ExecContext } from './context.js';
import { compileExpr } from './expr.js';
import { SINGLE_ROW, takeRows, type Frame } from './frame.js';
import { sourceFrame } from './table-cache.js';
import { beginDecodedQuery } from './decoded-budget.js';
import { sharedFrame, type QueryBatch } from './shared-results.js';
import { toOutput } from './values.js';
import { isKitOwned, positioned } from './guard.js';
import { bindLet, evalUserCall, isTabularNode } from './user-functions.js';

/** Options of {@link executeQuery}. */
export interface ExecuteOptions {
  /** The time `now()` and `ago()` use. @default the current time */
  now?: Date;
  /** File name used in validation errors. @default `<query>` */
  file?: string;
  /**
   * Limits every table to rows whose time column (`TimeGenerated`, or `timestamp` for App
   * Insights tables) falls in the range, as the Log Analytics query API's `timespan` does:
   * an ISO 8601 duration ending now (`PT1H`, `P7D`) or `start/end` ISO dates. @default all rows
   */
  timespan?: string;
  /**
   * Cancels the query: checked before each pipe operator, so a long query stops within one
   * operator's work and throws the signal's reason.
   */
  signal?: AbortSignal;
  /**
   * Time limit in milliseconds, checked the same way (the engine runs synchronously, so a timer
   * could not interrupt it); past it the query throws an `OperationTimeoutError`.
   */
  timeoutMs?: number;
  /**
   * Runs the query as part of a batch (`createQueryBatch()`): as of the batch's instant, and
   * reusing the results of sub-queries an earlier query of the batch computed on the same data.
   * `now` given as well wins.
   */
  batch?: QueryBatch;
}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** The [start, end) epoch-millisecond range of a `timespan` option. */
export function timespanRange(timespan: string, now: number): { start: number; end: number } {
  const [a, b] = timespan.split('/');
  if (a !== undefined && b !== undefined) {
    const start = Date.parse(a);
    const end = Date.parse(b);
    if (Number.isNaN(start) || Number.isNaN(end))
      throw new KqlRuntimeError(
        `Invalid timespan '${timespan}': use PT1H-style durations or 'start/end' ISO dates.`,
      );
    return { start, end };
  }
  const m = DURATION.exec(timespan);
  if (!m || timespan === 'P' || timespan.endsWith('T')) {
    throw new KqlRuntimeError(
      `Invalid timespan '${timespan}': use PT1H-style durations or 'start/end' ISO dates.`,
    );
  }
  const [, w, d, h, min, sec] = m;
  const ms =
    Number(w ?? 0) * 7 * 86_400_000 +
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Number(sec ?? 0) * 1000;
  return { start: now - ms, end: now + 1 };
}

const TIME_COLUMNS = ['TimeGenerated', 'timestamp'];

function limitToRange(frame: Frame, range: { start: number; end: number } | undefined): Frame {
  if (!range) return frame;
  const col = frame.columns.find((c) => TIME_COLUMNS.includes(c.name) && c.type === 'datetime');
  if (!col) return frame;
  const data = col.data;
  const keep: number[] = [];
  for (let r = 0; r < frame.length; r++) {
    const t = data[r];
    if (typeof t === 'number' && t >= range.start && t < range.end) keep.push(r);
  }
  return keep.length === frame.length ? frame : takeRows(frame, keep);
}

function firstTokenText(node: KNode): string {
  for (let i = 0; i < node.ChildCount; i++) {
    const c = node.GetChild(i);
    if (!c) continue;
    if (c.IsToken) {
      if (c.Width > 0) return String(c.Text ?? '');
      continue;
    }
    const t = firstTokenText(c);
    if (t) return t;
  }
  return '';
}

function unsupportedOperator(ctx: ExecContext, node: KNode): never {
  const p = ctx.position(node.TextStart);
  throw new KqlUnsupportedError(
    'operator',
    firstTokenText(node) || kindName(node),
    p.line,
    p.column,
  );
}

function scan(ctx: ExecContext, name: string, node: KNode): Frame {
  const schemas = loadSchemas();
  const frame = sourceFrame(ctx.source, name, schemas.get(name));
  if (!frame) {
    const p = ctx.position(node.TextStart);
    throw new KqlRuntimeError(
      `Table '${name}' (line ${p.line}, column ${p.column}) is not in the local log store.`,
    );
  }
  ctx.scans[name] = (ctx.scans[name] ?? 0) + 1;
  return limitToRange(frame, ctx.timeRange);
}

/**
 * Evaluates a tabular expression. An unexpected error inside an operator becomes a
 * `KqlRuntimeError` at that operator (the innermost one that failed).
 */
export function evalTabular(node: KNode, env: Env, ctx: ExecContext): Frame {
  try {
    return evalTabularNode(node, env, ctx);
  } catch (e) {
    if (!isKitOwned(e, ctx.signal) && !ctx.locateCalls) locateFailingCall(node, env, ctx);
    const op = kindName(node) === 'PipeExpression' ? (prop(node, 'Operator') ?? node) : node;
    throw positioned(e, ctx.position, op, `'${firstTokenText(op) || kindName(op)}'`, ctx.signal);
  }
}

/**
 * Re-runs a failed operator with every function call wrapped, so the error names the call's
 * line and column; calls run unwrapped otherwise (a try/catch closure per call and row cost
 * the benchmark's queries up to 2x). Throws the positioned error; returns if the re-run did not
 * fail the same way (then the error is placed at the operator).
 */
function locateFailingCall(node: KNode, env: Env, ctx: ExecContext): void {
  ctx.locateCalls = true;
  try {
    evalTabularNode(node, env, ctx);
  } catch (again) {
    if (again instanceof KqlRuntimeError) throw again;
  } finally {
    ctx.locateCalls = false;
  }
}

function evalPipe(node: KNode, env: Env, ctx: ExecContext): Frame {
  const input = evalTabular(prop(node, 'Expression')!, env, ctx);
  ctx.checkpoint();
  const op = prop(node, 'Operator')!;
  const impl = OPERATORS.get(kindName(op));
  if (!impl) return unsupportedOperator(ctx, op);
  return impl(op, input, env, ctx);
}

function evalTabularNode(node: KNode, env: Env, ctx: ExecContext): Frame {
  const kind = kindName(node);
  switch (kind) {
    case 'PipeExpression': {
      // Each level of a pipe may be shared: queries of a batch share their first operators.
      if (ctx.batch && !ctx.locateCalls)
        return sharedFrame(ctx.batch, node, env, ctx, () => evalPipe(node, env, ctx));
      return evalPipe(node, env, ctx);
    }
    case 'ParenthesizedExpression':
      return evalTabular(prop(node, 'Expression')!, env, ctx);
    case 'NameReference': {
      const name = String(node['SimpleName']);
      const binding = env.get(name);
      const sym = referencedSymbol(node);
      if (binding && binding.kind === 'tabular' && (!sym || symbolKindName(sym) !== 'Table')) {
        return evalTabular(binding.node, binding.env, ctx);
      }
      // A view (or a function without parameters) referenced by its name.
      if (binding && binding.kind === 'function') return evalUserCall(node, binding, env, ctx);
      return scan(ctx, name, node);
    }
    case 'PathExpression': {
      // app('<id>').customMetrics, database('<name>').Table
      const selector = prop(node, 'Selector')!;
      return scan(ctx, String(selector['SimpleName'] ?? selector.ToString(0).trim()), node);
    }
    case 'MaterializeExpression': {
      const key = node.TextStart;
      const hit = ctx.materialized.get(key);
      if (hit) return hit;
      const frame = evalTabular(prop(node, 'Expression')!, env, ctx);
      ctx.materialized.set(key, frame);
      return frame;
    }
    case 'DataTableExpression':
      return datatable(node, env, ctx);
    case 'PrintOperator':
      return print(node, env, ctx);
    case 'RangeOperator':
      return range(node, env, ctx);
    case 'UnionOperator':
      return unionOf(node, undefined, env, ctx);
    case 'FunctionCallExpression': {
      const name = String(prop(node, 'Name')?.['SimpleName'] ?? '');
      const binding = env.get(name);
      if (binding && binding.kind === 'function') return evalUserCall(node, binding, env, ctx);
      // Built-in tabular functions (`table()`, stored functions) are not implemented.
      const p = ctx.position(node.TextStart);
      throw new KqlUnsupportedError('function', name, p.line, p.column);
    }
    default:
      return unsupportedOperator(ctx, node);
  }
}

function toKqlTable(frame: Frame): KqlTable {
  const columns = frame.columns.map((c) => ({ name: c.name, type: c.type }));
  const data = frame.columns.map((c) => c.data);
  const rows = new Array<KqlTable['rows'][number]>(frame.length);
  for (let r = 0; r < frame.length; r++) {
    const row = new Array<KqlTable['rows'][number][number]>(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = toOutput(data[c]![r]!, columns[c]!.type);
    rows[r] = row;
  }
  return { name: 'PrimaryResult', columns, rows };
}

/**
 * Runs a query on the local engine. Throws `KqlValidationError` when the parser reports errors
 * and `KqlUnsupportedError` (naming the operator or function with line and column) for what
 * the engine does not implement.
 */
export function executeQuery(
  text: string,
  source: LogTableSource,
  options: ExecuteOptions = {},
): QueryResult {
  const started = performance.now();
  options.signal?.throwIfAborted();
  beginDecodedQuery();
  const starts = lineStarts(text);
  const position = (offset: number): { line: number; column: number } => positionOf(starts, offset);
  let current: KNode | undefined;
  try {
    const code = analyse(text);
    const errors = diagnosticsOf(code, options.file ?? '<query>').filter(
      (d) => d.severity === 'error',
    );
    if (errors.length > 0) throw new KqlValidationError(errors);
    return run(code, source, options, started, position, (n) => (current = n));
  } catch (e) {
    // The boundary: nothing but the kit's own errors (and cancellation) leaves the engine.
    throw positioned(e, position, current, 'the query', options.signal);
  }
}

function run(
  code: ReturnType<typeof analyse>,
  source: LogTableSource,
  options: ExecuteOptions,
  started: number,
  position: (offset: number) => { line: number; column: number },
  at: (node: KNode) => void,
): QueryResult {
  const now = (options.now ?? options.batch?.now ?? new Date()).getTime();
  const deadline = options.timeoutMs !== undefined ? started + options.timeoutMs : Infinity;
  const ctx: ExecContext = {
    source,
    now,
    timeRange: options.timespan ? timespanRange(options.timespan, now) : undefined,
    scans: {},
    checkpoint: () => {
      options.signal?.throwIfAborted();
      if (performance.now() > deadline)
        throw new OperationTimeoutError('The query', options.timeoutMs ?? 0);
    },
    materialized: new Map(),
    ...(options.batch ? { batch: options.batch } : {}),
    position,
    signal: options.signal,
    evalTabular: (node, env) => evalTabular(node, env, ctx),
  };
  let env: Env = new Map<string, Binding>();
  let result: Frame | undefined;
  for (const stmt of elements(prop(code.Syntax, 'Statements'))) {
    at(stmt);
    const kind = kindName(stmt);
    if (kind === 'LetStatement') {
      env = bindLet(stmt, env, ctx);
      continue;
    }
    if (kind === 'ExpressionStatement') {
      const expr = prop(stmt, 'Expression')!;
      if (!isTabularNode(expr)) {
        // A bare scalar expression statement is returned as a one-row table, like `print`.
        const c = compileExpr(expr, { frame: SINGLE_ROW, env, ctx });
        result = { columns: [{ name: 'print_0', type: c.type, data: [c.fn(0)] }], length: 1 };
        continue;
      }
      result = evalTabular(expr, env, ctx);
      continue;
    }
    unsupportedOperator(ctx, stmt);
  }
  if (!result) throw new KqlRuntimeError('The query has no tabular expression to return.');
  const table = toKqlTable(result);
  return {
    status: 'success',
    table,
    stats: { scans: ctx.scans, elapsedMs: performance.now() - started },
  };
}
