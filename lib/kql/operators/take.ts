/** `take` / `limit`: the first N rows. */
import { prop } from '../kusto-language.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, sliceRows } from '../engine/frame.js';
import { checkParameters, scopeOf, type Operator } from './common.js';

export const take: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, []);
  const n = Number(compileExpr(prop(op, 'Expression')!, scopeOf(SINGLE_ROW, env, ctx)).fn(0) ?? 0);
  return sliceRows(input, n);
};
