import { describe, expect, it } from 'vitest';
import { loadConfig, requestsFor } from '../../lib/config/load-config.js';
import { buDisplayName } from '../../lib/artifacts/names.js';
import { describeConfig } from '../../lib/output/views/config.js';
import { ConfigError } from '../../lib/errors.js';

function problemsOf(fn: () => unknown): { field: string; received: string; expected: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe("loadConfig defaults (the original sample's)", () => {
  const config = loadConfig({}, {});

  it('targets local with the documented deployment defaults', () => {
    expect(config.target).toBe('local');
    expect(config.deployment).toMatchObject({
      location: 'eastus2',
      index: 1,
      apimSku: 'BasicV2',
      apiPrefix: 'costing-',
    });
    expect(config.deployment.resourceGroup).toBe('rg-apim-costing-1');
    expect(config.deployment.existingApim).toBe(false);
  });

  it('enables Foundry only on azure by default', () => {
    expect(config.features.enableFoundry).toBe(false);
    expect(loadConfig({ target: 'azure' }, {}).features.enableFoundry).toBe(true);
  });

  it('has the six BUs, six callers and three models with their weights', () => {
    expect(config.businessUnits.map((b) => [b.name, b.weight])).toEqual([
      ['bu-hr', 1],
      ['bu-finance', 2.5],
      ['bu-marketing', 0.5],
      ['bu-engineering', 3],
      ['bu-sales', 2],
      ['bu-operations', 1.5],
    ]);
    expect(config.callers.map((c) => [c.name, c.weight])).toEqual([
      ['HR Service', 1],
      ['Finance Portal', 2.5],
      ['Mobile Gateway', 0.5],
      ['Engineering Tools', 3],
      ['Sales CRM', 2],
      ['Operations Console', 1.5],
    ]);
    expect(config.models.map((m) => [m.name, m.version, m.capacityKTpm, m.requestsPerBu])).toEqual([
      ['gpt-4o-mini', '2024-07-18', 10, 2],
      ['gpt-4.1-nano', '2025-04-14', 10, 4],
      ['gpt-5-mini', '2025-08-07', 10, 6],
    ]);
  });

  it('has the traffic and governance defaults', () => {
    expect(config.traffic).toMatchObject({
      sampleRequestsPerSubscription: 50,
      concurrency: 8,
      runRegularRequests: true,
      runAiRequests: true,
    });
    expect(config.governance).toMatchObject({
      costExportFrequency: 'Daily',
      createBudgetAlerts: true,
      alertThreshold: 1000,
    });
    expect(config.realJwt.useRealJwt).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.businessUnits[0])).toBe(true);
  });

  it('sums to about 525 BU requests at 50 per subscription (cell C1)', () => {
    const total = config.businessUnits.reduce((n, b) => n + requestsFor(50, b.weight), 0);
    expect(total).toBe(525);
  });
});

describe('loadConfig reads the environment', () => {
  it('takes the real-JWT values from COSTING_JWT_*', () => {
    const c = loadConfig(
      {},
      { COSTING_JWT_TENANT_ID: 't', COSTING_JWT_CLIENT_ID: 'c', COSTING_JWT_CLIENT_SECRET: 's' },
    );
    expect(c.realJwt).toMatchObject({ tenantId: 't', clientId: 'c', clientSecret: 's' });
  });
  it('takes the data folder from COSTING_DATA_DIR unless set', () => {
    expect(loadConfig({}, { COSTING_DATA_DIR: '/var/tmp/costing-data-test' }).local.dataDir).toBe(
      '/var/tmp/costing-data-test',
    );
    expect(
      loadConfig({ local: { dataDir: 'mine' } }, { COSTING_DATA_DIR: '/var/tmp/costing-data-test' })
        .local.dataDir,
    ).toBe('mine');
    expect(loadConfig({}, {}).local.dataDir).toBe('.data');
  });
});

