/**
 * The engine's error boundary: anything that is not one of the kit's own errors (a JavaScript
 * `TypeError`, `RangeError` from a date out of range, a regular expression JavaScript cannot
 * compile, a stack overflow) becomes a `KqlRuntimeError` at the position of the operator or call
 * it came from, so a user never sees a raw JavaScript error without a line and column.
 */
import { KitError } from '../../errors.js';
import { KqlRuntimeError } from '../errors.js';
import type { KNode } from '../kusto-language.js';
import type { Evaluator } from '../functions/registry.js';

type Position = (offset: number) => { line: number; column: number };

/** Whether an error passes the boundary unchanged (the kit's own errors, cancellation). */
export function isKitOwned(e: unknown, signal?: AbortSignal): boolean {
  return e instanceof KitError || (signal?.aborted === true && e === signal.reason);
}

function describe(e: unknown): string {
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return 'the query recursed too deeply (a function calling itself?)';
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The error as a positioned `KqlRuntimeError` (kit errors are returned as they are). */
export function positioned(
  e: unknown,
  position: Position,
  node: KNode | undefined,
  what: string,
  signal?: AbortSignal,
): unknown {
  if (isKitOwned(e, signal)) return e;
  const p = position(node?.TextStart ?? 0);
  return new KqlRuntimeError(`The local KQL engine failed evaluating ${what}: ${describe(e)}`, {
    cause: e,
    line: p.line,
    column: p.column,
  });
}

/** Wraps a row evaluator so an unexpected error names the call's position. */
export function guardEvaluator(
  fn: Evaluator,
  position: Position,
  node: KNode,
  what: string,
): Evaluator {
  return (r) => {
    try {
      return fn(r);
    } catch (e) {
      throw positioned(e, position, node, what);
    }
  };
}
