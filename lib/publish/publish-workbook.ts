/**
 * Cell F: the workbook as this deployment publishes it, and where to open it.
 */
import type { KitConfig } from '../config/load-config.js';
import { showMarkdown } from '../output/mime.js';
import {
  buildWorkbookData,
  loadWorkbook,
  type WorkbookDocument,
} from '../workbook/workbook-json.js';
import type { CostingTarget, Deployment, OperationOptions, PublishedWorkbook } from '../target.js';

/**
 * `workbook.json` as this deployment publishes it: placeholders filled from the pricing of the
 * configured SKU and model and the App Insights name, AI API ids following the API prefix.
 */
export function deployedWorkbook(config: KitConfig, deployment: Deployment): WorkbookDocument {
  return loadWorkbook(buildWorkbookData(config, deployment));
}

/** The workbook display name. */
export function workbookDisplayName(config: KitConfig): string {
  return `APIM Costing & Showback (${config.deployment.index})`;
}

/**
 * Publishes the workbook (azure) or writes the local HTML preview (local).
 * @example showPublishedWorkbook(await publishWorkbook(target, config), target);
 */
export function publishWorkbook(
  target: CostingTarget,
  config: KitConfig,
  options: OperationOptions = {},
): Promise<PublishedWorkbook> {
  const deployment = target.requireDeployment();
  return target.publishWorkbook({
    ...options,
    serializedData: buildWorkbookData(config, deployment),
    displayName: workbookDisplayName(config),
  });
}

interface PortalLinkSource {
  portalLinks(): Promise<{ label: string; url: string }[]>;
}

function hasPortalLinks(t: unknown): t is PortalLinkSource {
  return typeof (t as Partial<PortalLinkSource>).portalLinks === 'function';
}

/** Shows where the workbook is, and the portal links a target has (azure). */
export async function showPublishedWorkbook(
  published: PublishedWorkbook,
  target: CostingTarget,
): Promise<void> {
  const lines = [`**Workbook:** [${published.url}](${published.url})`];
  if (published.url.startsWith('file:')) {
    lines.push(
      `Local preview written to \`${published.id}\`: open it in a browser (it works offline).`,
    );
  }
  if (hasPortalLinks(target)) {
    for (const link of await target.portalLinks()) lines.push(`- [${link.label}](${link.url})`);
  }
  showMarkdown(lines.join('\n'));
}
