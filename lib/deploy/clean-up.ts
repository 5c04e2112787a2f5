/**
 * `clean-up.ipynb`: removes what `create.ipynb` made, and nothing else; a dry run lists it first.
 */
import type { CleanUpItem, CleanUpOptions, CostingTarget } from '../target.js';

/**
 * Lists (dry run, the default) or removes what the kit made on this target.
 * @example showCleanUp(await cleanUp(target, { dryRun: false }));
 */
export function cleanUp(
  target: CostingTarget,
  options: CleanUpOptions = {},
): Promise<CleanUpItem[]> {
  return target.cleanUp(options);
}
