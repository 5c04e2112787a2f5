/**
 * Results shared by the queries of one batch (a workbook's tiles): a pipe expression that reads
 * only source tables, columns and constants gives the same frame for the same text, the same
 * instant and the same table versions, so the batch computes it once. Workbook queries start
 * alike (`ApiManagementGatewayLogs | where TimeGenerated > ago(30d) | where ApimSubscriptionId
 * startswith 'bu-'`, the LLM log summed per `CorrelationId`), and every tile repeated that work.
 *
 * A batch fixes `now` for its queries: the tiles of one refresh describe one instant, and their
 * shared parts are the same computation. Frames are immutable, so sharing them is safe; the
 * batch keeps at most {@link MAX_ROWS} rows' worth of them, evicting the oldest.
 */
import { kindName, prop, referencedSymbol, symbolKindName, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from './context.js';
import { ROW_FUNCTIONS, callName } from './expr-calls.js';
import type { Frame } from './frame.js';
import type { QueryBatch } from '../../target.js';

export type { QueryBatch };

interface BatchState extends QueryBatch {
  entries: Map<string, Frame>;
  rows: number;
}

const MAX_ROWS = 20_000_000;

/**
 * A new batch.
 * @example const batch = createQueryBatch(); for (const q of tiles) executeQuery(q, store, { batch });
 */
export function createQueryBatch(now: Date = new Date()): QueryBatch {
  const state: BatchState = { now, stats: { hits: 0, misses: 0 }, entries: new Map(), rows: 0 };
  return state;
}

interface Shape {
  /** Reads nothing but source tables, columns, constants and `let` names (checked per use). */
  pure: boolean;
  tables: string[];
  /** `let` names it reads: a scalar's value or a tabular one's own key joins the key. */
  vars: string[];
  /** Functions it calls (a `let` function makes it unshareable). */
  calls: string[];
  text: string;
}

const shapes = new WeakMap<KNode, Shape>();

function shapeOf(node: KNode): Shape {
  let s = shapes.get(node);
  if (!s) {
    const found = { tables: new Set<string>(), vars: new Set<string>(), calls: new Set<string>() };
    const pure = walk(node, found);
    s = {
      pure,
      tables: [...found.tables].sort(),
      vars: [...found.vars],
      calls: [...found.calls],
      text: node.ToString(0),
    };
    shapes.set(node, s);
  }
  return s;
}

function walk(
  node: KNode,
  found: { tables: Set<string>; vars: Set<string>; calls: Set<string> },
): boolean {
  const kind = kindName(node);
  if (kind === 'NameReference') {
    const sym = referencedSymbol(node);
    const symKind = sym ? symbolKindName(sym) : '';
    const name = String(node['SimpleName'] ?? '');
    if (symKind === 'Table') found.tables.add(name);
    else if (symKind === 'Variable') found.vars.add(name);
    else if (symKind !== 'Column') return false;
    return true;
  }
  if (kind === 'FunctionCallExpression') {
    const name = callName(node);
    if (ROW_FUNCTIONS.has(name.toLowerCase())) return false;
    found.calls.add(name);
    const args = prop(node, 'ArgumentList');
    return !args || walk(args, found);
  }
  if (kind === 'PathExpression') return false;
  for (let i = 0; i < node.ChildCount; i++) {
    const c = node.GetChild(i);
    if (c && !c.IsToken && !walk(c, found)) return false;
  }
  return true;
}

/** The sharing key of `node` in `env` (adding the tables it reads), or `undefined`. */
function keyOf(node: KNode, env: Env, tables: Set<string>, depth: number): string | undefined {
  const s = shapeOf(node);
  if (!s.pure || depth > 16 || s.calls.some((c) => env.has(c))) return undefined;
  for (const t of s.tables) {
    // A `let` that shadows a table name is not the table.
    if (env.has(t)) return undefined;
    tables.add(t);
  }
  let key = s.text;
  for (const v of s.vars) {
    const b = env.get(v);
    if (b?.kind === 'scalar') key += `\u0001${v}=${JSON.stringify(b.value)}`;
    else if (b?.kind === 'tabular') {
      const sub = keyOf(b.node, b.env, tables, depth + 1);
      if (sub === undefined) return undefined;
      key += `\u0001${v}:=${sub}`;
    } else return undefined;
  }
  return key;
}

/** The batch's frame for `node` (computing and keeping it on a miss), or `compute()` when it cannot be shared. */
export function sharedFrame(
  batch: QueryBatch,
  node: KNode,
  env: Env,
  ctx: ExecContext,
  compute: () => Frame,
): Frame {
  const state = batch as BatchState;
  const tables = new Set<string>();
  const text = keyOf(node, env, tables, 0);
  if (text === undefined) return compute();
  const versions = [...tables].sort().map((t) => {
    const table = ctx.source.getTable(t);
    return table ? `${t}@${table.version}:${table.length ?? table.rows.length}` : `${t}@none`;
  });
  const range = ctx.timeRange ? `${ctx.timeRange.start}-${ctx.timeRange.end}` : '';
  const key = `${ctx.now}\u0000${range}\u0000${versions.join(',')}\u0000${text}`;
  const hit = state.entries.get(key);
  if (hit) {
    state.stats.hits++;
    return hit;
  }
  state.stats.misses++;
  const frame = compute();
  state.entries.set(key, frame);
  state.rows += frame.length;
  for (const [k, f] of state.entries) {
    if (state.rows <= MAX_ROWS || k === key) break;
    state.entries.delete(k);
    state.rows -= f.length;
  }
  return frame;
}
