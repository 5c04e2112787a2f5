/** `top N by expr [asc|desc]`: the first N rows of the sorted input. */
import { prop } from '../kusto-language.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, takeRows } from '../engine/frame.js';
import { checkParameters, scopeOf, type Operator } from './common.js';
import { sortKey, topIndex } from './sort.js';

export const top: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, []);
  const n = Number(compileExpr(prop(op, 'Expression')!, scopeOf(SINGLE_ROW, env, ctx)).fn(0) ?? 0);
  const key = sortKey(prop(op, 'ByExpression')!, input, env, ctx);
  const idx = topIndex([key], input.length, Math.max(0, n));
  return { ...takeRows(input, idx), serialized: true };
};
