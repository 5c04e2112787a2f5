import { describe, expect, it } from 'vitest';
import { MAX_PLANNED_REQUESTS, MAX_WEIGHT, requestsFor } from '../../lib/config/bounds.js';
import { loadConfig as loadUnpriced } from '../../lib/config/load-config.js';
import { DEFAULT_BUSINESS_UNITS, DEFAULT_CALLERS } from '../../lib/config/defaults.js';
import { ConfigError, type ConfigProblem } from '../../lib/errors.js';
import { loadConfig } from '../../lib/index.js';
import { PRICED_MODELS } from '../../lib/pricing/pricing.js';
import { countsPerBu, countsPerCaller } from '../../lib/traffic/plan.js';

function problemsOf(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const oneBu = (weight: number, displayName = 'HR') => [{ name: 'bu-hr', displayName, weight }];

describe('A1 bounds: planned totals and weights are capped with a named field', () => {
  it('refuses 1e12 and 2e6 requests per subscription in A1, naming the cap and what to do', () => {
    for (const n of [1e12, 2_000_000]) {
      const msg = messageOf(() =>
        loadConfig({ traffic: { sampleRequestsPerSubscription: n } }, {}),
      );
      expect(msg).toContain('traffic.sampleRequestsPerSubscription');
      expect(msg).toContain('at most 100,000');
      expect(msg).toContain('lower it in cell A1');
    }
  });

  it('refuses a weight of 1e300 (C1 would loop forever), saying how to lower it', () => {
    const [p] = problemsOf(() => loadConfig({ businessUnits: oneBu(1e300) }, {}));
    expect(p?.field).toBe('businessUnits[0].weight');
    expect(p?.received).toBe('1e+300');
    expect(p?.expected).toContain(`at most ${MAX_WEIGHT}`);
    expect(p?.expected).toContain('lower them all by the same factor');
    const [c] = problemsOf(() =>
      loadConfig({ callers: [{ ...DEFAULT_CALLERS[0]!, weight: 5000 }] }, {}),
    );
    expect(c?.field).toBe('callers[0].weight');
  });

  it('refuses a total over the cap even when each field is within its own bound', () => {
    // 1000 x 1000 = 1,000,000 planned by C1 for one BU.
    const ps = problemsOf(() =>
      loadConfig(
        { businessUnits: oneBu(1000), traffic: { sampleRequestsPerSubscription: 1000 } },
        {},
      ),
    );
    const p = ps.find((x) => x.field === 'traffic.sampleRequestsPerSubscription');
    expect(p?.expected).toContain('plans 1,000,000 requests in C1');
    expect(p?.expected).toContain('at most 100,000 per cell');
    expect(p?.expected).toContain('lower this value (or the weights) in cell A1');
    const d1 = problemsOf(() =>
      loadConfig(
        {
          businessUnits: oneBu(1000),
          traffic: { sampleRequestsPerSubscription: 1 },
          models: [
            { name: 'gpt-4o-mini', version: '2024-07-18', capacityKTpm: 10, requestsPerBu: 200 },
          ],
        },
        {},
      ),
    );
    expect(d1.map((x) => x.field)).toContain('models[0].requestsPerBu');
    expect(d1.find((x) => x.field === 'models[0].requestsPerBu')?.expected).toContain('D1');
  });

  it('accepts the defaults and exactly the cap', () => {
    expect(() => loadConfig({}, {})).not.toThrow();
    const config = loadConfig(
      {
        businessUnits: oneBu(1),
        callers: [{ ...DEFAULT_CALLERS[0]!, weight: 1 }],
        traffic: { sampleRequestsPerSubscription: MAX_PLANNED_REQUESTS },
      },
      {},
    );
    expect(config.traffic.sampleRequestsPerSubscription).toBe(MAX_PLANNED_REQUESTS);
  });

  it('caps cell overrides, each count and their total, naming the option', () => {
    const targets = DEFAULT_BUSINESS_UNITS.map((bu) => ({
      bu,
      subscription: {
        id: bu.name,
        displayName: bu.displayName,
        primaryKey: 'k',
        secondaryKey: 'k',
      },
    }));
    const one = problemsOf(() => countsPerBu(targets, 50, { 'bu-hr': 1e12 }, 'requestsPerBu'));
    expect(one[0]?.field).toBe('requestsPerBu.bu-hr');
    expect(one[0]?.expected).toContain('at most 100,000');
    const sum = problemsOf(() =>
      countsPerBu(targets, 50, { 'bu-hr': 60_000, 'bu-finance': 60_000 }, 'requestsPerBu'),
    );
    expect(sum[0]?.field).toBe('requestsPerBu');
    expect(sum[0]?.received).toBe('120,000 requests in total');
    expect(sum[0]?.expected).toContain('lower the counts');
    const callers = problemsOf(() =>
      countsPerCaller(
        DEFAULT_CALLERS,
        20,
        { [DEFAULT_CALLERS[0]!.name]: 200_000 },
        'requestsPerCaller',
      ),
    );
    expect(callers[0]?.field).toBe(`requestsPerCaller.${DEFAULT_CALLERS[0]!.name}`);
  });
});

describe('requestsFor is exact on the decimal weight', () => {
  it('plans 29 for 100 x 0.29 (binary floating point gives 28.999...)', () => {
    expect(100 * 0.29).toBeLessThan(29); // the trap this guards against
    expect(requestsFor(100, 0.29)).toBe(29);
    expect(requestsFor(100, 0.57)).toBe(57);
    expect(requestsFor(10, 0.7)).toBe(7);
    expect(requestsFor(3, 1.1)).toBe(3);
    expect(requestsFor(100, 0.295)).toBe(29);
    expect(requestsFor(1, 1e-7)).toBe(1);
    expect(requestsFor(50, 2.5)).toBe(125);
    expect(requestsFor(MAX_PLANNED_REQUESTS, MAX_WEIGHT)).toBe(1e8);
  });

  it('every product base x w/100 for w in 1..100 and base in 1..200 floors the exact decimal', () => {
    for (let base = 1; base <= 200; base += 1)
      for (let w = 1; w <= 100; w += 1)
        expect(requestsFor(base, w / 100)).toBe(Math.max(1, Math.floor((base * w) / 100)));
  });

  it('the cells plan with the same function (C1 with weight 0.29 plans 29 of 100)', () => {
    const targets = [
      {
        bu: { name: 'bu-hr', displayName: 'HR', weight: 0.29 },
        subscription: { id: 'bu-hr', displayName: 'HR', primaryKey: 'k', secondaryKey: 'k' },
      },
    ];
    expect(countsPerBu(targets, 100, undefined, 'requestsPerBu').get('bu-hr')).toBe(29);
  });
});

describe('A1 checks model names against the price table', () => {
  it('refuses an unknown model naming models[i].name, the value and the known names', () => {
    const [p] = problemsOf(() =>
      loadConfig(
        {
          models: [
            { name: 'gpt-4o-mini', version: '2024-07-18', capacityKTpm: 10, requestsPerBu: 2 },
            { name: 'gpt-9-turbo', version: '2030-01-01', capacityKTpm: 10, requestsPerBu: 2 },
          ],
        },
        {},
      ),
    );
    expect(p?.field).toBe('models[1].name');
    expect(p?.received).toBe('"gpt-9-turbo"');
    for (const m of PRICED_MODELS) expect(p?.expected).toContain(m);
    expect(p?.expected).toContain('pick one, or add its price there');
  });

  it('accepts every priced model, dated or not, in any case', () => {
    for (const m of PRICED_MODELS) {
      for (const name of [m, m.toUpperCase(), `${m}-2025-01-01`])
        expect(() =>
          loadConfig(
            { models: [{ name, version: '2025-01-01', capacityKTpm: 10, requestsPerBu: 1 }] },
            {},
          ),
        ).not.toThrow();
    }
  });

  it('lib/config alone checks no prices (it imports nothing but errors)', () => {
    const config = loadUnpriced(
      { models: [{ name: 'gpt-9', version: '2030-01-01', capacityKTpm: 10, requestsPerBu: 1 }] },
      {},
    );
    expect(config.models[0]?.name).toBe('gpt-9');
  });
});

describe('A1 refuses whitespace-only display names', () => {
  it('names the BU display name and the caller name', () => {
    const [bu] = problemsOf(() => loadConfig({ businessUnits: oneBu(1, '   ') }, {}));
    expect(bu?.field).toBe('businessUnits[0].displayName');
    expect(bu?.received).toBe('"   "');
    expect(bu?.expected).toContain('must contain a visible character');
    const [c] = problemsOf(() =>
      loadConfig({ callers: [{ ...DEFAULT_CALLERS[0]!, name: '\t ' }] }, {}),
    );
    expect(c?.field).toBe('callers[0].name');
    expect(() => loadConfig({ businessUnits: oneBu(1, '') }, {})).toThrow(
      'businessUnits[0].displayName',
    );
  });
});

describe('displaying config hides the client secret', () => {
  it('util.inspect (what a cell ending with `config` shows) never prints the secret', async () => {
    const { inspect } = await import('node:util');
    const secret = 'Zq8~very-secret-client-secret-value';
    const config = loadConfig(
      { realJwt: { useRealJwt: true, tenantId: 't', clientId: 'c', clientSecret: secret } },
      {},
    );
    for (const shown of [inspect(config, { depth: 5 }), inspect(config.realJwt)]) {
      expect(shown).not.toContain(secret);
      expect(shown).toContain('(hidden)');
    }
    expect(config.realJwt.clientSecret).toBe(secret);
    const { describeConfig } = await import('../../lib/output/views/config.js');
    expect(describeConfig(config)).not.toContain(secret);
  });
});
