/**
 * The local target's budget enforcement state: the gateway's named values (the per-BU
 * `llm-token-limit` values) and suspended subscriptions, and the token counters. The counters and
 * state outlive a redeploy of the emulator within the session, as APIM keeps them across policy
 * changes.
 */
import {
  BUDGET_NAMED_VALUES,
  enforcementFromNamedValue,
  formatTokenLimits,
  tokenLimitEntries,
  withTokenLimits,
} from '../config/budget-limits.js';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DATA_FILES } from '../artifacts/names.js';
import type { KitConfig } from '../config/types.js';
import type { BuEnforcementState, CostingTarget, OperationOptions } from '../target.js';
import { recordSkippedAction } from './azure-only-actions.js';
import type { GatewayState } from './gateway-auth.js';
import { TokenLimiter } from './token-limiter.js';

/** The state one local target's gateway runs with. */
export interface LocalBudgetState {
  state: GatewayState;
  tokenLimiter: TokenLimiter;
}

/**
 * The state as the configuration deploys it: A1's limits, every subscription active; then what
 * an applied enforcement plan recorded in the data folder (cell E5), so a kernel restart keeps an
 * applied plan in force as APIM would, until it is undone.
 */
export function createLocalBudgetState(config: KitConfig, dataDir?: string): LocalBudgetState {
  const s = initialState(config);
  const applied = dataDir ? recordedStates(path.join(dataDir, DATA_FILES.enforcement)) : [];
  if (applied.length > 0) writeLocalEnforcement(config, s, applied);
  return s;
}

function recordedStates(file: string): BuEnforcementState[] {
  if (!existsSync(file)) return [];
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as {
      changes?: { proposed?: BuEnforcementState }[];
    };
    return (v.changes ?? []).flatMap((c) => (c.proposed ? [c.proposed] : []));
  } catch {
    // An unreadable record is reported by the undo (lib/budgets); the emulator starts as configured.
    return [];
  }
}

function initialState(config: KitConfig): LocalBudgetState {
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

/** Every configured BU's state, as the emulator holds it. */
export function readLocalEnforcement(config: KitConfig, s: LocalBudgetState): BuEnforcementState[] {
  return enforcementFromNamedValue(
    config.businessUnits.map((b) => b.name),
    s.state.namedValues.get(BUDGET_NAMED_VALUES.tokenLimits) ?? '',
    (bu) => s.state.suspended.has(bu),
  );
}

/** Sets the listed BUs' states in the emulator: the next request sees them. */
export function writeLocalEnforcement(
  config: KitConfig,
  s: LocalBudgetState,
  states: readonly BuEnforcementState[],
): BuEnforcementState[] {
  const name = BUDGET_NAMED_VALUES.tokenLimits;
  s.state.namedValues.set(name, withTokenLimits(s.state.namedValues.get(name) ?? '', states));
  for (const st of states) {
    if (st.state === 'suspended') s.state.suspended.add(st.bu);
    else s.state.suspended.delete(st.bu);
  }
  return readLocalEnforcement(config, s);
}

/** The local target's E5 operations: the forecast rule is evaluated in the cell, the plan's state lives here. */
export function localBudgetOperations(
  config: KitConfig,
  budgets: LocalBudgetState,
  dataDir: string,
): Pick<CostingTarget, 'createForecastAlerts' | 'readEnforcement' | 'writeEnforcement'> {
  return {
    async createForecastAlerts(opts: OperationOptions = {}) {
      opts.signal?.throwIfAborted();
      return recordSkippedAction(
        dataDir,
        'createForecastAlerts',
        'The local target has no Azure Monitor; cell E5 evaluates kql/budget-forecast-alert.kql itself.',
        `Create a daily scheduled query rule per BU with a monthly budget from kql/budget-forecast-alert.kql (month to date, projected from the last 7 days).`,
      );
    },
    async readEnforcement(opts: OperationOptions = {}) {
      opts.signal?.throwIfAborted();
      return readLocalEnforcement(config, budgets);
    },
    async writeEnforcement(states, opts: OperationOptions = {}) {
      opts.signal?.throwIfAborted();
      return writeLocalEnforcement(config, budgets, states);
    },
  };
}
