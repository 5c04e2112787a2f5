/** `distinct a, b` / `distinct *`: one row per distinct combination (arquero `dedupe`). */
import { elements, kindName, prop } from '../kusto-language.js';
import { evaluateColumn } from '../engine/expr.js';
import { takeRows, type Column } from '../engine/frame.js';
import { aq } from '../engine/arquero.js';
import { applySchema, checkParameters, scopeOf, type Operator } from './common.js';

export const distinct: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, []);
  const exprs = elements(prop(op, 'Expressions'));
  let columns: Column[];
  if (exprs.length === 1 && kindName(exprs[0]!) === 'StarExpression') {
    columns = input.columns;
  } else {
    const scope = scopeOf(input, env, ctx);
    columns = exprs.map((e) => ({ name: '', ...evaluateColumn(e, scope) }));
  }
  const keys = columns.map((_c, i) => `k${i}`);
  const spec: Record<string, unknown[]> = {
    __row: Array.from({ length: input.length }, (_v, i) => i),
  };
  columns.forEach((c, i) => (spec[`k${i}`] = c.data));
  const deduped = aq().table(spec).dedupe(keys);
  const rows = deduped.array('__row') as number[];
  const picked = takeRows({ columns, length: input.length }, rows);
  return applySchema(op, picked.columns, picked.length, ctx);
};
