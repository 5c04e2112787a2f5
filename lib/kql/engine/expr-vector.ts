/**
 * Scalar expressions evaluated a column at a time over typed number columns, for the forms a
 * workbook evaluates over every row of a month of logs: `bin(TimeGenerated, 1h)` (and
 * `floor`) with a constant step, the key of nearly every time chart, `startofday()`, `coalesce(column, constant)`, and arithmetic of number
 * columns and constants (`PromptTokens * PromptPer1K / 1000.0`, the token cost of every AI
 * tile). Row by row each is a few closure calls per row; here it is one loop per operator.
 * Anything else returns `undefined` and is compiled as usual; both paths follow the same rules
 * (expr.ts `compileArithmetic`, math.ts `bin`): null in, null out.
 */
import { prop, kindName, type KNode } from '../kusto-language.js';
import { startOfDay } from '../functions/datetime-parts.js';
import { binValue } from '../functions/math.js';
import { callArgs, callName, compileExpr, typeOf } from './expr.js';
import { referencedColumn } from './expr-compare.js';
import { boolsOf, numericColumn, numericOf, type Column, type NumericView } from './frame.js';
import type { Scope } from './scope.js';
import { isIntegerType, type Value } from './values.js';

const ARITHMETIC = new Set([
  'AddExpression',
  'SubtractExpression',
  'MultiplyExpression',
  'DivideExpression',
  'ModuloExpression',
]);

/** Conversions whose value of a bool is 1 or 0 (null stays null). */
const BOOL_TO_NUMBER = new Set(['toint', 'tolong', 'toreal', 'todouble', 'todecimal']);

/** A typed column, or a constant number. */
type Operand = NumericView | number;

/** Nulls of either operand (a row is null if either side is). */
function eitherNull(a: Operand, b: Operand, n: number): Uint8Array | undefined {
  const x = typeof a === 'number' ? undefined : a.nulls;
  const y = typeof b === 'number' ? undefined : b.nulls;
  if (!x) return y ? y.slice() : undefined;
  if (!y) return x.slice();
  const out = new Uint8Array(n);
  for (let r = 0; r < n; r++) out[r] = x[r]! | y[r]!;
  return out;
}

function arithmetic(
  kind: string,
  a: Operand,
  b: Operand,
  intResult: boolean,
  n: number,
): NumericView {
  let nulls = eitherNull(a, b, n);
  const values = new Float64Array(n);
  const av = typeof a === 'number' ? undefined : a.values;
  const bv = typeof b === 'number' ? undefined : b.values;
  const ac = typeof a === 'number' ? a : 0;
  const bc = typeof b === 'number' ? b : 0;
  for (let r = 0; r < n; r++) {
    const x = av ? av[r]! : ac;
    const y = bv ? bv[r]! : bc;
    let v: number;
    switch (kind) {
      case 'AddExpression':
        v = x + y;
        break;
      case 'SubtractExpression':
        v = x - y;
        break;
      case 'MultiplyExpression':
        v = x * y;
        break;
      case 'DivideExpression':
        // Integer division truncates toward zero; an integer divided by zero is null.
        if (intResult && y === 0) {
          (nulls ??= new Uint8Array(n))[r] = 1;
          continue;
        }
        v = intResult ? Math.trunc(x / y) : x / y;
        break;
      default: {
        if (intResult && y === 0) {
          (nulls ??= new Uint8Array(n))[r] = 1;
          continue;
        }
        // Documented: N % D is a "small non-negative number", 0 <= N % D < abs(D).
        const m = x % y;
        v = m < 0 ? m + Math.abs(y) : m;
      }
    }
    values[r] = v;
  }
  // Rows null on either side hold whatever the loop computed: zero them, as stored nulls are.
  if (nulls) for (let r = 0; r < n; r++) if (nulls[r] === 1) values[r] = 0;
  return { values, nulls };
}

function binned(
  view: NumericView,
  step: number,
  isDatetime: boolean,
  integral: boolean,
): NumericView {
  const { values: src, nulls } = view;
  const values = new Float64Array(src.length);
  for (let r = 0; r < src.length; r++)
    if (nulls?.[r] !== 1) values[r] = binValue(src[r]!, step, isDatetime, integral);
  return { values, nulls };
}

