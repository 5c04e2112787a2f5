/**
 * The per-BU `llm-token-limit` values as the `budget-token-limits` named value carries them
 * (`policies/fragments/budget-token-limit.xml`, `bicep/modules/budget-limits.bicep`): one entry
 * `<subscription>,<tokens per minute>,<token quota>,<quota period>` per BU with a limit, joined by
 * `;`, then a `*` entry for every other subscription. Both targets deploy this string; the
 * enforcement plan (E5) rewrites it.
 */
import type { BuBudget, KitConfig, TokenQuotaPeriod } from './types.js';

/** Named values the budget fragment reads (their `{{name}}` in the policy). */
export const BUDGET_NAMED_VALUES = {
  tokenLimits: 'budget-token-limits',
  estimatePromptTokens: 'budget-estimate-prompt-tokens',
} as const;

/** The policy fragment holding the per-BU `llm-token-limit`. */
export const BUDGET_FRAGMENT_ID = 'budget-token-limit';

/**
 * Stand-ins for "no rate" and "no quota": the policy needs a number in both attributes, so a BU
 * without one gets a value it cannot reach (the rate is an int, the quota a long).
 */
export const NO_RATE = 2_147_483_647;
export const NO_QUOTA = 1_000_000_000_000_000;

/** One subscription's limits as the named value holds them. */
export interface TokenLimitEntry {
  subscription: string;
  tokensPerMinute: number;
  tokenQuota: number;
  tokenQuotaPeriod: TokenQuotaPeriod;
}

/** The entries of a configuration's budgets (BUs with a rate or a quota), in BU order. */
export function tokenLimitEntries(
  config: Pick<KitConfig, 'budgets' | 'businessUnits'>,
): TokenLimitEntry[] {
  const out: TokenLimitEntry[] = [];
  for (const bu of config.businessUnits) {
    const b: Readonly<BuBudget> | undefined = config.budgets.businessUnits[bu.name];
    if (!b || (b.tokensPerMinute === undefined && b.tokenQuota === undefined)) continue;
    out.push({
      subscription: bu.name,
      tokensPerMinute: b.tokensPerMinute ?? NO_RATE,
      tokenQuota: b.tokenQuota ?? NO_QUOTA,
      tokenQuotaPeriod: b.tokenQuotaPeriod ?? 'Yearly',
    });
  }
  return out;
}

/** The named value's text for some entries, ending with the `*` entry. */
export function formatTokenLimits(entries: readonly TokenLimitEntry[]): string {
  return [
    ...entries,
    {
      subscription: '*',
      tokensPerMinute: NO_RATE,
      tokenQuota: NO_QUOTA,
      tokenQuotaPeriod: 'Yearly',
    },
  ]
    .map((e) => `${e.subscription},${e.tokensPerMinute},${e.tokenQuota},${e.tokenQuotaPeriod}`)
    .join(';');
}

/** Reads the named value back (entries the fragment would skip are skipped here too). */
export function parseTokenLimits(text: string): TokenLimitEntry[] {
  const out: TokenLimitEntry[] = [];
  for (const entry of text.split(';')) {
    const f = entry.split(',');
    if (f.length !== 4) continue;
    out.push({
      subscription: f[0] as string,
      tokensPerMinute: Number(f[1]),
      tokenQuota: Number(f[2]),
      tokenQuotaPeriod: f[3] as TokenQuotaPeriod,
    });
  }
  return out;
}

/** The entry the fragment picks for a subscription: its own, else the `*` entry. */
export function tokenLimitFor(text: string, subscription: string): TokenLimitEntry | undefined {
  const entries = parseTokenLimits(text);
  return (
    entries.find((e) => e.subscription === subscription) ??
    entries.find((e) => e.subscription === '*')
  );
}

/** The BU states an enforcement table holds, from the named value and the suspended ids. */
export function enforcementFromNamedValue(
  buNames: readonly string[],
  namedValue: string,
  isSuspended: (bu: string) => boolean,
): {
  bu: string;
  state: 'active' | 'suspended';
  tokensPerMinute: number | undefined;
  tokenQuota: number | undefined;
  tokenQuotaPeriod: TokenQuotaPeriod | undefined;
}[] {
  const entries = parseTokenLimits(namedValue);
  return buNames.map((bu) => {
    const e = entries.find((x) => x.subscription === bu);
    const quota = e && e.tokenQuota < NO_QUOTA ? e.tokenQuota : undefined;
    return {
      bu,
      state: isSuspended(bu) ? 'suspended' : 'active',
      tokensPerMinute: e && e.tokensPerMinute < NO_RATE ? e.tokensPerMinute : undefined,
      tokenQuota: quota,
      tokenQuotaPeriod: quota !== undefined ? e?.tokenQuotaPeriod : undefined,
    };
  });
}

/** The named value with some BUs' limits replaced (others kept as they are). */
export function withTokenLimits(
  namedValue: string,
  changes: readonly {
    bu: string;
    tokensPerMinute: number | undefined;
    tokenQuota: number | undefined;
    tokenQuotaPeriod: TokenQuotaPeriod | undefined;
  }[],
): string {
  const entries = parseTokenLimits(namedValue).filter((e) => e.subscription !== '*');
  for (const c of changes) {
    const i = entries.findIndex((e) => e.subscription === c.bu);
    const next: TokenLimitEntry = {
      subscription: c.bu,
      tokensPerMinute: c.tokensPerMinute ?? NO_RATE,
      tokenQuota: c.tokenQuota ?? NO_QUOTA,
      tokenQuotaPeriod: c.tokenQuota !== undefined ? (c.tokenQuotaPeriod ?? 'Monthly') : 'Yearly',
    };
    const none = c.tokensPerMinute === undefined && c.tokenQuota === undefined;
    if (i >= 0) {
      if (none) entries.splice(i, 1);
      else entries[i] = next;
    } else if (!none) entries.push(next);
  }
  return formatTokenLimits(entries);
}
