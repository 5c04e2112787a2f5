/**
 * The Azure Monitor workbook (`Notebook/1.0`) as plain types, plus loading it from the kit
 * root and filling the publish-time placeholders.
 */
import { readArtifact } from '../artifacts/read-artifact.js';
import type { KitConfig } from '../config/types.js';
import { WorkbookError } from '../errors.js';
import {
  WORKBOOK_PLACEHOLDERS,
  workbookPlaceholders,
  type WorkbookPlaceholder,
} from '../pricing/pricing.js';
import type { Deployment } from '../target.js';
import { applyPublishDefaults } from './publish-defaults.js';

/** A workbook parameter (`KqlParameterItem/1.0`); only the fields the kit reads are typed. */
export interface WorkbookParameter {
  id?: string;
  name: string;
  label?: string;
  /** 1 text, 2 drop-down, 4 time range. */
  type: number;
  value?: unknown;
  description?: string;
  typeSettings?: Record<string, unknown>;
  jsonData?: string;
  multiSelect?: boolean;
  quote?: string;
  delimiter?: string;
}

/** Visibility rule of an item, e.g. the tab a group belongs to. */
export interface ConditionalVisibility {
  parameterName: string;
  comparison: 'isEqualTo' | 'isNotEqualTo';
  value: string;
}

/** One workbook item; `content` depends on `type` (1 text, 3 query, 9 parameters, 11 links, 12 group). */
export interface WorkbookItem {
  type: number;
  name: string;
  content: WorkbookItemContent;
  customWidth?: string;
  conditionalVisibility?: ConditionalVisibility;
  [key: string]: unknown;
}

/** The union of the content fields the kit reads. */
export interface WorkbookItemContent {
  version?: string;
  /** Markdown of a text item. */
  json?: string;
  /** KQL of a query item. */
  query?: string;
  title?: string;
  visualization?: string;
  size?: number;
  noDataMessage?: string;
  exportFieldName?: string;
  exportParameterName?: string;
  exportDefaultValue?: string;
  tileSettings?: {
    titleContent?: { columnMatch?: string };
    leftContent?: { columnMatch?: string };
    subtitleContent?: { columnMatch?: string };
  };
  chartSettings?: {
    xAxis?: string;
    yAxis?: string[];
    /** A reference line: a number or a `{Parameter}` reference. */
    customThresholdLine?: string;
    seriesLabelSettings?: { seriesName: string; label?: string; color?: string }[];
  };
  gridSettings?: { rowLimit?: number; [key: string]: unknown };
  /** Groups: drawn as a header that opens them. */
  expandable?: boolean;
  expanded?: boolean;
  parameters?: WorkbookParameter[];
  links?: { cellValue?: string; linkLabel?: string; subTarget?: string; linkTarget?: string }[];
  style?: string;
  items?: WorkbookItem[];
  [key: string]: unknown;
}

/** A whole workbook document. */
export interface WorkbookDocument {
  version: string;
  items: WorkbookItem[];
  [key: string]: unknown;
}

/** Matches any `__UPPER_CASE__` placeholder left in the text. */
const PLACEHOLDER_PATTERN = /__[A-Z][A-Z0-9_]*__/g;

/**
 * The shape a placeholder value must have. Most land inside KQL string literals such as
 * `app('...')` and `todouble('...')`, so they may hold no quote, backslash or newline; the price
 * table is the rows of a `datatable` and must be exactly that (`'name', rate, rate, 'as of'`, ...).
 */
