/** `project`: selects, renames and computes columns, in the order written. */
import { elements, kindName, prop, referencedSymbol, symbolKindName } from '../kusto-language.js';
import { dictResultColumn, evaluateByDictionary } from '../engine/dict-eval.js';
import { compileExpr } from '../engine/expr.js';
import { vectorValues } from '../engine/expr-vector.js';
import { columnIndex, type Column } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import { applySchema, scopeOf, unsupportedAt, type Operator } from './common.js';

export const project: Operator = (op, input, env, ctx) => {
  const scope = scopeOf(input, env, ctx);
  const columns: Column[] = [];
  for (const expr of elements(prop(op, 'Expressions'))) {
    const kind = kindName(expr);
    if (kind === 'CompoundNamedExpression') unsupportedAt(ctx, expr, 'expression', '(a, b) = ...');
    // `A` and `B = A` reuse the column (and so its dictionary encoding) instead of copying it.
    const ref = kind === 'SimpleNamedExpression' ? prop(expr, 'Expression')! : expr;
    const sym = kindName(ref) === 'NameReference' ? referencedSymbol(ref) : undefined;
    if (kindName(ref) === 'NameReference' && (!sym || symbolKindName(sym) === 'Column')) {
      const idx = columnIndex(input, String(ref['SimpleName']));
      if (idx >= 0) {
        columns.push(input.columns[idx]!);
        continue;
      }
    }
    const byDict = evaluateByDictionary(expr, scope);
    if (byDict) {
      columns.push(dictResultColumn('', byDict, input.length));
      continue;
    }
    // Arithmetic, bins and day starts of number columns: a typed column, no value per row.
    const vec = vectorValues(expr, scope);
    if (vec) {
      columns.push(vec.column);
      continue;
    }
    const c = compileExpr(expr, scope);
    const data = new Array<Value>(input.length);
    for (let r = 0; r < input.length; r++) data[r] = c.fn(r);
    columns.push({ name: '', type: c.type, data });
  }
  return applySchema(op, columns, input.length, ctx, input.serialized);
};
