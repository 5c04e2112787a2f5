/**
 * Compiles a scalar expression of the official syntax tree into a row evaluator. Types come
 * from the parser's semantic analysis (e.g. `long / long` truncates, `real / long` does not).
 */
import { KqlRuntimeError, KqlUnsupportedError } from '../errors.js';
import {
  kindName,
  prop,
  referencedSymbol,
  resultType,
  symbolKindName,
  type KNode,
} from '../kusto-language.js';
import type { Arg, Evaluator } from '../functions/registry.js';
import { callArgs, callName, compileCall } from './expr-calls.js';
import { compileComparison } from './expr-compare.js';
import { dictResultColumn, evaluateByDictionary } from './dict-eval.js';
import { vectorValues } from './expr-vector.js';
import { columnIndex, type Column } from './frame.js';
import { literalValue } from './literals.js';
import type { Scope } from './scope.js';
import {
  compileBetween,
  compileHasAnyAll,
  compileIn,
  compileStringPredicate,
  STRING_PREDICATES,
} from './expr-predicates.js';
import { isIntegerType, normaliseType, type Value } from './values.js';

/** A compiled expression. */
export type Compiled = Arg;

/** The Kusto type the parser gave an expression (`dynamic` when unknown). */
export function typeOf(node: KNode): string {
  const t = resultType(node);
  return t ? normaliseType(t.Name) : 'dynamic';
}

function unsupported(
  scope: Scope,
  node: KNode,
  kind: 'operator' | 'function' | 'expression',
  name: string,
): never {
  const p = scope.ctx.position(node.TextStart);
  throw new KqlUnsupportedError(kind, name, p.line, p.column);
}

function constant(node: KNode, value: Value): Compiled {
  return { fn: () => value, type: typeOf(node), node, constant: value, isConstant: true };
}

/** Compiles a scalar expression. */
export function compileExpr(node: KNode, scope: Scope): Compiled {
  const override = scope.overrides?.get(node);
  if (override) return { fn: override, type: typeOf(node), node, isConstant: false };
  const kind = kindName(node);
  const type = typeOf(node);
  const make = (fn: Evaluator): Compiled => ({ fn, type, node, isConstant: false });
  switch (kind) {
    case 'BooleanLiteralExpression':
    case 'IntLiteralExpression':
    case 'LongLiteralExpression':
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression':
    case 'StringLiteralExpression':
    case 'CompoundStringLiteralExpression':
    case 'DateTimeLiteralExpression':
    case 'TimespanLiteralExpression':
    case 'GuidLiteralExpression':
    case 'NullLiteralExpression':
    case 'DynamicExpression':
      return constant(node, literalValue(node, scope.ctx.position));
    case 'TypeOfLiteralExpression':
      // typeof(T) only carries a type; the parser already gave the call its result type.
      return constant(node, null);
    case 'ParenthesizedExpression':
      return compileExpr(prop(node, 'Expression')!, scope);
    case 'NameReference':
      return compileName(node, scope);
    case 'SimpleNamedExpression':
      return compileExpr(prop(node, 'Expression')!, scope);
    case 'UnaryMinusExpression': {
      const a = compileExpr(prop(node, 'Expression')!, scope).fn;
      return make((r) => {
        const v = a(r);
        return v === null ? null : -(v as number);
      });
    }
    case 'UnaryPlusExpression':
      return compileExpr(prop(node, 'Expression')!, scope);
    case 'AddExpression':
    case 'SubtractExpression':
    case 'MultiplyExpression':
    case 'DivideExpression':
    case 'ModuloExpression':
      return make(compileArithmetic(kind, node, type, scope));
    case 'EqualExpression':
    case 'NotEqualExpression':
    case 'LessThanExpression':
    case 'LessThanOrEqualExpression':
    case 'GreaterThanExpression':
    case 'GreaterThanOrEqualExpression':
      return make(compileComparison(kind, node, scope));
    case 'AndExpression':
    case 'OrExpression':
      return make(compileLogical(kind, node, scope));
    case 'InExpression':
    case 'InCsExpression':
    case 'NotInExpression':
    case 'NotInCsExpression':
      return make(compileIn(kind, node, scope));
    case 'BetweenExpression':
    case 'NotBetweenExpression':
      return make(compileBetween(kind === 'NotBetweenExpression', node, scope));
    case 'HasAnyExpression':
    case 'HasAllExpression':
      return make(compileHasAnyAll(kind === 'HasAllExpression', node, scope));
    case 'FunctionCallExpression':
      return compileCall(node, scope);
    case 'PathExpression':
      return make(compilePath(node, scope));
    case 'ElementExpression':
      return make(compileElement(node, scope));
    case 'ToScalarExpression':
      return compileToScalar(node, scope);
    default:
      if (kind in STRING_PREDICATES) return make(compileStringPredicate(kind, node, scope));
      return unsupported(scope, node, 'expression', kind.replace(/Expression$/, ''));
  }
}

