/**
 * `range x from a to b step s`: a pipeline source of evenly spaced values.
 */
import { prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, type Frame } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import { applySchema, scopeOf } from './common.js';

/** `range x from a to b step s`: inclusive of `b`. */
export function range(op: KNode, env: Env, ctx: ExecContext): Frame {
  const scope = scopeOf(SINGLE_ROW, env, ctx);
  const from = compileExpr(prop(op, 'From')!, scope).fn(0) as number;
  const to = compileExpr(prop(op, 'To')!, scope).fn(0) as number;
  const step = compileExpr(prop(op, 'Step')!, scope).fn(0) as number;
  const data: Value[] = [];
  if (step > 0) for (let v = from; v <= to && data.length < 10_000_000; v += step) data.push(v);
  else if (step < 0)
    for (let v = from; v >= to && data.length < 10_000_000; v += step) data.push(v);
  return applySchema(op, [{ name: '', type: '', data }], data.length, ctx);
}
