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
  /**
   * Largest figure the ledger allows when a dead run left requests without an outcome (each of
   * their attempts may or may not have a row): the tile may show `truth` up to this (`Infinity`
   * when only a floor is known: tokens of requests whose answer the ledger never saw). Absent
   * when the tile is certain; a cost share can also fall, to `low`.
   */
  high?: number;
  /** Smallest figure allowed, when below `truth` (a cost share when other BUs' rows may add). */
  low?: number;
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
  // Where a row went (an unsure attempt's code is unknown, its subscription and API are not).
  type Where = Pick<Cell, 'subscription' | 'apiId'>;
  const aiCell = (c: Where): boolean => ai.has(c.apiId);
  const buCell = (c: Where): boolean => isBuSubscription(c.subscription);
  const buAi = (c: Where): boolean => buCell(c) && aiCell(c);
  const code = (c: Cell, from: number, to: number): boolean =>
    c.responseCode >= from && c.responseCode <= to;
  const out: TileTruth[] = [];
  const put = (
    item: string,
    tile: string,
    truth: number,
    tolerance = 0,
    range: { low?: number; high?: number } = {},
  ): void => {
    const t: TileTruth = { item, tile, truth, tolerance };
    if (range.high !== undefined && range.high > truth) t.high = range.high;
    if (range.low !== undefined && range.low < truth) t.low = range.low;
    out.push(t);
  };
  // A dead run's attempts without an outcome: each may add a row where it went, with any code.
  const unsure = expected.uncertainRows;
  const maybe = (pred: (c: Where) => boolean, llm = false): number =>
    unsure.filter((u) => pred(u) && (!llm || u.llm)).reduce((n, u) => n + u.rows, 0);
  const count = (item: string, tile: string, truth: number, extra: number): void =>
    put(item, tile, truth, 0, { high: truth + extra });

  const buRequests = sum(buCell);
  count('overview-headline', 'BU requests', buRequests, maybe(buCell));
  count('overview-headline', 'BU AI requests', sum(buAi), maybe(buAi));
  count('ai-tiles-inbound-all', 'AI Requests (all subs)', sum(aiCell), maybe(aiCell));
  for (const bu of config.businessUnits) {
    const mine = (c: Where): boolean => c.subscription === bu.name && aiCell(c);
    count('ai-tiles-inbound-per-bu', buDisplayName(bu.name), sum(mine), maybe(mine));
  }
  // An unsure attempt adds at most one row to any one status tile (its code is unknown), and a
  // success with tokens adds to both "all 2xx" and "with tokens", so "no tokens" cannot fall.
  const okAi = sum((c) => buAi(c) && code(c, 200, 299));
  count('ai-tiles-successful', 'Successful (all 2xx)', okAi, maybe(buAi));
  count(
    'ai-tiles-successful',
    'Successful (2xx, with tokens)',
    expected.llmRequestsWithTokens,
    maybe(buAi, true),
  );
  count(
    'ai-tiles-successful',
    'Successful (no tokens)',
    okAi - expected.llmRequestsWithTokens,
    maybe(buAi),
  );
  count(
    'ai-tiles-errors',
    'Client Errors (4xx)',
    sum((c) => buAi(c) && code(c, 400, 499)),
    maybe(buAi),
  );
  count(
    'ai-tiles-errors',
    'Throttled (429)',
    sum((c) => buAi(c) && c.responseCode === 429),
    maybe(buAi),
  );
  count(
    'ai-tiles-errors',
    'Server Errors (5xx)',
    sum((c) => buAi(c) && c.responseCode >= 500),
    maybe(buAi),
  );
  // Tokens of a success the ledger never saw are unknown: only the floor is certain.
  const tokensOpen = (bu?: string): { high?: number } =>
    maybe((c) => buAi(c) && (bu === undefined || c.subscription === bu), true) > 0
      ? { high: Infinity }
      : {};

  const buTokens = Object.entries(expected.llmTokensByBu).filter(([bu]) => isBuSubscription(bu));
  const tokens = buTokens.reduce(
    (t, [, x]) => ({
      p: t.p + x.promptTokens,
      c: t.c + x.completionTokens,
      t: t.t + x.totalTokens,
    }),
    { p: 0, c: 0, t: 0 },
  );
  put('ai-tiles-tokens', 'Total Tokens', tokens.t, 0, tokensOpen());
  put('ai-tiles-tokens', 'Prompt Tokens', tokens.p, 0, tokensOpen());
  put('ai-tiles-tokens', 'Completion Tokens', tokens.c, 0, tokensOpen());

  // Token cost: each BU's tokens per model, each model at its own list price.
  let allTokenCost = 0;
  for (const [bu, byModel] of Object.entries(expected.llmTokensByBuModel)) {
    if (!isBuSubscription(bu)) continue;
    const usd = Object.entries(byModel).reduce(
      (n, [model, t]) => n + tokenCost(t.promptTokens, t.completionTokens, getModelPricing(model)),
      0,
    );
    allTokenCost += usd;
    put('ai-token-cost-allocation', buDisplayName(bu), usd, COST_TOLERANCE_USD, tokensOpen(bu));
  }
  put('ai-tiles-token-cost', 'Token cost (USD)', allTokenCost, COST_TOLERANCE_USD, tokensOpen());

  const requestsByBu: Record<string, number> = {};
  for (const c of cells)
    if (buCell(c)) requestsByBu[c.subscription] = (requestsByBu[c.subscription] ?? 0) + c.rows;
  const unsureByBu: Record<string, number> = {};
  for (const u of unsure)
    if (isBuSubscription(u.subscription)) {
      unsureByBu[u.subscription] = (unsureByBu[u.subscription] ?? 0) + u.rows;
      requestsByBu[u.subscription] ??= 0;
    }
  const apim = getApimPricing(config.deployment.apimSku);
  const totalOf = (byBu: Record<string, number>, bu: string): number =>
    allocateCost(byBu, apim).find((a) => a.bu === bu)?.totalUsd ?? 0;
  for (const a of allocateCost(requestsByBu, apim))
    put(
      'subscription-cost-allocation',
      buDisplayName(a.bu),
      a.totalUsd,
      COST_TOLERANCE_USD,
      shareRange(requestsByBu, unsureByBu, a.bu, totalOf),
    );

  // The Entra ID tab allocates the base cost only, by each caller's share of caller-requests.
  const byCaller: Record<string, number> = { ...expected.callerRequests };
  const unsureByCaller: Record<string, number> = {};
  for (const u of unsure)
    if (u.caller !== undefined) {
      unsureByCaller[u.caller] = (unsureByCaller[u.caller] ?? 0) + u.rows;
      byCaller[u.caller] ??= 0;
    }
  const callerShare = (counts: Record<string, number>, caller: string): number => {
    const total = Object.values(counts).reduce((n, r) => n + r, 0);
    return total === 0 ? 0 : (apim.baseMonthlyUsd * (counts[caller] ?? 0)) / total;
  };
  for (const caller of Object.keys(byCaller))
    put(
      'entra-cost-allocation',
      caller,
      callerShare(byCaller, caller),
      COST_TOLERANCE_USD,
      shareRange(byCaller, unsureByCaller, caller, callerShare),
    );

  count('detail-record-count', 'Record count', buRequests, maybe(buCell));
  return out;
}

/**
 * The range of one key's share-based cost when some rows are unsure: lowest with its own unsure
 * rows absent and everyone else's present, highest the other way round.
 */
function shareRange(
  certain: Record<string, number>,
  unsure: Record<string, number>,
  key: string,
  value: (counts: Record<string, number>, key: string) => number,
): { low?: number; high?: number } {
  if (Object.keys(unsure).length === 0) return {};
  const low: Record<string, number> = {};
  const high: Record<string, number> = {};
  for (const [k, n] of Object.entries(certain)) {
    const extra = unsure[k] ?? 0;
    low[k] = k === key ? n : n + extra;
    high[k] = k === key ? n + extra : n;
  }
  return { low: value(low, key), high: value(high, key) };
}
