/**
 * What each workbook tile E3 checks should show, computed from the ledger alone. Tiles are named
 * by their workbook item and label exactly as `workbook.json` has them; `cross-reference.ts`
 * checks every name here against the workbook, so a renamed tile is an error naming it, not a
 * silent mismatch. The semantics follow the workbook's (and the original sample's): the AI
 * backend, token and cost tiles count business-unit requests, and Client Errors (4xx) counts
 * every 4xx, Throttled (429) being its subset.
 */
import { buDisplayName, isBuSubscription } from '../artifacts/names.js';
import type { KitConfig } from '../config/types.js';
import type { ExpectedLogCounts } from '../ledger/expected-logs.js';
import { allocateCost, getApimPricing, getModelPricing, tokenCost } from '../pricing/pricing.js';
import type { Deployment } from '../target.js';

/** One tile's ground truth. */
export interface TileTruth {
  /** The workbook item the figure comes from (its `name`). */
  item: string;
  /** The tile's label (or, for a table, its row key) as the item's query produces it. */
  tile: string;
  /** What the ledger says the tile should show. */
  truth: number;
  /**
   * Largest difference that still matches: 0 for counts; half a micro-dollar for costs, which the
   * KQL and the pricing module compute in a different order.
   */
  tolerance: number;
}

/** A workbook item E3 reads. */
export interface CrossReferenceItem {
  item: string;
  /** For a table item: the column that keys a row and the one holding the figure. Tiles items take both from their tile settings in `workbook.json`. */
  table?: { labelColumn: string; valueColumn: string };
  /** Labels come from the data (one row per BU), not from a literal `datatable` in the query. */
  dataLabels?: boolean;
}

/** The workbook items E3 reads, in the order it shows them. */
export const CROSS_REFERENCE_ITEMS: readonly CrossReferenceItem[] = [
  { item: 'overview-headline' },
  { item: 'ai-tiles-inbound-all' },
  { item: 'ai-tiles-inbound-per-bu', dataLabels: true },
  { item: 'ai-tiles-successful' },
  { item: 'ai-tiles-errors' },
  { item: 'ai-tiles-tokens' },
  { item: 'ai-tiles-token-cost', dataLabels: true },
  {
    item: 'ai-token-cost-allocation',
    table: { labelColumn: 'BusinessUnit', valueColumn: 'TotalCost' },
    dataLabels: true,
  },
  {
    item: 'subscription-cost-allocation',
    table: { labelColumn: 'BusinessUnit', valueColumn: 'TotalCost' },
    dataLabels: true,
  },
  {
    item: 'entra-cost-allocation',
    table: { labelColumn: 'CallerId', valueColumn: 'AllocatedCost' },
    dataLabels: true,
  },
  { item: 'detail-record-count', dataLabels: true },
];

const COST_TOLERANCE_USD = 5e-7;

/** The ground truth of every tile E3 checks, from the ledger's expected log counts. */
export function tileTruths(
  expected: ExpectedLogCounts,
  deployment: Deployment,
  config: KitConfig,
): TileTruth[] {
  const ai = new Set([deployment.apis.aoai.apiId, deployment.apis.tokenTracking.apiId]);
  const cells = expected.cells;
  type Cell = (typeof cells)[number];
  const sum = (pred: (c: Cell) => boolean): number =>
    cells.filter(pred).reduce((n, c) => n + c.rows, 0);
  const aiCell = (c: Cell): boolean => ai.has(c.apiId);
  const buCell = (c: Cell): boolean => isBuSubscription(c.subscription);
  const buAi = (c: Cell): boolean => buCell(c) && aiCell(c);
  const code = (c: Cell, from: number, to: number): boolean =>
    c.responseCode >= from && c.responseCode <= to;
  const out: TileTruth[] = [];
  const put = (item: string, tile: string, truth: number, tolerance = 0): void =>
    void out.push({ item, tile, truth, tolerance });

  const buRequests = sum(buCell);
  put('overview-headline', 'BU requests', buRequests);
  put('overview-headline', 'BU AI requests', sum(buAi));
  put('ai-tiles-inbound-all', 'AI Requests (all subs)', sum(aiCell));
  for (const bu of config.businessUnits) {
    put(
      'ai-tiles-inbound-per-bu',
      buDisplayName(bu.name),
      sum((c) => c.subscription === bu.name && aiCell(c)),
    );
  }
  const okAi = sum((c) => buAi(c) && code(c, 200, 299));
  put('ai-tiles-successful', 'Successful (all 2xx)', okAi);
  put('ai-tiles-successful', 'Successful (2xx, with tokens)', expected.llmRequestsWithTokens);
  put('ai-tiles-successful', 'Successful (no tokens)', okAi - expected.llmRequestsWithTokens);
  put(
    'ai-tiles-errors',
    'Client Errors (4xx)',
    sum((c) => buAi(c) && code(c, 400, 499)),
  );
  put(
    'ai-tiles-errors',
    'Throttled (429)',
    sum((c) => buAi(c) && c.responseCode === 429),
  );
  put(
    'ai-tiles-errors',
    'Server Errors (5xx)',
    sum((c) => buAi(c) && c.responseCode >= 500),
  );

  const buTokens = Object.entries(expected.llmTokensByBu).filter(([bu]) => isBuSubscription(bu));
  const tokens = buTokens.reduce(
    (t, [, x]) => ({
      p: t.p + x.promptTokens,
      c: t.c + x.completionTokens,
      t: t.t + x.totalTokens,
    }),
    { p: 0, c: 0, t: 0 },
  );
  put('ai-tiles-tokens', 'Total Tokens', tokens.t);
  put('ai-tiles-tokens', 'Prompt Tokens', tokens.p);
  put('ai-tiles-tokens', 'Completion Tokens', tokens.c);

  // Token cost: each BU's tokens per model, each model at its own list price.
  let allTokenCost = 0;
  for (const [bu, byModel] of Object.entries(expected.llmTokensByBuModel)) {
    if (!isBuSubscription(bu)) continue;
    const usd = Object.entries(byModel).reduce(
      (n, [model, t]) => n + tokenCost(t.promptTokens, t.completionTokens, getModelPricing(model)),
      0,
    );
    allTokenCost += usd;
    put('ai-token-cost-allocation', buDisplayName(bu), usd, COST_TOLERANCE_USD);
  }
  put('ai-tiles-token-cost', 'Token cost (USD)', allTokenCost, COST_TOLERANCE_USD);

  const requestsByBu: Record<string, number> = {};
  for (const c of cells)
    if (buCell(c)) requestsByBu[c.subscription] = (requestsByBu[c.subscription] ?? 0) + c.rows;
  const apim = getApimPricing(config.deployment.apimSku);
  for (const a of allocateCost(requestsByBu, apim))
    put('subscription-cost-allocation', buDisplayName(a.bu), a.totalUsd, COST_TOLERANCE_USD);

  // The Entra ID tab allocates the base cost only, by each caller's share of caller-requests.
  const callers = Object.entries(expected.callerRequests);
  const callerTotal = callers.reduce((n, [, r]) => n + r, 0);
  for (const [caller, requests] of callers)
    put(
      'entra-cost-allocation',
      caller,
      callerTotal === 0 ? 0 : (apim.baseMonthlyUsd * requests) / callerTotal,
      COST_TOLERANCE_USD,
    );

  put('detail-record-count', 'Record count', buRequests);
  return out;
}