describe('loadConfig bad input: one message per bad field', () => {
  it('names an unknown SKU and lists the allowed ones', () => {
    const problems = problemsOf(() => loadConfig({ deployment: { apimSku: 'Gold' } }, {}));
    expect(problems).toEqual([
      {
        field: 'deployment.apimSku',
        received: '"Gold"',
        expected: 'allowed: Developer, Basic, Standard, Premium, BasicV2, StandardV2, PremiumV2',
      },
    ]);
  });

  it('names a negative weight', () => {
    const bus = [{ name: 'bu-hr', displayName: 'HR', weight: -1 }];
    expect(problemsOf(() => loadConfig({ businessUnits: bus }, {}))).toEqual([
      {
        field: 'businessUnits[0].weight',
        received: '-1',
        expected: 'must be a number greater than 0',
      },
    ]);
  });

  it('names a BU without the bu- prefix', () => {
    const bus = [{ name: 'hr', displayName: 'HR', weight: 1 }];
    expect(problemsOf(() => loadConfig({ businessUnits: bus }, {}))).toEqual([
      {
        field: 'businessUnits[0].name',
        received: '"hr"',
        expected: "must start with 'bu-' followed by lower-case letters, digits or '-'",
      },
    ]);
  });

  it('names a malformed appid GUID', () => {
    const callers = [{ appId: 'not-a-guid', name: 'X', weight: 1 }];
    expect(problemsOf(() => loadConfig({ callers }, {}))).toEqual([
      {
        field: 'callers[0].appId',
        received: '"not-a-guid"',
        expected: 'must be a GUID like 00000000-0000-0000-0000-000000000000',
      },
    ]);
  });

  it('reports every bad field at once, and the message lists each on its own line', () => {
    let message = '';
    try {
      loadConfig(
        {
          target: 'cloud',
          deployment: { apimSku: 'Gold' },
          businessUnits: [{ name: 'hr', displayName: 'HR', weight: -2 }],
          traffic: { concurrency: 0 },
        },
        {},
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      [
        'Invalid configuration (5 problems):',
        '  - target: got "cloud"; allowed: local, azure',
        '  - deployment.apimSku: got "Gold"; allowed: Developer, Basic, Standard, Premium, BasicV2, StandardV2, PremiumV2',
        '  - traffic.concurrency: got 0; must be a whole number of 1 or more',
        "  - businessUnits[0].name: got \"hr\"; must start with 'bu-' followed by lower-case letters, digits or '-'",
        '  - businessUnits[0].weight: got -2; must be a number greater than 0',
        'Fix these fields in the configuration cell (A1) and run it again.',
      ].join('\n'),
    );
  });

  it('names a misspelt field and a wrong type', () => {
    const problems = problemsOf(() =>
      loadConfig(
        { traffic: { concurency: 4 } as never, features: { enableFoundry: 'yes' as never } },
        {},
      ),
    );
    expect(problems).toEqual([
      { field: 'features.enableFoundry', received: '"yes"', expected: 'must be a boolean' },
      {
        field: 'traffic.concurency',
        received: 'unknown field(s) concurency',
        expected:
          'remove it or check its spelling against the fields cell A1 lists (lib/config/types.ts)',
      },
    ]);
  });

  it('rejects duplicate BU names', () => {
    const bus = [
      { name: 'bu-hr', displayName: 'HR', weight: 1 },
      { name: 'bu-hr', displayName: 'HR 2', weight: 1 },
    ];
    expect(problemsOf(() => loadConfig({ businessUnits: bus }, {}))).toEqual([
      { field: 'businessUnits[1]', received: '"bu-hr"', expected: 'must be unique in the list' },
    ]);
  });
});

describe('helpers', () => {
  it('requestsFor is max(1, floor(base x weight))', () => {
    expect(requestsFor(50, 0.5)).toBe(25);
    expect(requestsFor(2, 0.5)).toBe(1);
    expect(requestsFor(1, 0.1)).toBe(1);
    expect(requestsFor(6, 2.5)).toBe(15);
  });
  it('buDisplayName strips the bu- prefix only', () => {
    expect(buDisplayName('bu-hr')).toBe('hr');
    expect(buDisplayName('master')).toBe('master');
  });
  it('describeConfig names target, SKU, BUs, callers, models and toggles, and never the secret', () => {
    const text = describeConfig(
      loadConfig({ realJwt: { useRealJwt: true, clientSecret: 'supersecretvalue123' } }, {}),
    );
    for (const needle of [
      '`local`',
      'BasicV2',
      'bu-finance ×2.5',
      'Sales CRM ×2',
      'gpt-5-mini 2025-08-07',
      'token tracking on',
      'supe••••••••',
    ]) {
      expect(text).toContain(needle);
    }
    expect(text).not.toContain('supersecretvalue123');
  });
});

describe('budgets (issue 18)', () => {
  it('defaults: Marketing has a daily token quota, every default BU a monthly budget', () => {
    const c = loadConfig({}, {});
    expect(c.budgets.estimatePromptTokens).toBe(false);
    expect(c.budgets.businessUnits['bu-marketing']).toEqual({
      tokenQuota: 200,
      tokenQuotaPeriod: 'Daily',
      monthlyBudgetUsd: 0.2,
    });
    expect(Object.keys(c.budgets.businessUnits).sort()).toEqual(
      c.businessUnits.map((b) => b.name).sort(),
    );
  });

  it('default budgets follow the configured BUs; a list of its own replaces them', () => {
    const c = loadConfig({ businessUnits: [{ name: 'bu-hr', displayName: 'HR', weight: 1 }] }, {});
    expect(Object.keys(c.budgets.businessUnits)).toEqual(['bu-hr']);
    const own = loadConfig(
      { budgets: { businessUnits: { 'bu-sales': { monthlyBudgetUsd: 9 } } } },
      {},
    );
    expect(own.budgets.businessUnits).toEqual({ 'bu-sales': { monthlyBudgetUsd: 9 } });
  });

  it('names the bad field: period values, a quota without its period, an unknown BU', () => {
    const period = problemsOf(() =>
      loadConfig(
        {
          budgets: { businessUnits: { 'bu-hr': { tokenQuota: 10, tokenQuotaPeriod: 'Minutely' } } },
        },
        {},
      ),
    );
    expect(period[0]).toMatchObject({
      field: 'budgets.businessUnits.bu-hr.tokenQuotaPeriod',
      received: '"Minutely"',
      expected: 'allowed: Hourly, Daily, Weekly, Monthly, Yearly',
    });
    const noPeriod = problemsOf(() =>
      loadConfig({ budgets: { businessUnits: { 'bu-hr': { tokenQuota: 10 } } } }, {}),
    );
    expect(noPeriod.map((p) => p.field)).toEqual(['budgets.businessUnits.bu-hr.tokenQuotaPeriod']);
    const noQuota = problemsOf(() =>
      loadConfig(
        {
          budgets: { businessUnits: { 'bu-hr': { tokenQuotaPeriod: 'Daily' } } },
        },
        {},
      ),
    );
    expect(noQuota.map((p) => p.field)).toEqual(['budgets.businessUnits.bu-hr.tokenQuota']);
    const unknown = problemsOf(() =>
      loadConfig(
        {
          budgets: { businessUnits: { 'bu-nobody': { monthlyBudgetUsd: 1 } } },
        },
        {},
      ),
    );
    expect(unknown[0]?.field).toBe('budgets.businessUnits.bu-nobody');
    expect(unknown[0]?.expected).toContain('bu-hr');
    const negative = problemsOf(() =>
      loadConfig(
        {
          budgets: { businessUnits: { 'bu-hr': { tokensPerMinute: -5, monthlyBudgetUsd: 0 } } },
        },
        {},
      ),
    );
    expect(negative.map((p) => p.field).sort()).toEqual([
      'budgets.businessUnits.bu-hr.monthlyBudgetUsd',
      'budgets.businessUnits.bu-hr.tokensPerMinute',
    ]);
  });
});
