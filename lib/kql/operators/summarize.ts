/**
 * `summarize aggregates by keys`: output is the key columns then the aggregates, named by the
 * parser (`count_`, `sum_X`, `arg_max` expansions). With no `by`, one row even for no input.
 * Aggregates may sit inside scalar expressions (`sum(a) / count()`).
 */
import { elements, kindName, parameterNameAt, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { callArgs, callName, compileExpr, evaluateColumn } from '../engine/expr.js';
import {
  columnIndex,
  numericColumn,
  pickColumn,
  SINGLE_ROW,
  type Column,
  type Frame,
  type NumericView,
} from '../engine/frame.js';
import { referencedColumn } from '../engine/expr-compare.js';
import { trueMask } from '../engine/expr-mask.js';
import { vectorValues } from '../engine/expr-vector.js';
import type { Scope } from '../engine/scope.js';
import type { Value } from '../engine/values.js';
import {
  aggregateFunction,
  aggregateMaxArgs,
  isAggregateName,
  type AggregateImpl,
  type AggregateInput,
} from '../functions/aggregate-registry.js';
import { batchMemo, objectId } from '../engine/batch-memo.js';
import type { Evaluator } from '../functions/registry.js';
import {
  checkParameters,
  outputSchema,
  renamed,
  scopeOf,
  unsupportedAt,
  type Operator,
} from './common.js';
import { groupRows, type Grouping } from './group-ids.js';

/** Finds the aggregate calls inside an expression. */
export function aggregateCalls(node: KNode, out: KNode[] = []): KNode[] {
  if (kindName(node) === 'FunctionCallExpression' && isAggregateName(callName(node))) {
    out.push(node);
    return out;
  }
  for (let i = 0; i < node.ChildCount; i++) {
    const c = node.GetChild(i);
    if (c && !c.IsToken) aggregateCalls(c, out);
  }
  return out;
}

interface AggOutcome {
  values: Value[];
  /** The values typed, when the aggregate computed them so. */
  numeric?: NumericView;
  rows?: Int32Array;
  columns?: Value[][];
}

/** Runs one aggregate call over the input rows with the given grouping. */
export function runAggregate(
  call: KNode,
  input: Frame,
  grouping: Grouping,
  env: Env,
  ctx: ExecContext,
): AggOutcome {
  const name = callName(call);
  const impl = aggregateFunction(name);
  if (!impl) unsupportedAt(ctx, call, 'function', name);
  const scope = scopeOf(input, env, ctx);
  const argNodes = callArgs(call);
  // An argument the implementation does not honour is refused, never ignored.
  const maxArgs = aggregateMaxArgs(name);
  if (argNodes.length > maxArgs)
    unsupportedAt(
      ctx,
      argNodes[maxArgs]!,
      'argument',
      `${parameterNameAt(call, maxArgs)} of ${name}()`,
    );
  const args: Evaluator[] = [];
  const argTypes: string[] = [];
  const constants: Value[] = [];
  const columns: (Column | undefined)[] = [];
  // Whether an argument is anything but a column of the input (then the result is not shared).
  let computed = false;
  for (const a of argNodes) {
    if (kindName(a) === 'StarExpression') {
      args.push(() => null);
      argTypes.push('dynamic');
      constants.push(null);
      columns.push(undefined);
      computed = true;
      continue;
    }
    const c = compileExpr(a, scope);
    args.push(c.fn);
    argTypes.push(c.type);
    constants.push(c.isConstant ? (c.constant ?? null) : null);
    // An argument computed a column at a time (`coalesce(PromptTokens, 0)`) is read typed too.
    const direct = referencedColumn(a, scope);
    if (!direct) computed = true;
    columns.push(direct ?? vectorValues(a, scope)?.column);
  }
  // An aggregate of columns (or of nothing: `count()`) over a batch's shared grouping is the
  // same for every query of the batch.
  const plain = !computed;
  const compute = (): AggOutcome =>
    outcome(impl, {
      args,
      argTypes,
      constants,
      gid: grouping.gid,
      groups: grouping.groups,
      rows: input.length,
      resultType: '',
      columns,
      mask: (i) => (argNodes[i] ? trueMask(argNodes[i], scope) : undefined),
    });
  if (!plain) return compute();
  return batchMemo(
    ctx,
    grouping,
    `${name}(${columns.map((c) => objectId(c!)).join(',')})`,
    compute,
  );
}

function outcome(impl: AggregateImpl, input: AggregateInput): AggOutcome {
  const result = impl(input);
  if (result.kind === 'columns')
    return { values: result.columns[0] ?? [], columns: result.columns };
  // Handed on as it is: a row-picking or typed result builds its values only if they are read
  // (see pickedRows and typedValues), and copying the property would read them.
  return result;
}

/** Outputs of a row-picking aggregate (`arg_max`, `take_any`): its arguments read at the picked rows. */
function rowPickColumns(
  call: KNode,
  picked: Int32Array,
  input: Frame,
  scope: Scope,
  starNames: string[],
): Column[] {
  const name = callName(call);
  let argNodes = callArgs(call);
  // take_anyif(expr, predicate) returns only expr.
  if (name === 'take_anyif' || name === 'anyif') argNodes = argNodes.slice(0, 1);
  const cols: Column[] = [];
  const at = (f: Evaluator): Value[] => {
    const out = new Array<Value>(picked.length);
    for (let g = 0; g < picked.length; g++) {
      const r = picked[g]!;
      out[g] = r < 0 ? null : f(r);
    }
    return out;
  };
  for (const a of argNodes) {
    if (kindName(a) === 'StarExpression') {
      for (const n of starNames) {
        const idx = columnIndex(input, n);
        const col = input.columns[idx]!;
        cols.push({ name: n, type: col.type, data: at((r) => col.data[r]!) });
      }
      continue;
    }
    // A plain column is picked lazily and keeps its dictionary encoding (a string column
    // never reads as null: Kusto strings are empty instead).
    const direct = kindName(a) === 'NameReference' ? evaluateColumn(a, scope).column : undefined;
    if (direct && (direct.type === 'string' || !picked.includes(-1))) {
      cols.push(pickColumn(direct, picked, input.length));
      continue;
    }
    const c = compileExpr(a, scope);
    cols.push({ name: '', type: c.type, data: at(c.fn) });
  }
  return cols;
}

export const summarize: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, []);
  const scope = scopeOf(input, env, ctx);
  const byClause = prop(op, 'ByClause');
  const byExprs = byClause ? elements(prop(byClause, 'Expressions')) : [];
  const keyCols = byExprs.map((e) => evaluateColumn(e, scope));
  const keys = keyCols.map((k) => k.column ?? k.data);
  // Keys that are columns group the same way for every query of a batch (batch-memo.ts).
  const grouping =
    keys.length > 0 && keys.every((k) => !Array.isArray(k))
      ? batchMemo(ctx, keys[0] as Column, `group:${keys.map((k) => objectId(k)).join(',')}`, () =>
          groupRows(keys, input.length),
        )
      : groupRows(keys, input.length);
  // A key that is a column keeps its dictionary encoding (a later join on it compares codes).
  const outKeys: Column[] = keyCols.map((k) =>
    k.column
      ? pickColumn(k.column, grouping.firstRow, input.length)
      : { name: '', type: k.type, data: Array.from(grouping.firstRow, (r) => k.data[r]!) },
  );

  const schema = outputSchema(op);
  const aggExprs = elements(prop(op, 'Aggregates'));
  const groupFrame: Frame = { columns: [], length: grouping.groups };
  const outAggs: Column[][] = [];
  let fixedCount = 0;
  const plans = aggExprs.map((expr) => {
    if (kindName(expr) === 'CompoundNamedExpression')
      unsupportedAt(ctx, expr, 'expression', '(a, b) = ...');
    const inner = kindName(expr) === 'SimpleNamedExpression' ? prop(expr, 'Expression')! : expr;
    const calls = aggregateCalls(inner);
    if (calls.length === 0)
      unsupportedAt(ctx, expr, 'expression', 'summarize expression without an aggregate');
    const direct = calls.length === 1 && calls[0] === inner;
    const star = direct && callArgs(inner).some((a) => kindName(a) === 'StarExpression');
    if (!star) fixedCount += direct ? Math.max(1, rowPickingWidth(inner)) : 1;
    return { expr, inner, calls, direct, star };
  });
  const starWidth = schema.length - byExprs.length - fixedCount;
  let cursor = byExprs.length;
  for (const plan of plans) {
    const results = new Map<KNode, AggOutcome>();
    for (const call of plan.calls) results.set(call, runAggregate(call, input, grouping, env, ctx));
    if (plan.direct) {
      const res = results.get(plan.inner)!;
      if (res.rows) {
        const width = plan.star ? starWidth : rowPickingWidth(plan.inner);
        const names = schema.slice(cursor, cursor + width).map((s) => s.name);
        // The star (always the last argument) expands to the slice's remaining names.
        const starNames = plan.star ? names.slice(callArgs(plan.inner).length - 1) : [];
        const cols = rowPickColumns(plan.inner, res.rows, input, scope, starNames);
        outAggs.push(cols);
        cursor += cols.length;
      } else if (res.columns) {
        outAggs.push(res.columns.map((data) => ({ name: '', type: '', data })));
        cursor += res.columns.length;
      } else {
        // Typed results are named here, so their boxed values stay unread (see typedValues).
        const { name, type } = schema[cursor]!;
        outAggs.push([
          res.numeric
            ? numericColumn(name, type, res.numeric)
            : { name: '', type: '', data: res.values },
        ]);
        cursor += 1;
      }
      continue;
    }
    const overrides = new Map<KNode, Evaluator>();
    for (const [call, res] of results) {
      if (res.rows)
        unsupportedAt(ctx, call, 'expression', `${callName(call)}() inside an expression`);
      const vals = res.values;
      overrides.set(call, (g) => vals[g]!);
    }
    const c = compileExpr(plan.inner, {
      frame: groupFrame.length ? groupFrame : SINGLE_ROW,
      env,
      ctx,
      overrides,
    });
    outAggs.push([
      { name: '', type: c.type, data: Array.from({ length: grouping.groups }, (_v, g) => c.fn(g)) },
    ]);
    cursor += 1;
  }
  const columns = [...outKeys, ...outAggs.flat()];
  if (columns.length !== schema.length) unsupportedAt(ctx, op, 'operator', 'summarize shape');
  return {
    columns: columns.map((c, i) =>
      c.name === '' && c.type === ''
        ? { name: schema[i]!.name, type: schema[i]!.type, data: c.data }
        : renamed(c, schema[i]!.name, schema[i]!.type),
    ),
    length: grouping.groups,
  };
};

/** Output columns of a row-picking aggregate with explicit arguments (0 if not row-picking). */
function rowPickingWidth(call: KNode): number {
  const name = callName(call);
  const n = callArgs(call).length;
  if (name === 'arg_max' || name === 'arg_min') return n === 1 ? 1 : n;
  if (name === 'take_any' || name === 'any') return n;
  if (name === 'take_anyif' || name === 'anyif') return 1;
  if (name === 'percentiles') return Math.max(1, n - 1);
  return 1;
}
