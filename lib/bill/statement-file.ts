/**
 * The statement file: the allocation as FOCUS cost and usage rows with the FOCUS 1.3 allocation
 * columns, one CSV per billing month under `<dataDir>/statements/` (local) or `build/statements/`
 * (azure). Each origin charge (an export row) becomes one row per share: AllocatedMethodId names
 * the driver, AllocatedMethodDetails holds { Elements: [{ AllocatedRatio, UsageUnit,
 * UsageQuantity }] }, AllocatedResourceId is the BU's subscription id, null on the unallocated
 * portion and on shared lines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FOCUS_ALLOCATION_COLUMNS } from '../common/focus.js';
import type { Share } from './allocate.js';

const COLUMNS = [
  'BilledCost',
  'BillingCurrency',
  'BillingPeriodStart',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ResourceId',
  'ResourceName',
  'ServiceName',
  'x_SkuMeterName',
  ...FOCUS_ALLOCATION_COLUMNS,
  'x_AllocationReason',
] as const;

/** The rows of the statement (values as text; '' = null). */
export function statementRows(
  shares: readonly Share[],
  billingPeriodStart: string,
): Record<string, string>[] {
  return shares.map((s) => {
    const allocated = s.to.startsWith('bu-');
    const day = `${s.line.day}T00:00:00.000Z`;
    return {
      BilledCost: (s.cents / 100).toFixed(2),
      BillingCurrency: 'USD',
      BillingPeriodStart: billingPeriodStart,
      ChargePeriodStart: day,
      ChargePeriodEnd: new Date(Date.parse(day) + 86_400_000).toISOString(),
      ChargeCategory: 'Usage',
      ResourceId: s.line.resourceId,
      ResourceName: s.line.resourceName,
      ServiceName: s.line.serviceName,
      x_SkuMeterName: s.line.meter,
      AllocatedMethodId: s.method,
      AllocatedMethodDetails: JSON.stringify({
        Elements: [
          {
            AllocatedRatio: Number(s.ratio.toFixed(12)),
            UsageUnit: s.unit,
            UsageQuantity: s.quantity,
          },
        ],
      }),
      AllocatedResourceId: allocated ? s.to : '',
      AllocatedResourceName: allocated ? s.to : '',
      AllocatedTags: allocated ? JSON.stringify({ BusinessUnit: s.to.slice(3) }) : '',
      x_AllocationReason: s.reason,
    };
  });
}

/** Writes `<folder>/statement-<YYYY-MM>.csv` and returns its path. */
export function writeStatement(
  folder: string,
  month: string,
  rows: readonly Record<string, string>[],
): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `statement-${month}.csv`);
  const esc = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const lines = [
    COLUMNS.join(','),
    ...rows.map((r) => COLUMNS.map((c) => esc(r[c] ?? '')).join(',')),
  ];
  writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

/**
 * Checks rows against the FOCUS 1.3 rules for split cost allocation the statement follows:
 * AllocatedMethodId not null on every allocated row; AllocatedMethodDetails a JSON object with
 * an `Elements` array whose AllocatedRatio values of one origin charge add up to 1; and
 * AllocatedResourceId null on the unallocated portion. Returns the broken rules (empty = valid).
 */
export function focusAllocationProblems(rows: readonly Record<string, string>[]): string[] {
  const problems: string[] = [];
  const ratioByOrigin = new Map<string, number>();
  rows.forEach((r, i) => {
    if ((r.AllocatedMethodId ?? '') === '')
      problems.push(`row ${i + 1}: AllocatedMethodId is null`);
    let details: { Elements?: { AllocatedRatio?: unknown; UsageUnit?: unknown }[] } | undefined;
    try {
      details = JSON.parse(r.AllocatedMethodDetails ?? '') as typeof details;
    } catch {
      problems.push(`row ${i + 1}: AllocatedMethodDetails is not JSON`);
    }
    const el = details?.Elements;
    if (!Array.isArray(el) || el.length === 0 || typeof el[0]?.AllocatedRatio !== 'number')
      problems.push(`row ${i + 1}: AllocatedMethodDetails has no Elements[].AllocatedRatio`);
    else {
      const origin = `${r.ResourceId}|${r.ChargePeriodStart}|${r.x_SkuMeterName}`;
      ratioByOrigin.set(
        origin,
        (ratioByOrigin.get(origin) ?? 0) + (el[0].AllocatedRatio as number),
      );
    }
    if (r.x_AllocationReason !== '' && (r.AllocatedResourceId ?? '') !== '')
      problems.push(`row ${i + 1}: an unallocated or shared portion has an AllocatedResourceId`);
  });
  for (const [origin, sum] of ratioByOrigin)
    if (Math.abs(sum - 1) > 1e-6)
      problems.push(`${origin}: AllocatedRatio values add up to ${sum}, not 1`);
  return problems;
}
