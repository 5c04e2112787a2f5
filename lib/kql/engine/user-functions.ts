/**
 * `let` statements and the functions they define: `let f = (x:long, y:long = 2) { x * y }`
 * (scalar), `let g = (n:long) { T | take n }` and `let V = view () { T }` (tabular), with
 * scalar, per-row and tabular (`(T:(*))`) parameters, defaults, and `let`s inside the body.
 * A call compiles the body with the parameters bound to the call's arguments, as Kusto expands
 * a function where it is called.
 */
import { KqlUnsupportedError } from '../errors.js';
import {
  elements,
  kindName,
  prop,
  resultType,
  symbolKindName,
  type KNode,
} from '../kusto-language.js';
import type { Binding, Env, ExecContext } from './context.js';
import { compileExpr, typeOf, type Compiled } from './expr.js';
import { callArgs } from './expr-calls.js';
import { SINGLE_ROW, type Frame } from './frame.js';
import type { Scope } from './scope.js';

/** Whether an expression is tabular (by the parser's result type). */
export function isTabularNode(expr: KNode): boolean {
  const t = resultType(expr);
  return t !== undefined && symbolKindName(t) === 'Table';
}

/** Adds a `let` statement's binding to the environment (a new map: scopes never leak). */
export function bindLet(stmt: KNode, env: Env, ctx: ExecContext): Env {
  const name = String(prop(prop(stmt, 'Name')!, 'SimpleName'));
  const expr = prop(stmt, 'Expression')!;
  const next = new Map(env);
  if (kindName(expr) === 'FunctionDeclaration') {
    next.set(name, { kind: 'function', decl: expr, env });
  } else if (isTabularNode(expr)) {
    next.set(name, { kind: 'tabular', node: expr, env });
  } else {
    const c = compileExpr(expr, { frame: SINGLE_ROW, env, ctx });
    next.set(name, { kind: 'scalar', value: c.fn(0), type: c.type });
  }
  return next;
}

interface Param {
  name: string;
  tabular: boolean;
  defaultValue?: KNode;
  node: KNode;
}

function parametersOf(decl: KNode): Param[] {
  const list = prop(prop(decl, 'Parameters')!, 'Parameters');
  return elements(list).map((p) => {
    const nt = prop(p, 'NameAndType')!;
    const typeNode = prop(nt, 'Type');
    const def = prop(p, 'DefaultValue');
    return {
      name: String(prop(prop(nt, 'Name')!, 'SimpleName') ?? ''),
      tabular: typeNode !== undefined && kindName(typeNode) === 'SchemaTypeExpression',
      defaultValue: def ? prop(def, 'Value') : undefined,
      node: p,
    };
  });
}

function refuse(ctx: ExecContext, node: KNode, what: string): never {
  const p = ctx.position(node.TextStart);
  throw new KqlUnsupportedError('expression', what, p.line, p.column);
}

/**
 * The environment a call's body runs in: the function's own (where it was declared) plus its
 * parameters; `rowArg` binds a scalar argument (evaluated per row when the call is).
 */
function callEnv(
  call: KNode,
  fnBinding: Extract<Binding, { kind: 'function' }>,
  callerEnv: Env,
  ctx: ExecContext,
  rowArg: (param: Param, arg: KNode) => Binding,
): Env {
  const params = parametersOf(fnBinding.decl);
  const args = kindName(call) === 'FunctionCallExpression' ? callArgs(call) : [];
  if (args.length > params.length) refuse(ctx, call, 'more arguments than parameters');
  let env = new Map(fnBinding.env);
  params.forEach((p, i) => {
    const arg = args[i];
    if (arg && kindName(arg) === 'NamedExpression') refuse(ctx, arg, 'named argument');
    if (p.tabular) {
      if (!arg) refuse(ctx, call, `missing tabular argument ${p.name}`);
      env.set(p.name, { kind: 'tabular', node: arg, env: callerEnv });
      return;
    }
    if (arg) {
      env.set(p.name, rowArg(p, arg));
      return;
    }
    if (!p.defaultValue) refuse(ctx, call, `missing argument ${p.name}`);
    const c = compileExpr(p.defaultValue, { frame: SINGLE_ROW, env: fnBinding.env, ctx });
    env.set(p.name, { kind: 'scalar', value: c.fn(0), type: c.type });
  });
  const body = prop(fnBinding.decl, 'Body')!;
  for (const stmt of elements(prop(body, 'Statements'))) {
    if (kindName(stmt) !== 'LetStatement') refuse(ctx, stmt, kindName(stmt));
    env = new Map(bindLet(stmt, env, ctx));
  }
  return env;
}

/** Compiles a scalar call of a `let` function for the rows of the caller's frame. */
export function compileUserCall(
  call: KNode,
  fnBinding: Extract<Binding, { kind: 'function' }>,
  scope: Scope,
): Compiled {
  const env = callEnv(call, fnBinding, scope.env, scope.ctx, (_p, arg) => {
    const c = compileExpr(arg, scope);
    return c.isConstant
      ? { kind: 'scalar', value: c.constant ?? null, type: c.type }
      : { kind: 'row', fn: c.fn, type: c.type };
  });
  const body = prop(prop(fnBinding.decl, 'Body')!, 'Expression')!;
  const c = compileExpr(body, { ...scope, env, overrides: undefined });
  return { fn: c.fn, type: typeOf(call), node: call, isConstant: false };
}

/** Evaluates a tabular call of a `let` function (or a view referenced by name). */
export function evalUserCall(
  call: KNode,
  fnBinding: Extract<Binding, { kind: 'function' }>,
  callerEnv: Env,
  ctx: ExecContext,
): Frame {
  const env = callEnv(call, fnBinding, callerEnv, ctx, (_p, arg) => {
    const c = compileExpr(arg, { frame: SINGLE_ROW, env: callerEnv, ctx });
    return { kind: 'scalar', value: c.fn(0), type: c.type };
  });
  const body = prop(prop(fnBinding.decl, 'Body')!, 'Expression')!;
  return ctx.evalTabular(body, env);
}
