/**
 * The configuration's default lists (business units, simulated callers, models), as the original
 * sample has them. Cell A1 shows them and may replace any of them.
 */
import type { BuBudget, BusinessUnit, ModelSpec, SimulatedCaller } from './types.js';

/** The business units of the original sample, with their request weights. */
export const DEFAULT_BUSINESS_UNITS: readonly BusinessUnit[] = [
  { name: 'bu-hr', displayName: 'HR', weight: 1.0 },
  { name: 'bu-finance', displayName: 'Finance', weight: 2.5 },
  { name: 'bu-marketing', displayName: 'Marketing', weight: 0.5 },
  { name: 'bu-engineering', displayName: 'Engineering', weight: 3.0 },
  { name: 'bu-sales', displayName: 'Sales', weight: 2.0 },
  { name: 'bu-operations', displayName: 'Operations', weight: 1.5 },
];

/** The simulated Entra ID callers of the original sample (`appid` GUIDs made up for the demo). */
export const DEFAULT_CALLERS: readonly SimulatedCaller[] = [
  { appId: '11111111-1111-4111-8111-111111111111', name: 'HR Service', weight: 1.0 },
  { appId: '22222222-2222-4222-8222-222222222222', name: 'Finance Portal', weight: 2.5 },
  { appId: '33333333-3333-4333-8333-333333333333', name: 'Mobile Gateway', weight: 0.5 },
  { appId: '44444444-4444-4444-8444-444444444444', name: 'Engineering Tools', weight: 3.0 },
  { appId: '55555555-5555-4555-8555-555555555555', name: 'Sales CRM', weight: 2.0 },
  { appId: '66666666-6666-4666-8666-666666666666', name: 'Operations Console', weight: 1.5 },
];

/** The model test matrix: name, version, capacity (K TPM) and requests per BU before weighting. */
export const DEFAULT_MODELS: readonly ModelSpec[] = [
  { name: 'gpt-4o-mini', version: '2024-07-18', capacityKTpm: 10, requestsPerBu: 2 },
  { name: 'gpt-4.1-nano', version: '2025-04-14', capacityKTpm: 10, requestsPerBu: 4 },
  { name: 'gpt-5-mini', version: '2025-08-07', capacityKTpm: 10, requestsPerBu: 6 },
];

/**
 * Default limits and budgets, chosen so a default local Run All shows the mechanism: Marketing's
 * daily token quota is smaller than what D1 sends for it, so its later D1 requests get 403; the
 * other BUs carry a rate far above D1's. The budgets are demo-sized for one run's traffic:
 * Marketing's is below what the run's share of the day's APIM base cost already spends (E5 drafts
 * a suspension), Engineering's lies between its spend and its projection (E5 drafts a lower
 * quota); the others stay within.
 */
export const DEFAULT_BUDGETS: Readonly<Record<string, BuBudget>> = {
  'bu-hr': { tokensPerMinute: 100_000, monthlyBudgetUsd: 50 },
  'bu-finance': { tokensPerMinute: 100_000, monthlyBudgetUsd: 120 },
  'bu-marketing': { tokenQuota: 200, tokenQuotaPeriod: 'Daily', monthlyBudgetUsd: 0.2 },
  'bu-engineering': { tokensPerMinute: 100_000, monthlyBudgetUsd: 1.5 },
  'bu-sales': { tokensPerMinute: 100_000, monthlyBudgetUsd: 100 },
  'bu-operations': { tokensPerMinute: 100_000, monthlyBudgetUsd: 80 },
};