function compileName(node: KNode, scope: Scope): Compiled {
  const name = String(node['SimpleName'] ?? '');
  const sym = referencedSymbol(node);
  const symKind = sym ? symbolKindName(sym) : '';
  const type = typeOf(node);
  if (symKind === 'Column' || !sym) {
    const idx = columnIndex(scope.frame, name);
    if (idx >= 0) {
      const col = scope.frame.columns[idx]!;
      // A typed or encoded column decodes on the first row read, not when compiled: a column
      // path (expr-mask.ts, the typed aggregates) may answer without reading a row this way.
      if (col.numeric || col.encode) {
        let lazy: Value[] | undefined;
        return { fn: (r) => (lazy ??= col.data)[r]!, type, node, isConstant: false };
      }
      const data = col.data;
      return { fn: (r) => data[r]!, type, node, isConstant: false };
    }
  }
  const binding = scope.env.get(name);
  if (binding && binding.kind === 'scalar') {
    const v = binding.value;
    return { fn: () => v, type: binding.type, node, constant: v, isConstant: true };
  }
  if (binding && binding.kind === 'row') return { fn: binding.fn, type, node, isConstant: false };
  if (symKind === 'Column') {
    throw new KqlRuntimeError(
      `Column '${name}' is not in the input of this operator (engine bug or unsupported shape).`,
    );
  }
  return unsupported(scope, node, 'expression', name);
}

function compileArithmetic(kind: string, node: KNode, type: string, scope: Scope): Evaluator {
  const l = compileExpr(prop(node, 'Left')!, scope).fn;
  const r = compileExpr(prop(node, 'Right')!, scope).fn;
  const intResult = isIntegerType(type);
  switch (kind) {
    case 'AddExpression':
      return (i) => {
        const a = l(i);
        if (a === null) return null;
        const b = r(i);
        return b === null ? null : (a as number) + (b as number);
      };
    case 'SubtractExpression':
      return (i) => {
        const a = l(i);
        if (a === null) return null;
        const b = r(i);
        return b === null ? null : (a as number) - (b as number);
      };
    case 'MultiplyExpression':
      return (i) => {
        const a = l(i);
        if (a === null) return null;
        const b = r(i);
        return b === null ? null : (a as number) * (b as number);
      };
    case 'DivideExpression':
      return (i) => {
        const a = l(i);
        if (a === null) return null;
        const b = r(i);
        if (b === null) return null;
        // Integer division truncates toward zero; an integer divided by zero is null.
        if (intResult) return b === 0 ? null : Math.trunc((a as number) / (b as number));
        return (a as number) / (b as number);
      };
    default:
      return (i) => {
        const a = l(i);
        if (a === null) return null;
        const b = r(i);
        if (b === null) return null;
        if (intResult && b === 0) return null;
        // Documented: N % D is a "small non-negative number", 0 <= N % D < abs(D), whatever
        // the signs (-14 % 12 is 10, 14 % -12 is 2).
        const m = (a as number) % (b as number);
        return m < 0 ? m + Math.abs(b as number) : m;
      };
  }
}

