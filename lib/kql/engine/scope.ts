/**
 * What a scalar expression is compiled against: the input frame, the `let` bindings, and
 * (inside `summarize`) evaluators that stand in for aggregate calls.
 */
import type { KNode } from '../kusto-language.js';
import type { Evaluator } from '../functions/registry.js';
import type { Env, ExecContext } from './context.js';
import type { Frame } from './frame.js';

export interface Scope {
  frame: Frame;
  env: Env;
  ctx: ExecContext;
  /** Replacements for sub-expressions (aggregate results inside `summarize`). */
  overrides?: Map<KNode, Evaluator>;
  /** Join conditions: frames reachable as `$left` / `$right`. */
  sides?: { left: Frame; right: Frame };
}
