/**
 * Scalar expressions evaluated a column at a time, for the forms a workbook evaluates over
 * every row of a month of logs: `bin(TimeGenerated, 1h)` (and `floor`) of a column with a
 * constant step, the key of nearly every time chart. Row by row it is three closure calls per
 * row; here it is one loop. Anything else returns `undefined` and is compiled as usual.
 */
import { prop, kindName, type KNode } from '../kusto-language.js';
import { binValue } from '../functions/math.js';
import { callArgs, callName, compileExpr, typeOf } from './expr.js';
import { referencedColumn } from './expr-compare.js';
import { numericColumn, numericOf, type Column } from './frame.js';
import type { Scope } from './scope.js';
import type { Value } from './values.js';

const BINNABLE = new Set(['int', 'long', 'real', 'double', 'decimal', 'datetime', 'timespan']);

/** The values of `node` for every row of the scope's frame, when it is a form computed column-wise. */
export function vectorValues(
  node: KNode,
  scope: Scope,
): { data: Value[]; type: string; column?: Column } | undefined {
  if (scope.overrides || scope.sides) return undefined;
  const kind = kindName(node);
  if (kind === 'SimpleNamedExpression') return vectorValues(prop(node, 'Expression')!, scope);
  if (kind !== 'FunctionCallExpression') return undefined;
  const name = callName(node);
  if ((name !== 'bin' && name !== 'floor') || scope.env.has(name)) return undefined;
  const args = callArgs(node);
  if (args.length !== 2) return undefined;
  const col = referencedColumn(args[0]!, scope);
  if (!col || !BINNABLE.has(col.type)) return undefined;
  const size = compileExpr(args[1]!, scope);
  const step = size.constant;
  if (!size.isConstant || typeof step !== 'number' || !(step > 0)) return undefined;
  const type = typeOf(node);
  const isDatetime = col.type === 'datetime';
  const integral = type === 'int' || type === 'long';
  const n = scope.frame.length;
  const view = numericOf(col);
  if (view) {
    // Typed in, typed out: a `summarize by` or a later filter reads the bins without boxing.
    const values = new Float64Array(n);
    const { values: src, nulls } = view;
    for (let r = 0; r < n; r++)
      if (nulls?.[r] !== 1) values[r] = binValue(src[r]!, step, isDatetime, integral);
    const column = numericColumn('', type, { values, nulls });
    return {
      get data(): Value[] {
        return column.data;
      },
      type,
      column,
    };
  }
  const src = col.data;
  const data = new Array<Value>(n);
  for (let r = 0; r < n; r++) {
    const x = src[r]!;
    data[r] = x === null ? null : binValue(x as number, step, isDatetime, integral);
  }
  return { data, type };
}
