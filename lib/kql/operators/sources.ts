/**
 * Operators that start a pipeline without input: `print`, `range`, `datatable`.
 */
import { elements, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, type Column, type Frame } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import { applySchema, outputSchema, scopeOf } from './common.js';

/** `print a = expr, ...`: one row. */
export function print(op: KNode, env: Env, ctx: ExecContext): Frame {
  const scope = scopeOf(SINGLE_ROW, env, ctx);
  const columns: Column[] = elements(prop(op, 'Expressions')).map((e) => {
    const c = compileExpr(e, scope);
    return { name: '', type: c.type, data: [c.fn(0)] };
  });
  return applySchema(op, columns, 1, ctx);
}

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

/** `datatable(a:long, b:string) [1, 'x', ...]`: values fill the rows column by column. */
export function datatable(node: KNode, env: Env, ctx: ExecContext): Frame {
  const schema = outputSchema(node);
  const scope = scopeOf(SINGLE_ROW, env, ctx);
  const values = elements(prop(node, 'Values')).map((e) => compileExpr(e, scope).fn(0));
  const width = schema.length;
  const rows = width === 0 ? 0 : Math.floor(values.length / width);
  const columns: Column[] = schema.map((s, i) => ({
    name: s.name,
    type: s.type,
    data: Array.from({ length: rows }, (_v, r) => coerce(values[r * width + i] ?? null, s.type)),
  }));
  return { columns, length: rows };
}

function coerce(v: Value, type: string): Value {
  if (v === null) return type === 'string' ? '' : null;
  if (
    (type === 'real' || type === 'long' || type === 'int' || type === 'decimal') &&
    typeof v === 'number'
  )
    return v;
  return v;
}
