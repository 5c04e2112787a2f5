/**
 * `datatable(schema) [values]`: a pipeline source of literal rows.
 */
import { elements, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { SINGLE_ROW, type Column, type Frame } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import { outputSchema, scopeOf } from './common.js';

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
