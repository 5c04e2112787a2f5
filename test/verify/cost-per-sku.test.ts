/**
 * One source for the cost formula's prices: E1 (kql/cost-allocation-subscription.kql), E3's
 * ground truth (lib/pricing) and the workbook's cost table show the same cost per BU for every
 * APIM SKU, with a model set that is not the default.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buDisplayName } from '../../lib/artifacts/names.js';
import { rowsOf } from '../../lib/common/kql-rows.js';
import { loadConfig } from '../../lib/config/load-config.js';
import { APIM_SKUS, type ApimSku, type KitConfigInput } from '../../lib/config/types.js';
import { createLocalTarget } from '../../lib/local/local-target.js';
import { allocateCost, getApimPricing } from '../../lib/pricing/pricing.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { crossReference } from '../../lib/verify/cross-reference.js';
import { verifyLogs } from '../../lib/verify/verify-logs.js';

let dataDir: string;
const base: KitConfigInput = {
  traffic: { sampleRequestsPerSubscription: 8, errorShare: 0 },
  models: [
    { name: 'gpt-4.1-nano', version: '2025-04-14', capacityKTpm: 10, requestsPerBu: 2 },
    { name: 'gpt-5-mini', version: '2025-08-07', capacityKTpm: 10, requestsPerBu: 3 },
  ],
};
const configFor = (apimSku: ApimSku) =>
  loadConfig({ ...base, deployment: { apimSku }, local: { dataDir } }, {});

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'cost-per-sku-'));
  const target = createLocalTarget(configFor('BasicV2'));
  await target.deploy();
  await sendTraffic(target, 'bu');
  await sendTraffic(target, 'ai');
  await target.close();
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('cost per BU: E1, E3 and the workbook agree for every SKU', () => {
  it.each([...APIM_SKUS])('%s', async (sku) => {
    const target = createLocalTarget(configFor(sku));
    try {
      await target.deploy();
      const e1 = rowsOf((await verifyLogs(target)).requestsPerBu);
      const e3 = await crossReference(target);
      const requests = Object.fromEntries(
        e1.map((r) => [`bu-${String(r.BusinessUnit)}`, Number(r.Requests)]),
      );
      const expected = allocateCost(requests, getApimPricing(sku));
      const costRows = e3.rows.filter((r) => r.query === 'subscription-cost-allocation');
      expect(costRows).toHaveLength(expected.length);
      for (const a of expected) {
        const bu = buDisplayName(a.bu);
        const fromE1 = e1.find((r) => r.BusinessUnit === bu);
        const fromE3 = costRows.find((r) => r.tile === bu);
        // E1's query rounds to 4 decimals; E3 and the workbook compare unrounded.
        expect(Number(fromE1?.TotalCost), `E1 ${sku} ${bu}`).toBeCloseTo(a.totalUsd, 3);
        expect(fromE3?.groundTruth, `E3 truth ${sku} ${bu}`).toBe(a.totalUsd);
        expect(fromE3?.workbook, `workbook ${sku} ${bu}`).toBeCloseTo(a.totalUsd, 6);
        expect(fromE3?.match, `E3 match ${sku} ${bu}`).toBe(true);
      }
      expect(e3.allMatch).toBe(true);
    } finally {
      await target.close();
    }
  });
});