function compileLogical(kind: string, node: KNode, scope: Scope): Evaluator {
  const l = compileExpr(prop(node, 'Left')!, scope).fn;
  const r = compileExpr(prop(node, 'Right')!, scope).fn;
  if (kind === 'AndExpression') {
    return (i) => {
      const a = l(i);
      if (a === false) return false;
      const b = r(i);
      if (b === false) return false;
      return a === null || b === null ? null : true;
    };
  }
  return (i) => {
    const a = l(i);
    if (a === true) return true;
    const b = r(i);
    if (b === true) return true;
    return a === null || b === null ? null : false;
  };
}

/** A set key: primitives as themselves (so 1 and '1' differ), objects by their JSON. */
function dynamicMember(v: Value, key: string | number): Value {
  if (v === null || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    if (typeof key !== 'number') return null;
    const idx = key < 0 ? v.length + key : key;
    return v[idx] ?? null;
  }
  const got = (v as Record<string, Value>)[String(key)];
  return got === undefined ? null : got;
}

function compilePath(node: KNode, scope: Scope): Evaluator {
  const target = prop(node, 'Expression')!;
  const selector = prop(node, 'Selector')!;
  const key = String(selector['SimpleName'] ?? selector.ToString(0).trim());
  if (kindName(target) === 'NameReference' && scope.sides) {
    const side = String(target['SimpleName']);
    if (side === '$left' || side === '$right') {
      const frame = side === '$left' ? scope.sides.left : scope.sides.right;
      const idx = columnIndex(frame, key);
      if (idx < 0)
        throw new KqlRuntimeError(`Column '${key}' not found on the ${side} side of the join.`);
      const data = frame.columns[idx]!.data;
      return (r) => data[r]!;
    }
  }
  const t = compileExpr(target, scope).fn;
  return (r) => dynamicMember(t(r), key);
}

function compileElement(node: KNode, scope: Scope): Evaluator {
  const t = compileExpr(prop(node, 'Expression')!, scope).fn;
  let sel = prop(node, 'Selector')!;
  if (kindName(sel) === 'BracketedExpression') sel = prop(sel, 'Expression')!;
  const k = compileExpr(sel, scope).fn;
  return (r) => {
    const key = k(r);
    if (key === null) return null;
    return dynamicMember(t(r), typeof key === 'number' ? key : String(key));
  };
}

function compileToScalar(node: KNode, scope: Scope): Compiled {
  const frame = scope.ctx.evalTabular(prop(node, 'Expression')!, scope.env);
  const col = frame.columns[0];
  const value = col && frame.length > 0 ? col.data[0]! : null;
  return {
    fn: () => value,
    type: col ? col.type : typeOf(node),
    node,
    constant: value,
    isConstant: true,
  };
}

/**
 * The values of an expression for every row of the scope's frame. A plain column reference
 * returns the column's own array (frames are never mutated), so no copy is made.
 */
export function evaluateColumn(
  node: KNode,
  scope: Scope,
): { data: Value[]; type: string; column?: Column } {
  if (kindName(node) === 'NameReference' && !scope.overrides) {
    const sym = referencedSymbol(node);
    if (!sym || symbolKindName(sym) === 'Column') {
      const idx = columnIndex(scope.frame, String(node['SimpleName'] ?? ''));
      if (idx >= 0) {
        const col = scope.frame.columns[idx]!;
        return {
          get data(): Value[] {
            return col.data;
          },
          type: col.type,
          column: col,
        };
      }
    }
  }
  const n = scope.frame.length;
  const byDict = evaluateByDictionary(node, scope);
  if (byDict) {
    const column = dictResultColumn('', byDict, n);
    return {
      get data(): Value[] {
        return column.data;
      },
      type: byDict.type,
      column,
    };
  }
  const vec = vectorValues(node, scope);
  if (vec) return vec;
  const c = compileExpr(node, scope);
  const data = new Array<Value>(n);
  const f = c.fn;
  for (let r = 0; r < n; r++) data[r] = f(r);
  return { data, type: c.type };
}

export { callArgs, callName };
