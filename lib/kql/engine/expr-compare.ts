/**
 * Comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`): Kusto's null rules, structural equality of
 * dynamic values, and a direct read of the column for `column < constant` on numbers (the time
 * filter every workbook query starts with).
 */
import { kindName, prop, referencedSymbol, symbolKindName, type KNode } from '../kusto-language.js';
import type { Evaluator } from '../functions/registry.js';
import { compileExpr } from './expr.js';
import { columnIndex, type Column } from './frame.js';
import type { Scope } from './scope.js';
import { compareValues, valueKey, type Value } from './values.js';

export function compileComparison(kind: string, node: KNode, scope: Scope): Evaluator {
  const left = compileExpr(prop(node, 'Left')!, scope);
  const right = compileExpr(prop(node, 'Right')!, scope);
  const l = left.fn;
  const r = right.fn;
  if (kind === 'EqualExpression' || kind === 'NotEqualExpression') {
    const neg = kind === 'NotEqualExpression';
    const structural = left.type === 'dynamic' || right.type === 'dynamic';
    // Documented: null == null is null; null == value is false (and != gives true).
    return (i) => {
      const a = l(i);
      const b = r(i);
      if (a === null || b === null) return a === null && b === null ? null : neg;
      let eq: boolean;
      if (a === b) eq = true;
      else if (structural && typeof a === 'object' && typeof b === 'object')
        eq = valueKey(a) === valueKey(b);
      else eq = false;
      return neg ? !eq : eq;
    };
  }
  // `column < constant` on numbers (times are numbers): read the column's array directly.
  const direct = referencedColumn(prop(node, 'Left')!, scope);
  if (direct && right.isConstant && typeof right.constant === 'number') {
    const c = right.constant;
    // Read on the first row, not when compiled (a column path may answer without rows).
    let data: Value[] | undefined;
    switch (kind) {
      case 'LessThanExpression':
        return (i) => {
          const a = (data ??= direct.data)[i]!;
          return typeof a === 'number' ? a < c : a === null ? null : compareValues(a, c) < 0;
        };
      case 'LessThanOrEqualExpression':
        return (i) => {
          const a = (data ??= direct.data)[i]!;
          return typeof a === 'number' ? a <= c : a === null ? null : compareValues(a, c) <= 0;
        };
      case 'GreaterThanExpression':
        return (i) => {
          const a = (data ??= direct.data)[i]!;
          return typeof a === 'number' ? a > c : a === null ? null : compareValues(a, c) > 0;
        };
      default:
        return (i) => {
          const a = (data ??= direct.data)[i]!;
          return typeof a === 'number' ? a >= c : a === null ? null : compareValues(a, c) >= 0;
        };
    }
  }
  const test =
    kind === 'LessThanExpression'
      ? (c: number) => c < 0
      : kind === 'LessThanOrEqualExpression'
        ? (c: number) => c <= 0
        : kind === 'GreaterThanExpression'
          ? (c: number) => c > 0
          : (c: number) => c >= 0;
  return (i) => {
    const a = l(i);
    if (a === null) return null;
    const b = r(i);
    if (b === null) return null;
    if (typeof a === 'number' && typeof b === 'number') return test(a - b);
    return test(compareValues(a, b));
  };
}

/** The column a plain reference names in the scope's frame, else `undefined`. */
export function referencedColumn(node: KNode, scope: Scope): Column | undefined {
  if (kindName(node) !== 'NameReference' || scope.overrides?.has(node)) return undefined;
  const sym = referencedSymbol(node);
  if (sym && symbolKindName(sym) !== 'Column') return undefined;
  const idx = columnIndex(scope.frame, String(node['SimpleName'] ?? ''));
  return idx >= 0 ? scope.frame.columns[idx] : undefined;
}