const PLACEHOLDER_FORMS: Partial<Record<WorkbookPlaceholder, { pattern: RegExp; what: string }>> = {
  __MODEL_PRICES__: {
    pattern:
      /^'[a-z0-9.-]+', \d+(\.\d+)?, \d+(\.\d+)?, '[A-Za-z0-9 ]+'(, '[a-z0-9.-]+', \d+(\.\d+)?, \d+(\.\d+)?, '[A-Za-z0-9 ]+')*$/,
    what: "datatable rows 'model', prompt per 1K, completion per 1K, 'as of' (from modelPriceRows() in lib/pricing)",
  },
};
const PLAIN_VALUE = { pattern: /^[^'"\\\n]*$/, what: 'a plain name or number' };

/**
 * Reads `workbook.json` from the kit root (or parses the given text) and checks its shape.
 * @param text - workbook JSON; when omitted, the kit's `workbook.json` is read.
 * @throws {@link WorkbookError} when it is not a `Notebook/1.0` document.
 * @example const workbook = loadWorkbook();
 */
export function loadWorkbook(text?: string): WorkbookDocument {
  const source = text ?? readArtifact('workbook.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new WorkbookError(
      `workbook.json is not valid JSON (${(error as Error).message}); fix the file and retry.`,
      {
        cause: error,
      },
    );
  }
  const doc = parsed as Partial<WorkbookDocument>;
  if (
    doc === null ||
    typeof doc !== 'object' ||
    doc.version !== 'Notebook/1.0' ||
    !Array.isArray(doc.items)
  ) {
    throw new WorkbookError(
      'workbook.json must be an Azure Monitor workbook: an object with "version": "Notebook/1.0" and an "items" array.',
    );
  }
  checkItems(doc.items, 'items');
  return doc as WorkbookDocument;
}

function checkItems(items: unknown[], where: string): void {
  items.forEach((raw, i) => {
    const item = raw as Partial<WorkbookItem>;
    const at = `${where}[${i}]`;
    if (
      typeof item?.type !== 'number' ||
      typeof item.content !== 'object' ||
      item.content === null
    ) {
      throw new WorkbookError(`workbook.json ${at} needs a numeric "type" and a "content" object.`);
    }
    if (typeof item.name !== 'string' || item.name === '') {
      throw new WorkbookError(
        `workbook.json ${at} (type ${item.type}) needs a "name" so it can be listed and tested.`,
      );
    }
    if (item.type === 12) checkItems(item.content.items ?? [], `${at} (${item.name}).items`);
  });
}

/** The placeholders that occur anywhere in a workbook's strings. */
export function findPlaceholders(workbook: WorkbookDocument): string[] {
  const found = new Set<string>();
  mapStrings(workbook, (s) => {
    for (const m of s.matchAll(PLACEHOLDER_PATTERN)) found.add(m[0]);
    return s;
  });
  return [...found].sort();
}

/**
 * Replaces the publish-time placeholders in every string of the workbook.
 * @param workbook - as loaded; it is not modified.
 * @param values - placeholder to value, e.g. from `workbookPlaceholders(config, ...)`.
 * @returns a filled copy.
 * @throws {@link WorkbookError} when a placeholder has no value or a value would break the KQL.
 * @example const filled = fillPlaceholders(loadWorkbook(), workbookPlaceholders(config, { appInsightsId }));
 */
export function fillPlaceholders(
  workbook: WorkbookDocument,
  values: Partial<Record<WorkbookPlaceholder, string>>,
): WorkbookDocument {
  for (const [key, value] of Object.entries(values)) {
    const form = PLACEHOLDER_FORMS[key as WorkbookPlaceholder] ?? PLAIN_VALUE;
    if (value !== undefined && !form.pattern.test(value)) {
      throw new WorkbookError(
        form === PLAIN_VALUE
          ? `Placeholder ${key} value ${JSON.stringify(value)} contains a quote, backslash or newline; use ${form.what}.`
          : `Placeholder ${key} value ${JSON.stringify(value)} is not ${form.what}.`,
      );
    }
  }
  const filled = mapStrings(workbook, (s) =>
    s.replace(PLACEHOLDER_PATTERN, (m) => (values as Record<string, string | undefined>)[m] ?? m),
  ) as WorkbookDocument;
  const missing = findPlaceholders(filled);
  if (missing.length > 0) {
    const known = missing.filter((m) => (WORKBOOK_PLACEHOLDERS as readonly string[]).includes(m));
    const hint = known.includes('__APP_INSIGHTS_ID__')
      ? ' Pass the App Insights resource id (deployment.appInsights.resourceId, from cell A2).'
      : '';
    throw new WorkbookError(`Workbook placeholders without a value: ${missing.join(', ')}.${hint}`);
  }
  return filled;
}

/**
 * The workbook ready to publish: `workbook.json` with every placeholder filled from the pricing
 * tables (SKU, base cost, per-1K rate, fallback token rates, the per-model price table) and the
 * deployment (App Insights resource id), the defaults that follow the configuration (AI API ids,
 * caller names; see `publish-defaults.ts`), and the Log Analytics workspace as its fallback
 * resource, so its queries have a workspace to run on when the workbook is opened outside the
 * workspace.
 * @throws {@link WorkbookError} when a filled default breaks its parameter's validation rule.
 * @returns the serialized workbook for `target.publishWorkbook({ serializedData, ... })`.
 * @example await target.publishWorkbook({ serializedData: buildWorkbookData(config, deployment), displayName: 'APIM Costing' });
 */
export function buildWorkbookData(
  config: Pick<KitConfig, 'deployment' | 'models' | 'callers'>,
  deployment: Pick<Deployment, 'appInsights' | 'logAnalytics'>,
  workbookText?: string,
): string {
  const values = workbookPlaceholders(config, { appInsightsId: deployment.appInsights.resourceId });
  const filled = fillPlaceholders(loadWorkbook(workbookText), values);
  applyPublishDefaults(filled, config);
  const fallback = filled.fallbackResourceIds;
  if (
    Array.isArray(fallback) &&
    fallback.length === 0 &&
    deployment.logAnalytics.resourceId !== ''
  ) {
    filled.fallbackResourceIds = [deployment.logAnalytics.resourceId];
  }
  return JSON.stringify(filled, null, 2);
}

/** Deep copy of a JSON value with every string passed through `fn`. */
function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, fn);
    return out;
  }
  return value;
}
