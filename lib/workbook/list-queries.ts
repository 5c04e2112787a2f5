/**
 * Lists every query item of a workbook with its tab and its parameters resolved to their
 * defaults, so tests and the preview run exactly what the portal would run by default.
 */
import {
  collectParameters,
  substituteParameters,
  walk,
  withValues,
  type ResolvedParameter,
} from './parameters.js';
import {
  loadWorkbook,
  type WorkbookDocument,
  type WorkbookItem,
  type WorkbookItemContent,
} from './workbook-json.js';

/** A tab of the workbook: the value of its tab parameter and its label. */
export interface WorkbookTab {
  /** Value the tab link sets, e.g. `ai`. */
  id: string;
  label: string;
}

/** One query item, ready to validate or run. */
export interface WorkbookQuery {
  /** Tab id, or `null` for items shown on every tab. */
  tab: string | null;
  /** Tab label, or `''` for items shown on every tab. */
  tabLabel: string;
  /** The item's `name` (unique within the workbook). */
  name: string;
  /** Names of the enclosing groups, outermost first. */
  groups: string[];
  /** Title with parameters resolved. */
  title: string;
  /** `table`, `tiles`, `piechart`, `barchart`, `timechart`, ... */
  visualization: string;
  /** KQL with parameters resolved (placeholders as in the given workbook). */
  query: string;
  /** KQL as written in the workbook. */
  template: string;
  /** Parameter names the template references. */
  parameters: string[];
  /** The item's content as `workbook.json` has it (tile and grid settings). */
  content: WorkbookItemContent;
}

/** Options of {@link listWorkbookQueries}. */
export interface ListWorkbookQueriesOptions {
  /** The "now" of relative time ranges. @default new Date() */
  now?: Date;
  /** Parameter values to use instead of the defaults, e.g. `{ SelectedBu: 'finance' }` (see {@link withValues}). */
  values?: Readonly<Record<string, string | number>>;
}

/** The tabs of a workbook, in order, from its tab links item. */
export function listWorkbookTabs(workbook: WorkbookDocument): WorkbookTab[] {
  const tabs: WorkbookTab[] = [];
  walk(workbook.items, (item) => {
    if (item.type !== 11 || item.content.style !== 'tabs') return;
    for (const link of item.content.links ?? []) {
      if (link.subTarget)
        tabs.push({ id: link.subTarget, label: link.linkLabel ?? link.subTarget });
    }
  });
  return tabs;
}

/** The tab parameter name (`selectedTab`) set by the tab links, if any. */
export function tabParameterName(workbook: WorkbookDocument): string | undefined {
  let name: string | undefined;
  walk(workbook.items, (item) => {
    if (name === undefined && item.type === 11 && item.content.style === 'tabs') {
      name = item.content.links?.find((l) => l.cellValue)?.cellValue;
    }
  });
  return name;
}

/** The tab an item belongs to: the nearest group (or itself) shown only for one tab value. */
export function tabOf(
  item: WorkbookItem,
  parents: readonly WorkbookItem[],
  tabParam: string | undefined,
): string | null {
  for (const candidate of [item, ...[...parents].reverse()]) {
    const v = candidate.conditionalVisibility;
    if (v && v.parameterName === tabParam && v.comparison === 'isEqualTo') return v.value;
  }
  return null;
}

/**
 * Every query item (`type: 3`) of the workbook, in order, with tab, title and KQL, and every
 * `{Parameter}` replaced by its default (time range `> ago(1d)`, text values as typed).
 * @param workbook - a loaded (and usually filled) workbook; defaults to the kit's `workbook.json`.
 * @example for (const q of listWorkbookQueries()) console.log(q.tabLabel, q.name);
 */
export function listWorkbookQueries(
  workbook: WorkbookDocument = loadWorkbook(),
  options: ListWorkbookQueriesOptions = {},
): WorkbookQuery[] {
  const declared = collectParameters(workbook);
  const params = options.values ? withValues(declared, options.values) : declared;
  const tabParam = tabParameterName(workbook);
  const labels = new Map(listWorkbookTabs(workbook).map((t) => [t.id, t.label]));
  const out: WorkbookQuery[] = [];
  walk(workbook.items, (item, parents) => {
    if (item.type !== 3 || typeof item.content.query !== 'string') return;
    const tab = tabOf(item, parents, tabParam);
    const template = item.content.query;
    out.push({
      tab,
      tabLabel: tab === null ? '' : (labels.get(tab) ?? tab),
      name: item.name,
      groups: parents.map((p) => p.name),
      title: substituteParameters(item.content.title ?? item.name, params, {
        context: 'text',
        now: options.now,
      }),
      visualization: item.content.visualization ?? 'table',
      query: substituteParameters(template, params, { context: 'query', now: options.now }),
      template,
      parameters: referencedParameters(template, params),
      content: item.content,
    });
  });
  return out;
}

function referencedParameters(
  text: string,
  params: ReadonlyMap<string, ResolvedParameter>,
): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)(?::[A-Za-z]+)?\}/g)) {
    if (m[1] !== undefined && params.has(m[1])) names.add(m[1]);
  }
  return [...names];
}

/**
 * The labels a tiles query declares as literals: the strings of its `datatable(...) [...]` rows
 * (e.g. `'Successful (all 2xx)'`). Empty when the labels come from the data (one tile per BU).
 */
export function declaredTileLabels(query: string): string[] {
  const table = /datatable\s*\([^)]*\)\s*\[([\s\S]*?)\]/.exec(query);
  if (table?.[1] === undefined) return [];
  return [...table[1].matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}
