/**
 * Cell B1's output: the APIM SKU's prices and each model's token prices, with source and date,
 * and the cost model in one paragraph.
 */
import type { PricingSummary } from '../../pricing/pricing.js';
import { showMarkdown } from '../mime.js';
import { showTable, type PlainTable } from '../tables.js';

/** B1's two tables. */
export function pricingTables(p: PricingSummary): { apim: PlainTable; models: PlainTable } {
  const apim: PlainTable = {
    columns: [
      'SKU',
      'Base monthly (USD)',
      'Overage per 1K requests (USD)',
      'Included requests / month',
      'Source',
      'As of',
    ],
    rows: [
      [
        p.apim.label,
        p.apim.baseMonthlyUsd,
        p.apim.overagePer1kUsd,
        p.apim.includedRequests === null ? 'n/a' : p.apim.includedRequests,
        p.apim.source,
        p.apim.asOf,
      ],
    ],
  };
  const models: PlainTable = {
    columns: [
      'Model',
      'Prompt per 1K tokens (USD)',
      'Completion per 1K tokens (USD)',
      'Source',
      'As of',
    ],
    rows: p.models.map((m) => [m.model, m.promptPer1kUsd, m.completionPer1kUsd, m.source, m.asOf]),
  };
  return { apim, models };
}

/** Shows B1. @example showPricing(pricingFor(target.config)); */
export function showPricing(p: PricingSummary): void {
  const t = pricingTables(p);
  showTable(t.apim, { title: 'APIM pricing' });
  showTable(t.models, { title: 'Azure OpenAI token pricing' });
  showMarkdown(p.costModel);
}
