/**
 * `print a = expr, ...`: a pipeline source of one row.
 */
import { elements, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, type Column, type Frame } from '../engine/frame.js';
import { applySchema, scopeOf } from './common.js';

/** `print a = expr, ...`: one row. */
export function print(op: KNode, env: Env, ctx: ExecContext): Frame {
  const scope = scopeOf(SINGLE_ROW, env, ctx);
  const columns: Column[] = elements(prop(op, 'Expressions')).map((e) => {
    const c = compileExpr(e, scope);
    return { name: '', type: c.type, data: [c.fn(0)] };
  });
  return applySchema(op, columns, 1, ctx);
}
