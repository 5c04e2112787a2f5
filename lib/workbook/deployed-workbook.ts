/**
 * `workbook.json` as a deployment publishes it: the one place that decides its placeholders and
 * its display name, for cell F, for E3's tile queries and for the local preview.
 */
import type { KitConfig } from '../config/types.js';
import type { Deployment } from '../target.js';
import { buildWorkbookData, loadWorkbook, type WorkbookDocument } from './workbook-json.js';

/**
 * The workbook with placeholders filled from the pricing of the configured SKU and models and the
 * App Insights of the deployment, AI API ids following the API prefix.
 */
export function deployedWorkbook(config: KitConfig, deployment: Deployment): WorkbookDocument {
  return loadWorkbook(buildWorkbookData(config, deployment));
}

/** The workbook's display name. */
export function workbookDisplayName(config: Pick<KitConfig, 'deployment'>): string {
  return `APIM Costing & Showback (${config.deployment.index})`;
}
