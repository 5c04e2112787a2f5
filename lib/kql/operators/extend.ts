/** `extend`: adds computed columns (or replaces same-named ones in place); later ones may use earlier ones. */
import { elements, kindName, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { dictResultColumn, evaluateByDictionary } from '../engine/dict-eval.js';
import { compileExpr } from '../engine/expr.js';
import { vectorValues } from '../engine/expr-vector.js';
import { columnIndex, type Column, type Frame } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import {
  applySchema,
  declaredName,
  outputSchema,
  renamed,
  scopeOf,
  unsupportedAt,
  type Operator,
} from './common.js';

/** Adds the expressions' columns to the frame one after another. */
export function extendFrame(
  op: KNode,
  exprs: KNode[],
  input: Frame,
  env: Env,
  ctx: ExecContext,
): Frame {
  let frame = input;
  const schema = outputSchema(op);
  for (const expr of exprs) {
    if (kindName(expr) === 'CompoundNamedExpression')
      unsupportedAt(ctx, expr, 'expression', '(a, b) = ...');
    // Unnamed expressions get the parser's generated name (Column1...).
    const name =
      declaredName(expr) ?? schema[frame.columns.length]?.name ?? `Column${frame.columns.length}`;
    const scope = scopeOf(frame, env, ctx);
    const byDict = evaluateByDictionary(expr, scope);
    const vec = byDict ? undefined : vectorValues(expr, scope);
    let col: Column;
    if (byDict) col = dictResultColumn(name, byDict, frame.length);
    else if (vec?.column) col = renamed(vec.column, name, vec.type);
    else if (vec) col = { name, type: vec.type, data: vec.data };
    else {
      const compiled = compileExpr(expr, scope);
      const data = new Array<Value>(frame.length);
      const f = compiled.fn;
      for (let r = 0; r < frame.length; r++) data[r] = f(r);
      col = { name, type: compiled.type, data };
    }
    const at = columnIndex(frame, name);
    const columns = [...frame.columns];
    if (at >= 0) columns[at] = col;
    else columns.push(col);
    frame = { columns, length: frame.length, serialized: frame.serialized };
  }
  return applySchema(op, frame.columns, frame.length, ctx, frame.serialized);
}

export const extend: Operator = (op, input, env, ctx) =>
  extendFrame(op, elements(prop(op, 'Expressions')), input, env, ctx);