/** `node` as a typed column or constant, or `undefined` when it is not a form computed here. */
function operand(node: KNode, scope: Scope, top: boolean): Operand | undefined {
  const kind = kindName(node);
  if (kind === 'ParenthesizedExpression') return operand(prop(node, 'Expression')!, scope, top);
  if (kind === 'NameReference') {
    // A plain column alone is its own column; only an operand of something is read here.
    const col = top ? undefined : referencedColumn(node, scope);
    if (col) return numericOf(col);
  }
  if (ARITHMETIC.has(kind)) {
    const a = operand(prop(node, 'Left')!, scope, false);
    const b = a === undefined ? undefined : operand(prop(node, 'Right')!, scope, false);
    if (a === undefined || b === undefined || (typeof a === 'number' && typeof b === 'number'))
      return undefined;
    return arithmetic(kind, a, b, isIntegerType(typeOf(node)), scope.frame.length);
  }
  if (kind === 'FunctionCallExpression') {
    const name = callName(node);
    if (name === 'coalesce' && !scope.env.has(name)) {
      // `coalesce(PromptTokens, 0)`: a typed column's nulls read as the constant.
      const args = callArgs(node);
      const col = args.length === 2 ? referencedColumn(args[0]!, scope) : undefined;
      const view = col ? numericOf(col) : undefined;
      const fill = view ? operand(args[1]!, scope, false) : undefined;
      if (!view || typeof fill !== 'number') return undefined;
      if (!view.nulls) return view;
      const values = view.values.slice();
      for (let r = 0; r < values.length; r++) if (view.nulls[r] === 1) values[r] = fill;
      return { values, nulls: undefined };
    }
    if (BOOL_TO_NUMBER.has(name) && !scope.env.has(name)) {
      // `toint(IsStreamCompletion)`: 1, 0 or null from a bool column's stored values.
      const args = callArgs(node);
      const col = args.length === 1 ? referencedColumn(args[0]!, scope) : undefined;
      const bools = col?.type === 'bool' ? boolsOf(col) : undefined;
      if (!bools) return undefined;
      // Loops, not `Float64Array.from` with a mapper: that iterates, an object per row.
      const values = new Float64Array(bools.length);
      for (let r = 0; r < bools.length; r++) if (bools[r] === 1) values[r] = 1;
      let nulls: Uint8Array | undefined;
      if (bools.includes(-1)) {
        nulls = new Uint8Array(bools.length);
        for (let r = 0; r < bools.length; r++) if (bools[r] === -1) nulls[r] = 1;
      }
      return { values, nulls };
    }
    if (name === 'startofday' && !scope.env.has(name)) {
      // `Day = startofday(TimeGenerated)` (no offset): the UTC day, as datetime-parts.ts has it.
      const args = callArgs(node);
      const col = args.length === 1 ? referencedColumn(args[0]!, scope) : undefined;
      const view = col?.type === 'datetime' ? numericOf(col) : undefined;
      if (!view) return undefined;
      const values = new Float64Array(view.values.length);
      for (let r = 0; r < values.length; r++)
        if (view.nulls?.[r] !== 1) values[r] = startOfDay(view.values[r]!);
      return { values, nulls: view.nulls };
    }
    if ((name === 'bin' || name === 'floor') && !scope.env.has(name)) {
      const args = callArgs(node);
      const col = args.length === 2 ? referencedColumn(args[0]!, scope) : undefined;
      const view = col ? numericOf(col) : undefined;
      if (!view) return undefined;
      const size = compileExpr(args[1]!, scope);
      const step = size.constant;
      if (!size.isConstant || typeof step !== 'number' || !(step > 0)) return undefined;
      const type = typeOf(node);
      return binned(view, step, col!.type === 'datetime', type === 'int' || type === 'long');
    }
  }
  if (top) return undefined;
  const c = compileExpr(node, scope);
  return c.isConstant && typeof c.constant === 'number' ? c.constant : undefined;
}

/** The values of `node` for every row of the scope's frame, when it is a form computed column-wise. */
export function vectorValues(
  node: KNode,
  scope: Scope,
): { data: Value[]; type: string; column: Column } | undefined {
  if (scope.overrides || scope.sides) return undefined;
  if (kindName(node) === 'SimpleNamedExpression')
    return vectorValues(prop(node, 'Expression')!, scope);
  const result = operand(node, scope, true);
  if (result === undefined || typeof result === 'number') return undefined;
  const type = typeOf(node);
  const column = numericColumn('', type, result);
  return {
    get data(): Value[] {
      return column.data;
    },
    type,
    column,
  };
}
