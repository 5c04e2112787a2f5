/**
 * Every item issue 14 names (what the original sample's workbook shows and the kit lacked, plus
 * per-model token cost and the readable trends), by its workbook item name, with what it is:
 * the workbook tests check each exists, runs locally with rows and renders in the preview.
 */

/** How an item renders: a query's visualization family, or a non-query item. */
export type ItemKind = 'table' | 'chart' | 'tiles' | 'text' | 'parameters' | 'group';

/** One item the issue names. */
export interface NamedItem {
  /** The words for it. */
  what: string;
  /** The workbook item's `name`. */
  name: string;
  kind: ItemKind;
  /** For a parameters item: the parameter it declares. */
  parameter?: string;
  /** For a table: columns it must have. */
  columns?: readonly string[];
}

export const ORIGINAL_ITEMS: readonly NamedItem[] = [
  // Subscription-Based Costing
  {
    what: 'cost by BU x API',
    name: 'subscription-cost-by-bu-api',
    kind: 'table',
    columns: ['BusinessUnit', 'ApiId', 'TotalCost'],
  },
  { what: 'response-code classes by BU', name: 'subscription-response-classes', kind: 'chart' },
  {
    what: 'threshold line at the base cost on base vs variable',
    name: 'subscription-base-vs-variable',
    kind: 'chart',
  },
  {
    what: "drill-down's cost trend for the selected BU",
    name: 'subscription-drilldown-cost-trend',
    kind: 'chart',
  },
  // Entra ID Application Costing
  {
    what: 'parameter mapping app ids to names',
    name: 'entra-parameters',
    kind: 'parameters',
    parameter: 'AppIdNames',
  },
  {
    what: 'callers shown by name',
    name: 'entra-usage-table',
    kind: 'table',
    columns: ['Caller', 'CallerId'],
  },
  {
    what: 'cost allocation, base share only',
    name: 'entra-cost-allocation',
    kind: 'table',
    columns: ['AllocatedCost'],
  },
  // AI Gateway Token/PTU
  {
    what: 'token cost by BU x model',
    name: 'ai-token-cost-by-model',
    kind: 'table',
    columns: ['BusinessUnit', 'Model', 'PromptPer1K', 'CompletionPer1K', 'TotalCost'],
  },
  {
    what: 'token cost per BU at per-model prices',
    name: 'ai-token-cost-allocation',
    kind: 'table',
    columns: ['BusinessUnit', 'TotalCost'],
  },
  { what: 'token cost tile', name: 'ai-tiles-token-cost', kind: 'tiles' },
  { what: 'Tokens-by-Model pie', name: 'ai-tokens-by-model-pie', kind: 'chart' },
  { what: 'delivery mode pie in five classes', name: 'ai-streaming-pie', kind: 'chart' },
  {
    what: 'streaming breakdown with Model and usage provenance',
    name: 'ai-streaming-breakdown',
    kind: 'table',
    columns: ['Model', 'UsageProvenance'],
  },
  { what: 'tokens per BU over time', name: 'ai-token-trend-by-bu', kind: 'chart' },
  {
    what: 'tokens per BU against PTU capacity (utilisation %)',
    name: 'ai-ptu-utilisation',
    kind: 'chart',
  },
  { what: 'prompt vs completion tokens over time', name: 'ai-token-type-trend', kind: 'chart' },
  { what: 'tile subtitles: inbound', name: 'ai-tiles-inbound-all', kind: 'tiles' },
  { what: 'tile subtitles: successful', name: 'ai-tiles-successful', kind: 'tiles' },
  { what: 'tile subtitles: errors', name: 'ai-tiles-errors', kind: 'tiles' },
  { what: 'tile subtitles: tokens', name: 'ai-tiles-tokens', kind: 'tiles' },
  // Per-Request Detail
  {
    what: 'every bu- request, gateway and backend ms, prompt/completion/total cost, API and operation',
    name: 'detail-requests',
    kind: 'table',
    columns: [
      'Timestamp',
      'BusinessUnit',
      'GatewayMs',
      'BackendMs',
      'PromptCost',
      'CompletionCost',
      'TotalCost',
      'ApiId',
      'OperationId',
      'UsageProvenance',
    ],
  },
  { what: 'record-count tile (showing x of y)', name: 'detail-record-count', kind: 'tiles' },
  {
    what: 'max-rows parameter',
    name: 'detail-parameters',
    kind: 'parameters',
    parameter: 'MaxRows',
  },
  {
    what: 'date-time format parameter',
    name: 'detail-parameters',
    kind: 'parameters',
    parameter: 'DateTimeFormat',
  },
  // Overview guidance, in collapsible groups
  { what: 'how to use', name: 'overview-guide-how-to-use', kind: 'group' },
  { what: 'shared assumptions', name: 'overview-guide-assumptions', kind: 'group' },
  { what: 'data freshness and gotchas', name: 'overview-guide-freshness', kind: 'group' },
  { what: 'the tile funnel explained', name: 'overview-guide-funnel', kind: 'group' },
  { what: 'pricing reference', name: 'overview-guide-pricing', kind: 'group' },
  {
    what: 'pricing reference table',
    name: 'overview-model-prices',
    kind: 'table',
    columns: ['Model', 'PromptPer1K', 'CompletionPer1K', 'AsOf'],
  },
  { what: 'per-tab notes: subscription', name: 'overview-notes-subscription', kind: 'group' },
  { what: 'per-tab notes: Entra ID', name: 'overview-notes-entra', kind: 'group' },
  { what: 'per-tab notes: AI gateway', name: 'overview-notes-ai', kind: 'group' },
  { what: 'per-tab notes: per-request detail', name: 'overview-notes-detail', kind: 'group' },
  // Parameters
  {
    what: 'validated rates and a 30-day time range',
    name: 'parameters',
    kind: 'parameters',
    parameter: 'BaseCost',
  },
];

