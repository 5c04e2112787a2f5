/**
 * The scalar function registry: each function compiles its (already compiled) arguments into
 * one row evaluator. New functions go in with `registerScalar`.
 */
import type { KNode } from '../kusto-language.js';
import type { Value } from '../engine/values.js';
import type { Scope } from '../engine/scope.js';

/** Computes a value for one row. */
export type Evaluator = (row: number) => Value;

/** A compiled argument: its evaluator, its Kusto type, its syntax node. */
export interface Arg {
  fn: Evaluator;
  type: string;
  node: KNode;
  /** The literal value, when the argument is a constant literal. */
  constant?: Value;
  isConstant: boolean;
}

/** Compiles a call; `resultType` is the parser's type of the call. */
export type ScalarCompiler = (
  args: Arg[],
  resultType: string,
  call: KNode,
  scope: Scope,
) => Evaluator;

/** A registered function: its compiler and how many arguments it implements. */
export interface ScalarSpec {
  compile: ScalarCompiler;
  /**
   * The number of leading parameters the implementation honours. A call with more arguments
   * is refused with the first unhonoured parameter's name and position (never ignored).
   */
  maxArgs: number;
}

const scalars = new Map<string, ScalarSpec>();

/** Adds scalar functions under one or more names, honouring the first `maxArgs` parameters. */
export function registerScalar(
  names: string | string[],
  compile: ScalarCompiler,
  maxArgs: number,
): void {
  for (const n of Array.isArray(names) ? names : [names]) scalars.set(n, { compile, maxArgs });
}

/** The registered scalar function, or `undefined`. */
export function scalarFunction(name: string): ScalarSpec | undefined {
  return scalars.get(name);
}

/** The names of every registered scalar function. */
export function scalarFunctionNames(): string[] {
  return [...scalars.keys()].sort();
}

/** A function of one argument that maps null to null. */
export function unary(f: (v: Value) => Value): ScalarCompiler {
  return ([a]) => {
    const fa = a!.fn;
    return (r) => {
      const v = fa(r);
      return v === null ? null : f(v);
    };
  };
}

/** A function of two arguments that maps null (in either) to null. */
export function binary(f: (a: Value, b: Value) => Value): ScalarCompiler {
  return ([a, b]) => {
    const fa = a!.fn;
    const fb = b!.fn;
    return (r) => {
      const x = fa(r);
      if (x === null) return null;
      const y = fb(r);
      return y === null ? null : f(x, y);
    };
  };
}
