/** `where` (`filter`): keeps the rows whose predicate is true (null counts as false). */
import { prop } from '../kusto-language.js';
import { compileExpr } from '../engine/expr.js';
import { takeRows } from '../engine/frame.js';
import { scopeOf, type Operator } from './common.js';

export const where: Operator = (op, input, env, ctx) => {
  const pred = compileExpr(prop(op, 'Condition')!, scopeOf(input, env, ctx)).fn;
  const keep = new Uint32Array(input.length);
  let n = 0;
  for (let r = 0; r < input.length; r++) if (pred(r) === true) keep[n++] = r;
  if (n === input.length) return input;
  return takeRows(input, keep.subarray(0, n));
};
