/**
 * Function calls in scalar expressions: registered functions (arguments checked against what
 * each implementation honours), and `let`-defined functions (evaluated with their parameters
 * bound). Split from expr.ts so each file holds one family.
 */
import { elements, parameterNameAt, prop, type KNode } from '../kusto-language.js';
import { scalarFunction } from '../functions/registry.js';
import { isAggregateName } from '../functions/aggregate-registry.js';
import { KqlUnsupportedError } from '../errors.js';
import { compileExpr, typeOf, type Compiled } from './expr.js';
import { guardEvaluator, positioned } from './guard.js';
import type { Scope } from './scope.js';
import { compileUserCall } from './user-functions.js';

/** Functions whose value depends on the row's position or on chance: never folded or shared. */
export const ROW_FUNCTIONS: ReadonlySet<string> = new Set([
  'row_number',
  'prev',
  'next',
  'row_cumsum',
  'row_window_session',
  'row_rank_dense',
  'row_rank_min',
  'rand',
  'new_guid',
]);

/** The function name of a call node. */
export function callName(node: KNode): string {
  const name = prop(node, 'Name');
  return String(name?.['SimpleName'] ?? '');
}

/** The argument nodes of a call. */
export function callArgs(node: KNode): KNode[] {
  return elements(prop(prop(node, 'ArgumentList')!, 'Expressions'));
}

function refuse(scope: Scope, node: KNode, kind: 'function' | 'argument', name: string): never {
  const p = scope.ctx.position(node.TextStart);
  throw new KqlUnsupportedError(kind, name, p.line, p.column);
}

/** Compiles a call of a scalar function. */
export function compileCall(node: KNode, scope: Scope): Compiled {
  const name = callName(node);
  const type = typeOf(node);
  const binding = scope.env.get(name);
  if (binding && binding.kind === 'function') return compileUserCall(node, binding, scope);
  const spec = scalarFunction(name);
  if (!spec) {
    if (isAggregateName(name))
      return refuse(scope, node, 'function', `${name}() outside summarize`);
    return refuse(scope, node, 'function', name);
  }
  const argNodes = callArgs(node);
  if (argNodes.length > spec.maxArgs) {
    const extra = argNodes[spec.maxArgs]!;
    return refuse(scope, extra, 'argument', `${parameterNameAt(node, spec.maxArgs)} of ${name}()`);
  }
  const args = argNodes.map((a) => compileExpr(a, scope));
  let fn;
  try {
    fn = spec.compile(args, type, node, scope);
  } catch (e) {
    // A compile-time failure (a constant pattern JavaScript cannot compile) is at the call.
    throw positioned(e, scope.ctx.position, node, `${name}()`, scope.ctx.signal);
  }
  // A call of constants is one value for the whole query (`ago(30d)` reads the query's now):
  // computed once here instead of per row. One that fails stays a call, so the error is raised
  // where Kusto raises it, on a row.
  if (args.every((a) => a.isConstant) && !ROW_FUNCTIONS.has(name.toLowerCase())) {
    try {
      const value = fn(0);
      return { fn: () => value, type, node, constant: value, isConstant: true };
    } catch {
      // not folded
    }
  }
  return {
    fn: scope.ctx.locateCalls ? guardEvaluator(fn, scope.ctx.position, node, `${name}()`) : fn,
    type,
    node,
    isConstant: false,
  };
}
