/** `where` (`filter`): keeps the rows whose predicate is true (null counts as false). */
import { prop } from '../kusto-language.js';
import { compileExpr } from '../engine/expr.js';
import { takeRows } from '../engine/frame.js';
import { scopeOf, type Operator } from './common.js';

export const where: Operator = (op, input, env, ctx) => {
  const pred = compileExpr(prop(op, 'Condition')!, scopeOf(input, env, ctx)).fn;
  const keep: number[] = [];
  for (let r = 0; r < input.length; r++) if (pred(r) === true) keep.push(r);
  if (keep.length === input.length) return input;
  return takeRows(input, keep);
};
