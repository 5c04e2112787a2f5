/**
 * Workbook update on its own (cell F): re-publishes `workbook.json` (placeholders replaced by
 * the caller) as `Microsoft.Insights/workbooks@2023-06-01` under the same deterministic GUID name
 * that `main.bicep` used, so the portal keeps one workbook that is updated in place.
 */
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { KitConfig } from '../config/types.js';
import type { PublishedWorkbook, PublishWorkbookOptions } from '../target.js';
import { abortOptions } from '../common/operation-signal.js';
import { WorkbookError } from '../errors.js';
import { toKitError } from './azure-errors.js';
import { portalResourceUrl } from './portal-links.js';
import { idForSdk, kitTags, resourceId, type AzureResourceNames } from './resource-names.js';

/** Workbooks REST version (PROTOCOLS 7.4). */
export const WORKBOOK_API_VERSION = '2023-06-01';

/**
 * Creates or updates the workbook resource and returns its portal URL.
 * @example await publishAzureWorkbook(resources, config, names, workspaceId, { serializedData, displayName });
 */
export async function publishAzureWorkbook(
  resources: ResourceManagementClient,
  config: KitConfig,
  names: AzureResourceNames,
  workspaceResourceId: string,
  options: PublishWorkbookOptions,
  tenantId?: string,
): Promise<Omit<PublishedWorkbook, 'links'>> {
  const leftover = /__[A-Z][A-Z0-9_]*__/.exec(options.serializedData);
  if (leftover !== null) {
    throw new WorkbookError(
      `The workbook still contains the placeholder ${leftover[0]}: fill every placeholder before publishing (workbookPlaceholders in lib/pricing).`,
    );
  }
  try {
    JSON.parse(options.serializedData);
  } catch (error) {
    throw new WorkbookError('The workbook data is not valid JSON: check workbook.json.', {
      cause: error,
    });
  }
  const id = resourceId(names, 'Microsoft.Insights/workbooks', names.workbookName);
  options.onProgress?.({ message: `Publishing workbook '${options.displayName}'` });
  try {
    await resources.resources.createOrUpdateById(
      idForSdk(id),
      WORKBOOK_API_VERSION,
      {
        location: config.deployment.location,
        kind: 'shared',
        tags: kitTags(config),
        properties: {
          displayName: options.displayName,
          serializedData: options.serializedData,
          sourceId: workspaceResourceId,
          category: 'workbook',
          version: 'Notebook/1.0',
        },
      },
      abortOptions(options.signal),
    );
  } catch (error) {
    throw toKitError(error, `publishing workbook '${options.displayName}'`);
  }
  return { id, url: `${portalResourceUrl(id, tenantId)}/workbook` };
}
