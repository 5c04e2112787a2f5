/**
 * `make-series agg [default=v], ... on Time from A to B step S [by keys]` (or `in range(A, B, S)`):
 * per key, one array per aggregate with a value per step bin, plus the array of bin starts.
 * Output columns: keys, aggregates, then the axis (as the parser lists them).
 */
import { elements, kindName, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, takeRows, type Column, type Frame } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import { applySchema, checkParameters, scopeOf, unsupportedAt, type Operator } from './common.js';
import { groupRows } from './group-ids.js';
import { runAggregate } from './summarize.js';

function constant(node: KNode | undefined, env: Env, ctx: ExecContext): Value {
  return node ? compileExpr(node, scopeOf(SINGLE_ROW, env, ctx)).fn(0) : null;
}

export const makeSeries: Operator = (op, input, env, ctx) => {
  // kind=nonempty (a default row for empty input) is not implemented: refused by name.
  checkParameters(op, ctx, []);
  const scope = scopeOf(input, env, ctx);
  const onExpr = prop(prop(op, 'OnClause')!, 'Expression')!;
  const range = prop(op, 'RangeClause');
  let from: Value = null;
  let to: Value = null;
  let step: Value = null;
  if (range && kindName(range) === 'MakeSeriesFromToStepClause') {
    from = constant(prop(prop(range, 'MakeSeriesFromClause') ?? range, 'Expression'), env, ctx);
    to = constant(prop(prop(range, 'MakeSeriesToClause') ?? range, 'Expression'), env, ctx);
    step = constant(prop(prop(range, 'MakeSeriesStepClause')!, 'Expression'), env, ctx);
  } else if (range && kindName(range) === 'MakeSeriesInRangeClause') {
    const args = elements(prop(prop(range, 'Arguments')!, 'Expressions'));
    [from = null, to = null, step = null] = args.map((a) => constant(a, env, ctx));
  } else {
    unsupportedAt(ctx, op, 'expression', 'make-series without a range');
  }
  const axisCompiled = compileExpr(onExpr, scope);
  const axisFn = axisCompiled.fn;
  const axis = new Array<Value>(input.length);
  for (let r = 0; r < input.length; r++) axis[r] = axisFn(r);
  const stepN = Number(step);
  // Without `from`/`to`, the range is the data's own minimum and maximum.
  const present = axis.filter((v): v is number => typeof v === 'number');
  const lo = present.reduce((m, v) => Math.min(m, v), Infinity);
  const hi = present.reduce((m, v) => Math.max(m, v), -Infinity);
  const start = from === null ? (present.length ? lo : 0) : Number(from);
  const end = to === null ? (present.length ? hi + stepN : 0) : Number(to);
  const bins = Math.max(0, Math.ceil((end - start) / stepN));
  const binOf = new Int32Array(input.length);
  for (let r = 0; r < input.length; r++) {
    const v = axis[r];
    binOf[r] =
      typeof v === 'number' && v >= start && v < end ? Math.floor((v - start) / stepN) : -1;
  }
  const byClause = prop(op, 'ByClause');
  const keyCols = (byClause ? elements(prop(byClause, 'Expressions')) : []).map((e) => {
    const c = compileExpr(e, scope);
    const data = new Array<Value>(input.length);
    for (let r = 0; r < input.length; r++) data[r] = c.fn(r);
    return { type: c.type, data };
  });
  const groups = groupRows(
    keyCols.map((k) => k.data),
    input.length,
  );
  const nGroups = input.length === 0 ? 0 : groups.groups;
  // One aggregation over (group, bin) cells, then spread into arrays.
  const cellGid = new Uint32Array(input.length);
  const inRange: number[] = [];
  for (let r = 0; r < input.length; r++) {
    if (binOf[r]! < 0) continue;
    cellGid[inRange.length] = groups.gid[r]! * bins + binOf[r]!;
    inRange.push(r);
  }
  const sub: Frame = takeRows(input, inRange);
  const aggCols: Column[] = elements(prop(op, 'Aggregates')).map((agg) => {
    const named = prop(agg, 'Expression')!;
    const call = kindName(named) === 'SimpleNamedExpression' ? prop(named, 'Expression')! : named;
    if (kindName(call) !== 'FunctionCallExpression')
      unsupportedAt(ctx, call, 'expression', call.ToString(0).trim());
    const defClause = prop(agg, 'DefaultExpression');
    const def = defClause ? constant(prop(defClause, 'Expression'), env, ctx) : 0;
    const res = runAggregate(
      call,
      sub,
      { gid: cellGid.subarray(0, inRange.length), groups: nGroups * bins, firstRow: [] },
      env,
      ctx,
    );
    const counts = new Uint32Array(nGroups * bins);
    for (let i = 0; i < inRange.length; i++) counts[cellGid[i]!]!++;
    const data: Value[] = [];
    for (let g = 0; g < nGroups; g++) {
      const series: Value[] = [];
      for (let b = 0; b < bins; b++) {
        const cell = g * bins + b;
        series.push(counts[cell]! > 0 ? (res.values[cell] ?? def) : def);
      }
      data.push(series);
    }
    return { name: '', type: 'dynamic', data };
  });
  const axisValues = Array.from({ length: bins }, (_v, b) => start + b * stepN);
  // Inside a dynamic array a datetime is its ISO text, as Kusto returns it.
  const isTime = axisCompiled.type === 'datetime';
  const axisData: Value[] = [];
  for (let g = 0; g < nGroups; g++)
    axisData.push(axisValues.map((v) => (isTime ? new Date(v).toISOString() : v)));
  const outKeys: Column[] = keyCols.map((k) => ({
    name: '',
    type: k.type,
    data: Array.from({ length: nGroups }, (_v, g) => k.data[groups.firstRow[g]!]!),
  }));
  return applySchema(
    op,
    [...outKeys, ...aggCols, { name: '', type: 'dynamic', data: axisData }],
    nGroups,
    ctx,
  );
};
