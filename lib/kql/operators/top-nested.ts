/**
 * `top-nested [N] of [Name =] Expr [with others = C] by [Name =] Aggregation [asc|desc], ...`:
 * hierarchical aggregation. Each clause partitions the rows its parent kept by `Expr`,
 * aggregates each part and keeps the top N parts (all when N is omitted; descending unless
 * `asc`); the output has two columns per clause, the value and the aggregate. The page lists
 * the aggregations it supports (sum, count, max, min, dcount, avg, percentile, percentilew
 * and algebraic combinations of them); others are refused. Ties keep the first part met.
 * `with others` adds, per partition, a row whose value is C and whose aggregate covers the
 * parts that were not kept (when there are any). The page describes it for a level, not
 * what the deeper levels hold on that row, so it is refused on a clause with a child.
 */
import { elements, kindName, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { callName, compileExpr, evaluateColumn } from '../engine/expr.js';
import { SINGLE_ROW, takeRows, type Frame } from '../engine/frame.js';
import { compareValues, type Value } from '../engine/values.js';
import type { Evaluator } from '../functions/registry.js';
import { applySchema, scopeOf, unsupportedAt, type Operator } from './common.js';
import { groupRows } from './group-ids.js';
import { aggregateCalls, runAggregate } from './summarize.js';

const SUPPORTED = new Set([
  'sum',
  'count',
  'max',
  'min',
  'dcount',
  'avg',
  'percentile',
  'percentilew',
]);

interface Level {
  n: number;
  values: Value[];
  valueType: string;
  agg: KNode;
  desc: boolean;
  others?: Value;
}

function unnamed(node: KNode): KNode {
  return kindName(node) === 'SimpleNamedExpression' ? prop(node, 'Expression')! : node;
}

function constant(node: KNode, env: Env, ctx: ExecContext): Value {
  return compileExpr(node, scopeOf(SINGLE_ROW, env, ctx)).fn(0);
}

/** The aggregation's value for each group of `rows`. */
function aggregateGroups(
  agg: KNode,
  input: Frame,
  rows: number[],
  gid: ArrayLike<number>,
  groups: number,
  env: Env,
  ctx: ExecContext,
): Value[] {
  const sub = takeRows(input, rows);
  const grouping = { gid, groups, firstRow: [] as number[] };
  if (kindName(agg) === 'FunctionCallExpression' && SUPPORTED.has(callName(agg)))
    return runAggregate(agg, sub, grouping, env, ctx).values;
  const overrides = new Map<KNode, Evaluator>();
  for (const call of aggregateCalls(agg)) {
    if (!SUPPORTED.has(callName(call)))
      unsupportedAt(ctx, call, 'function', `${callName(call)} in top-nested`);
    const vals = runAggregate(call, sub, grouping, env, ctx).values;
    overrides.set(call, (g) => vals[g]!);
  }
  if (overrides.size === 0)
    unsupportedAt(ctx, agg, 'expression', 'top-nested without an aggregation');
  const frame: Frame = { columns: [], length: groups };
  const c = compileExpr(agg, { frame: groups ? frame : SINGLE_ROW, env, ctx, overrides });
  return Array.from({ length: groups }, (_v, g) => c.fn(g));
}

export const topNested: Operator = (op, input, env, ctx) => {
  const scope = scopeOf(input, env, ctx);
  const clauses = elements(prop(op, 'Clauses'));
  const levels: Level[] = clauses.map((clause, i) => {
    const nNode = prop(clause, 'Expression');
    const nValue = nNode ? constant(nNode, env, ctx) : null;
    const n = nValue === null ? Number.MAX_SAFE_INTEGER : Math.max(0, Math.trunc(Number(nValue)));
    const { data, type } = evaluateColumn(prop(clause, 'OfExpression')!, scope);
    const by = prop(clause, 'ByExpression')!;
    let desc = true;
    let agg = by;
    if (kindName(by) === 'OrderedExpression') {
      agg = prop(by, 'Expression')!;
      const ordering = prop(by, 'Ordering');
      const dir = ordering ? prop(ordering, 'AscOrDescKeyword') : undefined;
      if (dir && String(dir.Text).toLowerCase() === 'asc') desc = false;
      if (ordering && prop(ordering, 'NullsClause'))
        unsupportedAt(ctx, ordering, 'argument', 'nulls in top-nested');
    }
    const withOthers = prop(clause, 'WithOthersClause');
    let others: Value | undefined;
    if (withOthers) {
      if (i < clauses.length - 1 || i > 0)
        unsupportedAt(ctx, withOthers, 'argument', 'with others on a nested level');
      others = constant(prop(withOthers, 'Expression')!, env, ctx);
    }
    return { n, values: data, valueType: type, agg: unnamed(agg), desc, others };
  });
  const out: Value[][] = levels.flatMap(() => [[], []]);
  const prefix: Value[] = [];
  const descend = (rows: number[], depth: number): void => {
    ctx.checkpoint();
    const level = levels[depth]!;
    const g = groupRows([rows.map((r) => level.values[r]!)], rows.length);
    const aggs = aggregateGroups(level.agg, input, rows, g.gid, g.groups, env, ctx);
    const order = Array.from({ length: g.groups }, (_v, k) => k);
    order.sort((a, b) => {
      const x = aggs[a]!;
      const y = aggs[b]!;
      if (x === y) return a - b;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : compareValues(x, y);
      return c === 0 ? a - b : level.desc ? -c : c;
    });
    const kept = order.slice(0, level.n);
    const members: number[][] = Array.from({ length: g.groups }, () => []);
    for (let i = 0; i < rows.length; i++) members[g.gid[i]!]!.push(rows[i]!);
    for (const k of kept) {
      prefix.push(level.values[rows[g.firstRow[k]!]!]!, aggs[k]!);
      if (depth + 1 < levels.length) descend(members[k]!, depth + 1);
      else out.forEach((col, c) => col.push(prefix[c]!));
      prefix.length -= 2;
    }
    if (level.others !== undefined && kept.length < g.groups) {
      const keptSet = new Set(kept);
      const rest = rows.filter((_r, i) => !keptSet.has(g.gid[i]!));
      const [restAgg] = aggregateGroups(
        level.agg,
        input,
        rest,
        new Uint32Array(rest.length),
        1,
        env,
        ctx,
      );
      out[0]!.push(level.others);
      out[1]!.push(restAgg ?? null);
    }
  };
  if (input.length > 0)
    descend(
      Array.from({ length: input.length }, (_v, i) => i),
      0,
    );
  const length = out[0]!.length;
  return applySchema(
    op,
    out.map((data, i) => ({ name: '', type: i % 2 === 0 ? levels[i / 2]!.valueType : '', data })),
    length,
    ctx,
  );
};
