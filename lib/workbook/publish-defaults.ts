/**
 * Parameter defaults that follow the kit's configuration rather than a publish-time placeholder:
 * the AI API ids (the API prefix) and the App ID names (the simulated callers), set on the filled
 * workbook; then every default is checked against its parameter's validation rule, so a workbook
 * never ships a value the portal would flag.
 */
import type { KitConfig } from '../config/types.js';
import { WorkbookError } from '../errors.js';
import { brokenRules, collectParameters, walk } from './parameters.js';
import type { WorkbookDocument } from './workbook-json.js';

/**
 * Sets `AiApiIds` to the configured prefix's AI APIs and `AppIdNames` to the simulated callers'
 * names, then checks every parameter default against its rules.
 * @throws {@link WorkbookError} naming the parameter, its value and the rule it breaks.
 */
export function applyPublishDefaults(
  workbook: WorkbookDocument,
  config: Pick<KitConfig, 'deployment' | 'callers'>,
): void {
  const prefix = config.deployment.apiPrefix;
  setDefault(workbook, 'AiApiIds', `${prefix}aoai-gateway-api,${prefix}token-tracking-api`);
  setDefault(workbook, 'AppIdNames', appIdNames(config.callers));
  for (const p of collectParameters(workbook).values()) {
    const broken = brokenRules(p);
    if (broken.length > 0)
      throw new WorkbookError(
        `Workbook parameter ${p.name} would be published as ${JSON.stringify(p.value)}, which its rule rejects: ${broken.join(' ')} Fix the value in workbook.json or the configuration it comes from.`,
      );
  }
}

/**
 * The callers as the JSON object the Entra ID tab's `parse_json('{AppIdNames}')` reads. The text
 * sits inside a single-quoted KQL string, so quotes and backslashes in a name become their
 * typographic look-alikes (a display name only).
 */
export function appIdNames(callers: readonly { appId: string; name: string }[]): string {
  const safe = (s: string): string =>
    s.replace(/'/g, '\u2019').replace(/"/g, '\u201d').replace(/\\/g, '/');
  return JSON.stringify(Object.fromEntries(callers.map((c) => [safe(c.appId), safe(c.name)])));
}

function setDefault(workbook: WorkbookDocument, name: string, value: string): void {
  walk(workbook.items, (item) => {
    for (const p of item.content.parameters ?? []) if (p.name === name) p.value = value;
  });
}
