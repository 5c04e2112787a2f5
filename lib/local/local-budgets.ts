/**
 * The local target's budget enforcement state: the gateway's named values (the per-BU
 * `llm-token-limit` values) and suspended subscriptions, and the token counters. The counters and
 * state outlive a redeploy of the emulator within the session, as APIM keeps them across policy
 * changes.
 */
import {
  BUDGET_NAMED_VALUES,
  formatTokenLimits,
  tokenLimitEntries,
} from '../config/budget-limits.js';
import type { KitConfig } from '../config/types.js';
import type { GatewayState } from './gateway-auth.js';
import { TokenLimiter } from './token-limiter.js';

/** The state one local target's gateway runs with. */
export interface LocalBudgetState {
  state: GatewayState;
  tokenLimiter: TokenLimiter;
}

/** The state as the configuration deploys it: A1's limits, every subscription active. */
export function createLocalBudgetState(config: KitConfig): LocalBudgetState {
  return {
    state: {
      suspended: new Set(),
      namedValues: new Map([
        [BUDGET_NAMED_VALUES.tokenLimits, formatTokenLimits(tokenLimitEntries(config))],
        [BUDGET_NAMED_VALUES.estimatePromptTokens, String(config.budgets.estimatePromptTokens)],
      ]),
    },
    tokenLimiter: new TokenLimiter(),
  };
}
