/**
 * The allocation itself, pure: each cost line of the export split in whole cents by the driver
 * that fits it. APIM: by requests per hour (the workbook's base + variable model is proportional
 * to requests, so it splits the actual cost by request share); billed hours without a request are
 * idle capacity. Azure OpenAI: by tokens per model and meter. Log Analytics: by `_BilledSize`.
 * Anything else: shared. What no BU drove is unallocated, with its reason.
 */
import { METERS } from '../common/focus.js';
import { splitCents, toCents } from './cents.js';
import type { CostLine } from './parse-export.js';

/** The usage drivers, from the logs (by subscription id as logged; '' = none). */
export interface Drivers {
  /** Requests per subscription and hour (`YYYY-MM-DDTHH`). */
  requestsByHour: { subscription: string; hour: string; requests: number }[];
  tokens: {
    subscription: string;
    model: string;
    day: string;
    promptTokens: number;
    completionTokens: number;
  }[];
  bytes: { subscription: string; day: string; bytes: number }[];
}

/** The reasons a share is not a BU's. */
export const REASONS = {
  noBu: 'requests with no bu- subscription',
  unloggedTokens: 'tokens the backend served that the gateway did not log',
  idle: 'idle capacity (billed hours with no request)',
  logNoBu: 'log rows with no bu- subscription',
  unlinkedBytes: 'ingested bytes not in the gateway or LLM log (other tables)',
  noDriver: 'no usage driver',
  unknownResource: 'a resource the kit does not know',
} as const;

/** One share of one cost line. */
export interface Share {
  line: CostLine;
  /** `bu-...`, `shared` or `unallocated`. */
  to: string;
  reason: string;
  method: string;
  cents: number;
  ratio: number;
  quantity: number;
  unit: string;
}

/** What the allocation knows about the deployment. */
export interface AllocationContext {
  apimId: string;
  aoaiId: string | undefined;
  workspaceId: string;
  appInsightsId: string;
  storageName: string;
}

const AOAI_METER = new RegExp(`^(.+) (${METERS.aoaiInput}|${METERS.aoaiOutput})$`);

/**
 * Splits every line; the cents of each line are its share of the file total after
 * largest-remainder rounding across lines, so the shares add up to the file total exactly.
 */
export function allocateLines(
  lines: readonly CostLine[],
  drivers: Drivers,
  ctx: AllocationContext,
): Share[] {
  const lineCents = splitCents(
    toCents(lines.reduce((s, l) => s + l.billedUsd, 0)),
    lines.map((l) => l.billedUsd),
  );
  const out: Share[] = [];
  lines.forEach((line, i) => {
    const parties = partiesOf(line, drivers, ctx);
    const cents = splitCents(
      lineCents[i]!,
      parties.map((p) => p.weight),
    );
    const total = parties.reduce((s, p) => s + p.weight, 0);
    parties.forEach((p, k) => {
      if (cents[k] === 0 && p.weight === 0) return;
      out.push({
        line,
        to: p.to,
        reason: p.reason,
        method: p.method,
        cents: cents[k]!,
        ratio: total > 0 ? p.weight / total : 1,
        quantity: p.weight,
        unit: p.unit,
      });
    });
  });
  return out;
}

interface Party {
  to: string;
  reason: string;
  method: string;
  weight: number;
  unit: string;
}

function bySubscription(
  entries: { subscription: string; amount: number }[],
  method: string,
  unit: string,
  noBuReason: string,
): Party[] {
  const sums = new Map<string, number>();
  let other = 0;
  for (const e of entries) {
    if (e.subscription.startsWith('bu-'))
      sums.set(e.subscription, (sums.get(e.subscription) ?? 0) + e.amount);
    else other += e.amount;
  }
  return [
    ...[...sums.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([to, weight]) => ({ to, reason: '', method, weight, unit })),
    ...(other > 0 ? [{ to: 'unallocated', reason: noBuReason, method, weight: other, unit }] : []),
  ];
}

function partiesOf(line: CostLine, d: Drivers, ctx: AllocationContext): Party[] {
  const id = line.resourceId.toLowerCase();
  if (id === ctx.apimId.toLowerCase()) {
    const hours = d.requestsByHour.filter((r) => r.hour.startsWith(line.day));
    const busy = new Set(hours.map((h) => h.hour)).size;
    const billedHours = Math.max(line.quantity, busy);
    const method = 'apim-requests-by-hour';
    const parties = bySubscription(
      hours.map((h) => ({ subscription: h.subscription, amount: h.requests })),
      method,
      'Requests',
      REASONS.noBu,
    );
    const requests = parties.reduce((s, p) => s + p.weight, 0);
    // Busy hours split by requests; idle hours are their own share, weighted as hours.
    const scaled = parties.map((p) => ({
      ...p,
      weight: requests > 0 ? (p.weight / requests) * busy : 0,
    }));
    const idle = billedHours - busy;
    return [
      ...scaled,
      ...(idle > 0
        ? [{ to: 'unallocated', reason: REASONS.idle, method, weight: idle, unit: 'Hours' }]
        : []),
    ];
  }
  if (ctx.aoaiId !== undefined && id === ctx.aoaiId.toLowerCase()) {
    const m = AOAI_METER.exec(line.meter);
    if (m) {
      const [, model, meter] = m;
      const prompt = meter === METERS.aoaiInput;
      const served = line.quantity * 1000;
      const method = `aoai-${prompt ? 'prompt' : 'completion'}-tokens`;
      const parties = bySubscription(
        d.tokens
          .filter((t) => t.day.startsWith(line.day) && t.model === model)
          .map((t) => ({
            subscription: t.subscription,
            amount: prompt ? t.promptTokens : t.completionTokens,
          })),
        method,
        'Tokens',
        REASONS.noBu,
      );
      const logged = parties.reduce((s, p) => s + p.weight, 0);
      const gap = Math.round(served - logged);
      return [
        ...parties,
        ...(gap > 0
          ? [
              {
                to: 'unallocated',
                reason: REASONS.unloggedTokens,
                method,
                weight: gap,
                unit: 'Tokens',
              },
            ]
          : []),
      ];
    }
  }
  if (id === ctx.workspaceId.toLowerCase() && line.meter === METERS.logIngestion) {
    const method = 'log-billed-size';
    const parties = bySubscription(
      d.bytes
        .filter((b) => b.day.startsWith(line.day))
        .map((b) => ({ subscription: b.subscription, amount: b.bytes })),
      method,
      'Bytes',
      REASONS.logNoBu,
    );
    const counted = parties.reduce((s, p) => s + p.weight, 0);
    const gap = Math.round(line.quantity * 1024 ** 3 - counted);
    return [
      ...parties,
      ...(gap > 0
        ? [{ to: 'unallocated', reason: REASONS.unlinkedBytes, method, weight: gap, unit: 'Bytes' }]
        : []),
    ];
  }
  if (id === ctx.appInsightsId.toLowerCase())
    // App Insights custom metrics carry callers and APIs, never a BU subscription.
    return [
      {
        to: 'unallocated',
        reason: REASONS.logNoBu,
        method: 'log-billed-size',
        weight: 1,
        unit: 'Rows',
      },
    ];
  const known = id.endsWith(`/${ctx.storageName.toLowerCase()}`);
  return [
    {
      to: 'shared',
      reason: known
        ? `${REASONS.noDriver}: ${line.resourceName}`
        : `${REASONS.unknownResource}: ${line.resourceName} (${line.serviceName})`,
      method: 'shared',
      weight: 1,
      unit: line.unit,
    },
  ];
}