/** The chart items whose time axis follows `{TimeRange:grain}`, made finer for short data. */
export const TREND_ITEMS: readonly string[] = [
  'subscription-drilldown-trend',
  'subscription-drilldown-cost-trend',
  'entra-request-trend',
  'ai-token-type-trend',
  'ai-token-trend-by-bu',
  'ai-ptu-utilisation',
];

/** The parameters that carry a validation rule, as the original's rate inputs do. */
export const VALIDATED_PARAMETERS: readonly string[] = [
  'BaseCost',
  'PerKRate',
  'PromptTokenRate',
  'CompletionTokenRate',
  'PtuCapacityTpm',
  'MaxRows',
];

/**
 * The Actual cost tab issue 17 asks for (item 5): the statement per BU from
 * `ApimCostAllocation_CL`, actual vs estimate, the unallocated remainder with its reasons and
 * the shared lines, by workbook item name.
 */
export const ACTUAL_COST_ITEMS: readonly NamedItem[] = [
  {
    what: 'statement per BU: actual allocated vs list-price estimate, variance',
    name: 'actual-cost-statement',
    kind: 'table',
    columns: ['BusinessUnit', 'ActualUsd', 'EstimateUsd', 'VarianceUsd'],
  },
  { what: 'actual vs estimate bar chart', name: 'actual-cost-vs-estimate', kind: 'chart' },
  {
    what: 'allocated + shared + unallocated',
    name: 'actual-cost-reconciliation',
    kind: 'table',
    columns: ['Part', 'ActualUsd'],
  },
  {
    what: 'unallocated remainder with its reasons',
    name: 'actual-cost-unallocated',
    kind: 'table',
    columns: ['Reason', 'ActualUsd'],
  },
  {
    what: 'shared lines',
    name: 'actual-cost-shared',
    kind: 'table',
    columns: ['ServiceName', 'Meter', 'Reason', 'ActualUsd'],
  },
];
