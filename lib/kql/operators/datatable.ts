/**
 * `datatable(schema) [values]`: a pipeline source of literal rows.
 */
import { elements, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { numericColumn, SINGLE_ROW, type Column, type Frame } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import { outputSchema, scopeOf } from './common.js';

/** `datatable(a:long, b:string) [1, 'x', ...]`: values fill the rows column by column. */
export function datatable(node: KNode, env: Env, ctx: ExecContext): Frame {
  const schema = outputSchema(node);
  const scope = scopeOf(SINGLE_ROW, env, ctx);
  const values = elements(prop(node, 'Values')).map((e) => compileExpr(e, scope).fn(0));
  const width = schema.length;
  const rows = width === 0 ? 0 : Math.floor(values.length / width);
  const columns: Column[] = schema.map((s, i) => {
    const data = Array.from({ length: rows }, (_v, r) =>
      coerce(values[r * width + i] ?? null, s.type),
    );
    return (
      (NUMBER_TYPES.has(s.type) && typedColumn(s.name, s.type, data)) || {
        name: s.name,
        type: s.type,
        data,
      }
    );
  });
  return { columns, length: rows };
}

const NUMBER_TYPES = new Set(['int', 'long', 'real', 'decimal', 'datetime', 'timespan']);

/**
 * A number column typed, so what joins it (a price table looked up per request) stays typed
 * and its arithmetic runs column-wise (expr-vector.ts).
 */
function typedColumn(name: string, type: string, data: Value[]): Column | undefined {
  const values = new Float64Array(data.length);
  let nulls: Uint8Array | undefined;
  for (let r = 0; r < data.length; r++) {
    const v = data[r];
    if (typeof v === 'number') values[r] = v;
    else if (v === null) (nulls ??= new Uint8Array(data.length))[r] = 1;
    else return undefined;
  }
  const col = numericColumn(name, type, { values, nulls });
  col.data = data;
  return col;
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
