/**
 * Token cost per BU in the workbook is the sum over models of each model's tokens at that
 * model's own prices, computed here from the ledger, for a run with the three default models;
 * E3 shows it (and the token cost tile) matching.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buDisplayName } from '../../lib/artifacts/names.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig } from '../../lib/config/types.js';
import { readLedger } from '../../lib/ledger/ledger.js';
import { createLocalTarget } from '../../lib/local/local-target.js';
import { getModelPricing, tokenCost } from '../../lib/pricing/pricing.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { crossReference, type CrossReference } from '../../lib/verify/cross-reference.js';

let dataDir: string;
let config: KitConfig;
let e3: CrossReference;
/** BU subscription id -> model -> [prompt, completion] tokens, from the ledger's requests. */
const tokens = new Map<string, Map<string, [number, number]>>();

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'token-cost-per-model-'));
  config = loadConfig({ local: { dataDir }, traffic: { sampleRequestsPerSubscription: 4 } }, {});
  const target = createLocalTarget(config);
  try {
    await target.deploy();
    await sendTraffic(target, 'ai');
    const ledger = await readLedger(config);
    for (const r of ledger.sources.ai?.requests ?? []) {
      if (r.outcome !== 'succeeded' || r.usage === undefined || r.model === undefined) continue;
      const byModel = tokens.get(r.bu) ?? new Map<string, [number, number]>();
      const [p, c] = byModel.get(r.model) ?? [0, 0];
      byModel.set(r.model, [p + r.usage.promptTokens, c + r.usage.completionTokens]);
      tokens.set(r.bu, byModel);
    }
    e3 = await crossReference(target);
  } finally {
    await target.close();
  }
}, 240_000);
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('token cost per BU: each model at its own price', () => {
  it('ran the three default models for every BU', () => {
    expect(config.models.map((m) => m.name).sort()).toEqual([
      'gpt-4.1-nano',
      'gpt-4o-mini',
      'gpt-5-mini',
    ]);
    expect(tokens.size).toBe(config.businessUnits.length);
    for (const byModel of tokens.values()) expect(byModel.size).toBe(3);
  });

  it('E3 shows the workbook figure equal to the sum over models from the ledger', () => {
    const rows = e3.rows.filter((r) => r.query === 'ai-token-cost-allocation');
    expect(rows).toHaveLength(tokens.size);
    let all = 0;
    for (const [bu, byModel] of tokens) {
      const truth = [...byModel].reduce(
        (n, [model, [p, c]]) => n + tokenCost(p, c, getModelPricing(model)),
        0,
      );
      all += truth;
      const row = rows.find((r) => r.tile === buDisplayName(bu));
      expect(row?.groundTruth, bu).toBeCloseTo(truth, 12);
      expect(row?.workbook, bu).toBeCloseTo(truth, 9);
      expect(row?.match, bu).toBe(true);
      // One rate pair for every model (what the workbook did before) would not match.
      const [p, c] = [...byModel.values()].reduce(([a, b], [x, y]) => [a + x, b + y], [0, 0]);
      expect(Math.abs(tokenCost(p, c, getModelPricing('gpt-5-mini')) - truth)).toBeGreaterThan(
        1e-6,
      );
    }
    const tile = e3.rows.find((r) => r.query === 'ai-tiles-token-cost');
    expect(tile?.groundTruth).toBeCloseTo(all, 12);
    expect(tile?.match).toBe(true);
    expect(e3.allMatch, JSON.stringify(e3.rows.filter((r) => !r.match))).toBe(true);
  });
});
