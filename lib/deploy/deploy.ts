/**
 * Cell A2: deploys the costing resources (azure) or starts the emulator (local).
 */
import type { CostingTarget, Deployment, OperationOptions } from '../target.js';

/**
 * Deploys, or picks up the deployment this target already made; idempotent.
 * @example showDeployment(await deploy(target, { onProgress: progressLine() }));
 */
export function deploy(target: CostingTarget, options: OperationOptions = {}): Promise<Deployment> {
  return target.deploy(options);
}
