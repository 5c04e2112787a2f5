/**
 * Cell F: publishes the workbook (azure) or writes its local HTML preview (local).
 */
import { buildWorkbookData } from '../workbook/workbook-json.js';
import { workbookDisplayName } from '../workbook/deployed-workbook.js';
import type { CostingTarget, OperationOptions, PublishedWorkbook } from '../target.js';

/**
 * Publishes `workbook.json` with its placeholders filled for this deployment.
 * @example showPublishedWorkbook(await publishWorkbook(target));
 */
export function publishWorkbook(
  target: CostingTarget,
  options: OperationOptions = {},
): Promise<PublishedWorkbook> {
  const deployment = target.requireDeployment();
  return target.publishWorkbook({
    ...options,
    serializedData: buildWorkbookData(target.config, deployment),
    displayName: workbookDisplayName(target.config),
  });
}
