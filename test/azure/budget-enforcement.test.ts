/**
 * Cell E5 on the azure target over the fake transport, with the ARM calls checked: a dry-run plan
 * sends no write; apply PATCHes the BU subscription's `state` (with `If-Match`) and PUTs the
 * `budget-token-limits` named value; undo puts both back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureTarget } from '../../lib/azure/azure-target.js';
import { planEnforcement, undoEnforcement } from '../../lib/budgets/enforcement-plan.js';
import type { BudgetReview } from '../../lib/budgets/review-budgets.js';
import { forecastBudget } from '../../lib/budgets/forecast.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { CostingTarget } from '../../lib/target.js';
import { installBudgetRoutes, type BudgetArmState } from './arm-budget-routes.js';
import { azureConfig, installDeployRoutes } from './arm-simulator.js';
import { FakeAzure, FakeCredential } from './fake-azure.js';

let dataDir: string;
let fake: FakeAzure;
let arm: BudgetArmState;
let target: CostingTarget;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'azure-budgets-'));
  const base = azureConfig();
  const config = loadConfig({ ...inputOf(base), local: { dataDir } }, {});
  fake = new FakeAzure();
  installDeployRoutes(fake, config);
  arm = installBudgetRoutes(fake, config);
  target = createAzureTarget(config, {
    credential: new FakeCredential(),
    httpClient: fake,
    pollIntervalMs: 1,
    roleRetry: { attempts: 2, delayMs: 1 },
  });
  await target.deploy();
}, 60_000);

afterAll(async () => {
  await target?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The input that rebuilds a loaded configuration (its groups as given). */
function inputOf(c: ReturnType<typeof azureConfig>): Parameters<typeof loadConfig>[0] {
  return {
    target: c.target,
    deployment: {
      location: c.deployment.location,
      index: c.deployment.index,
      apimSku: c.deployment.apimSku,
    },
    azure: { subscriptionId: c.azure.subscriptionId, tenantId: c.azure.tenantId },
  };
}

/** A review where Marketing is over its budget and Engineering projected over. */
async function review(): Promise<BudgetReview> {
  const enforcement = await target.readEnforcement();
  const bu = (name: string, daily: number[], budgetUsd: number) => ({
    bu: name,
    displayName: name.slice(3),
    source: 'estimate' as const,
    daily: daily.map((costUsd, i) => ({
      day: `2026-06-${String(i + 1).padStart(2, '0')}`,
      costUsd,
    })),
    forecast: forecastBudget(
      daily.map((costUsd, i) => ({ day: `2026-06-${String(i + 1).padStart(2, '0')}`, costUsd })),
      { budgetUsd, asOfDay: `2026-06-${String(daily.length).padStart(2, '0')}` },
    ),
    monthTokens: 10_000,
    ruleFires: undefined,
    enforcement: enforcement.find((e) => e.bu === name),
  });
  return {
    asOfDay: '2026-06-10',
    month: '2026-06',
    businessUnits: [
      bu('bu-marketing', Array(10).fill(2), 15),
      bu('bu-engineering', Array(10).fill(1), 20),
    ],
  };
}

const writes = () => fake.requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH');

describe('forecast alert rules over ARM (fake transport)', () => {
  it('PUTs one daily rule per BU with a budget, reading 31 days, with the budget bound', async () => {
    fake.on('PUT', /\/providers\/Microsoft\.Insights\/scheduledQueryRules\/[^/]+$/i, (r) => ({
      status: 201,
      body: { id: r.path, name: r.path.split('/').pop(), ...(r.body as object) },
    }));
    const outcome = await target.createForecastAlerts();
    expect(outcome.status).toBe('done');
    const puts = fake.find('PUT', /\/scheduledQueryRules\/[^/]+$/i);
    const budgeted = target.config.businessUnits.filter(
      (b) => target.config.budgets.businessUnits[b.name]?.monthlyBudgetUsd !== undefined,
    );
    expect(puts.map((p) => p.path.split('/').pop())).toEqual(
      budgeted.map((b) => `alert-apim-costing-1-${b.name}-forecast`),
    );
    const mk = puts.find((p) => p.path.endsWith('bu-marketing-forecast'));
    const props = (mk?.body as { properties: Record<string, unknown> }).properties;
    expect(props).toMatchObject({
      evaluationFrequency: 'P1D',
      windowSize: 'P1D',
      overrideQueryTimeRange: 'P31D',
      severity: 2,
      enabled: true,
    });
    const query = (props.criteria as { allOf: { query: string }[] }).allOf[0]?.query ?? '';
    expect(query).toContain('let businessUnit = "bu-marketing";');
    expect(query).toContain('let budgetUsd = real(0.2);');
    expect(query).toContain('let baseMonthlyCost = real(150.01);');
    // asOf stays now(): the rule evaluates the day it runs.
    expect(query).toContain('let asOf = now();');
  });
});

describe('enforcement plan over ARM (fake transport)', () => {
  it('a dry run sends no write', async () => {
    const r = await review();
    const before = writes().length;
    const plan = await planEnforcement(target, r);
    expect(plan.applied).toBe(false);
    expect(plan.changes.map((c) => [c.bu, c.proposed.state, c.proposed.tokenQuotaPeriod])).toEqual([
      ['bu-marketing', 'suspended', 'Daily'],
      ['bu-engineering', 'active', 'Monthly'],
    ]);
    expect(writes().length).toBe(before);
  });

  it('apply PATCHes the subscription state and PUTs the named value; undo restores both', async () => {
    const r = await review();
    const mark = fake.requests.length;
    const plan = await planEnforcement(target, r, { apply: true });
    const sent = fake.requests
      .slice(mark)
      .filter((q) => q.method === 'PUT' || q.method === 'PATCH');
    const patch = sent.find((q) => q.method === 'PATCH');
    expect(patch?.path).toMatch(
      /^\/subscriptions\/[^/]+\/resourceGroups\/rg-apim-costing-1\/providers\/Microsoft\.ApiManagement\/service\/[^/]+\/subscriptions\/bu-marketing$/,
    );
    expect(patch?.headers['if-match']).toBe('*');
    expect(patch?.body).toEqual({ properties: { state: 'suspended' } });
    expect(patch?.apiVersion).toMatch(/^\d{4}-\d{2}-\d{2}/);
    const put = sent.find((q) => q.method === 'PUT');
    expect(put?.path).toMatch(/\/service\/[^/]+\/namedValues\/budget-token-limits$/);
    const quota = plan.changes.find((c) => c.bu === 'bu-engineering')?.proposed.tokenQuota;
    expect(put?.body).toEqual({
      properties: {
        displayName: 'budget-token-limits',
        value: expect.stringContaining(`bu-engineering,100000,${quota},Monthly`) as unknown,
        secret: false,
        tags: ['apim-costing'],
      },
    });
    expect(arm.states.get('bu-marketing')).toBe('suspended');

    await undoEnforcement(target);
    expect(arm.states.get('bu-marketing')).toBe('active');
    expect(arm.namedValue).not.toContain(`bu-engineering,100000,${quota},Monthly`);
    expect(arm.namedValue).toContain('bu-marketing,2147483647,200,Daily');
    expect(fake.unexpected).toEqual([]);
  });
});
