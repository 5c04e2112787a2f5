/**
 * Budget alerts count the whole rolling hour, evaluated every 5 minutes (as the original
 * sample's rules): steady traffic over the threshold fires whatever minute the evaluation falls
 * on. The straddling case: 1,500 requests/hour against a threshold of 1,000, evaluated at :37,
 * splits into clock-hour bins of about 575 and 925, neither over 1,000; the whole window holds
 * 1,500 and fires. The query file, E3's replay of the schedule and the Azure rule all follow it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readArtifact } from '../../lib/artifacts/read-artifact.js';
import { loadConfig } from '../../lib/config/load-config.js';
import { executeQuery } from '../../lib/kql/index.js';
import { bindParameters } from '../../lib/kql/query-files.js';
import type { LogRow } from '../../lib/kql/log-tables.js';
import { BUDGET_ALERT_SCHEDULE, recordBudgetAlerts } from '../../lib/ledger/budget-alert-rules.js';
import type { CostingTarget } from '../../lib/target.js';
import { evaluateBudgetAlerts, evaluationTimes } from '../../lib/verify/budget-alert-evaluation.js';
import { MemorySource } from '../kql/memory-source.js';

const MIN = 60_000;
const at = (iso: string): number => Date.parse(iso);

/** Steady traffic: `perHour` requests an hour for `bu` between two instants, half a step in. */
function steady(bu: string, perHour: number, fromMs: number, toMs: number): LogRow[] {
  const step = (60 * MIN) / perHour;
  const rows: LogRow[] = [];
  for (let t = fromMs + step / 2; t < toMs; t += step)
    rows.push({
      TimeGenerated: new Date(t).toISOString(),
      ApimSubscriptionId: bu,
      CorrelationId: `c${rows.length}`,
    });
  return rows;
}

const source = readArtifact('kql', 'budget-alert-threshold.kql');

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('budget alerts: the rolling hour, every 5 minutes', () => {
  // 1,500 requests an hour for bu-hr from 09:37 to 10:37, nothing else.
  const rows = steady('bu-hr', 1500, at('2026-03-02T09:37:00Z'), at('2026-03-02T10:37:00Z'));
  const now = new Date('2026-03-02T10:37:00Z');

  it('the query, bound as B4 binds it, fires at :37 where clock-hour bins would not', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: rows });
    const rule = bindParameters(source, { threshold: 1000, businessUnit: 'bu-hr' });
    const fired = executeQuery(rule, src, { now }).table;
    expect(fired.columns.map((c) => c.name)).toEqual(['BusinessUnit', 'Requests', 'Threshold']);
    expect(fired.rows).toEqual([['hr', 1500, 1000]]);
    // What the kit counted before: clock-hour bins inside the same hour, about 575 and 925.
    const bins = executeQuery(
      'ApiManagementGatewayLogs | where TimeGenerated > ago(1h) | summarize n = count() by bin(TimeGenerated, 1h) | order by n asc',
      src,
      { now },
    ).table.rows.map((r) => Number(r[1]));
    expect(bins).toEqual([575, 925]);
    expect(Math.max(...bins)).toBeLessThan(1000);
    // Another BU, and this one under a higher threshold, stay quiet.
    const other = bindParameters(source, { threshold: 1000, businessUnit: 'bu-sales' });
    expect(executeQuery(other, src, { now }).table.rows).toEqual([]);
    const higher = bindParameters(source, { threshold: 1500, businessUnit: 'bu-hr' });
    expect(executeQuery(higher, src, { now }).table.rows).toEqual([]);
  });

  it('evaluates every 5 minutes from the rule creation', () => {
    const created = at('2026-03-02T08:02:00Z');
    const times = evaluationTimes(created, at('2026-03-02T10:30:00Z'), at('2026-03-02T10:42:00Z'));
    expect(times.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '10:32',
      '10:37',
      '10:42',
    ]);
    // None before the rule exists.
    expect(evaluationTimes(created, at('2026-03-02T07:00:00Z'), created + 6 * MIN)).toEqual([
      created,
      created + 5 * MIN,
    ]);
    expect(BUDGET_ALERT_SCHEDULE).toMatchObject({
      evaluationFrequency: 'PT5M',
      windowSize: 'PT1H',
    });
  });

  it('E3 replays the schedule over the runs: the straddling BU fires at 10:37, the idle one does not', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'budget-alerts-'));
    dirs.push(dataDir);
    const config = loadConfig({ local: { dataDir } }, {});
    recordBudgetAlerts(config, {
      threshold: 1000,
      businessUnits: ['bu-hr', 'bu-sales'],
      registeredAt: '2026-03-02T08:02:00.000Z',
    });
    const src = new MemorySource({ ApiManagementGatewayLogs: rows });
    const clock = new Date('2026-03-02T10:38:00Z');
    const windows: string[] = [];
    const target = {
      config,
      queryLogs: async (text: string, o: { timespan?: string } = {}) => {
        windows.push(o.timespan ?? '');
        return executeQuery(text, src, {
          now: clock,
          ...(o.timespan ? { timespan: o.timespan } : {}),
        });
      },
    } as unknown as CostingTarget;
    const result = await evaluateBudgetAlerts(
      target,
      '2026-03-02T09:30:00.000Z/2026-03-02T10:43:00.000Z',
      { now: clock },
    );
    // 09:32 to 10:42: 15 evaluations, each over the hour before it.
    expect(windows).toHaveLength(15);
    expect(windows[13]).toBe('2026-03-02T09:37:00.000Z/2026-03-02T10:37:00.000Z');
    expect(result).toEqual([
      {
        bu: 'bu-hr',
        threshold: 1000,
        maxWindowRequests: 1500,
        peakAt: '2026-03-02T10:37:00.000Z',
        evaluations: 15,
        wouldFire: true,
        firstFiringAt: '2026-03-02T10:22:00.000Z',
      },
      {
        bu: 'bu-sales',
        threshold: 1000,
        maxWindowRequests: 0,
        peakAt: undefined,
        evaluations: 15,
        wouldFire: false,
        firstFiringAt: undefined,
      },
    ]);
  });
});
