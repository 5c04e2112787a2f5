import type { KitConfig } from '../config/types.js';
import { createAzureTarget } from './load-azure-target.js';
import { createLocalTarget } from '../local/local-target.js';
import type { CostingTarget, Deployment, OperationOptions } from '../target.js';

let previous: CostingTarget | undefined;
let closing: Promise<void> = Promise.resolve();

/**
 * The target the configuration names (`local` by default). Building it does no I/O.
 * Re-running cell A1 replaces the kernel's earlier target: its servers are closed before the
 * new one deploys, so a notebook never leaks emulator ports.
 * @example const target = createTarget(config);
 */
export function createTarget(config: KitConfig): CostingTarget {
  if (previous) {
    const old = previous;
    closing = closing.then(() => old.close()).catch(() => undefined);
  }
  const inner = config.target === 'azure' ? createAzureTarget(config) : createLocalTarget(config);
  const target: CostingTarget = Object.assign(Object.create(inner) as CostingTarget, {
    async deploy(options?: OperationOptions): Promise<Deployment> {
      await closing;
      return inner.deploy(options);
    },
  });
  previous = target;
  return target;
}
