/**
 * The `CostingTarget` contract: one set of behaviours every implementation must show, run against
 * the local target and against the azure target over the fake transport (unstorage's
 * `testDriver` habit). An implementation-specific test goes in its own folder; what the notebook
 * relies on from any target goes here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KitConfig } from '../../lib/config/types.js';
import { MissingStepError } from '../../lib/errors.js';
import type { CostAllocationRow, CostingTarget } from '../../lib/target.js';
import { parseExportRun } from '../../lib/bill/parse-export.js';
import { buildWorkbookData } from '../../lib/workbook/workbook-json.js';

/** What a contract run needs: a fresh, undeployed target and a way to dispose of it. */
export interface TargetUnderTest {
  target: CostingTarget;
  config: KitConfig;
  dispose(): Promise<void>;
}

/**
 * Runs the contract against targets `make` builds (one per test).
 * @example describeTarget('local', async () => ({ target, config, dispose }));
 */
export function describeTarget(name: string, make: () => Promise<TargetUnderTest>): void {
  describe(`CostingTarget contract: ${name}`, () => {
    let t: TargetUnderTest;
    beforeEach(async () => {
      t = await make();
    });
    afterEach(async () => {
      await t.dispose();
    });

    it('carries the configuration it was made from and its kind', () => {
      expect(t.target.config).toBe(t.config);
      expect(t.target.kind).toBe(t.config.target);
    });

    it('names cell A2 when asked for a deployment before deploy', async () => {
      expect(() => t.target.requireDeployment()).toThrow(MissingStepError);
      try {
        t.target.requireDeployment();
      } catch (err) {
        expect((err as MissingStepError).step).toBe('A2');
      }
    });

    it('deploys idempotently: one API per purpose and one subscription with a key per BU', async () => {
      const progress: string[] = [];
      const d = await t.target.deploy({ onProgress: (e) => progress.push(e.message) });
      expect(progress.length).toBeGreaterThan(0);
      expect(d.target).toBe(t.config.target);
      expect(d.apimSku).toBe(t.config.deployment.apimSku);
      for (const api of [d.apis.costing, d.apis.entra, d.apis.tokenTracking, d.apis.aoai]) {
        expect(api.apiId.startsWith(t.config.deployment.apiPrefix), api.apiId).toBe(true);
        expect(api.url).toBe(`${d.gatewayUrl}/${api.path}`);
      }
      expect(d.subscriptions.map((s) => s.id)).toEqual(t.config.businessUnits.map((b) => b.name));
      for (const s of d.subscriptions) expect(s.primaryKey.length).toBeGreaterThanOrEqual(16);
      // The Entra ID and token-tracking APIs carry their own key (not a BU's), as the original;
      // the costing and AOAI gateway APIs take the BU keys. Every API has its display name.
      for (const api of [d.apis.entra, d.apis.tokenTracking]) {
        expect(api.subscription?.id, api.apiId).toBe(`api-${api.apiId}`);
        expect(api.subscription?.primaryKey.length, api.apiId).toBeGreaterThanOrEqual(16);
      }
      expect([d.apis.costing.subscription, d.apis.aoai.subscription]).toEqual([
        undefined,
        undefined,
      ]);
      for (const api of Object.values(d.apis))
        expect(api.name.length, api.apiId).toBeGreaterThan(0);
      expect(t.target.requireDeployment()).toEqual(d);
      const again = await t.target.deploy();
      expect(again.gatewayUrl).toBe(d.gatewayUrl);
      expect(again.subscriptions).toEqual(d.subscriptions);
    });

    it('answers a KQL query with a success table shaped like the Log Analytics API', async () => {
      await t.target.deploy();
      const result = await t.target.queryLogs(
        'ApiManagementGatewayLogs | summarize Rows = count() by ApiId',
        { timespan: 'PT1H' },
      );
      expect(result.status).toBe('success');
      expect(result.table.name).toBe('PrimaryResult');
      expect(result.table.columns.map((c) => c.name)).toEqual(['ApiId', 'Rows']);
      for (const row of result.table.rows) expect(row).toHaveLength(2);
    });

    it('rejects an operation whose signal is already aborted, with the signal’s reason', async () => {
      await t.target.deploy();
      const reason = new Error('stopped by the test');
      const signal = AbortSignal.abort(reason);
      await expect(t.target.queryLogs('ApiManagementGatewayLogs | count', { signal })).rejects.toBe(
        reason,
      );
      await expect(t.target.createCostExport({ signal })).rejects.toBe(reason);
      await expect(t.target.cleanUp({ signal })).rejects.toBe(reason);
    });

    it('creates and runs the cost export and the budget alerts: done, or skipped with what it would have done', async () => {
      await t.target.deploy();
      for (const outcome of [
        await t.target.createCostExport(),
        await t.target.runCostExport(),
        await t.target.createBudgetAlerts(),
        await t.target.createForecastAlerts(),
      ]) {
        if (outcome.status === 'done') expect(outcome.summary.length).toBeGreaterThan(0);
        else {
          expect(outcome.status).toBe('skipped');
          expect(outcome.reason.length).toBeGreaterThan(0);
          expect(outcome.wouldHaveDone.length).toBeGreaterThan(0);
        }
      }
    });

    it('reads no export run before B3, then the newest complete FOCUS run, and ingests allocation rows', async () => {
      await t.target.deploy();
      const before = await t.target.readCostExport();
      expect(before.run).toBeUndefined();
      await t.target.createCostExport();
      await t.target.runCostExport();
      const read = await t.target.readCostExport();
      expect(read.folder).toMatch(new RegExp(`/${read.exportName}/$`));
      const run = read.run;
      expect(run).toBeDefined();
      if (run === undefined) return;
      expect(run.manifestPath.startsWith(read.folder)).toBe(true);
      expect(run.manifestPath.endsWith('/manifest.json')).toBe(true);
      const manifest = run.manifest as { exportConfig: { exportName: string; type: string } };
      expect(manifest.exportConfig).toMatchObject({
        exportName: read.exportName,
        type: 'FocusCost',
      });
      const parsed = parseExportRun(read, run);
      expect(parsed.lines.length).toBeGreaterThan(0);
      for (const line of parsed.lines) expect(line.currency).toBe('USD');
      const rows: CostAllocationRow[] = parsed.lines.map((l) => ({
        TimeGenerated: new Date().toISOString(),
        BillingPeriodStart: `${l.day.slice(0, 8)}01T00:00:00.000Z`,
        ChargePeriodStart: `${l.day}T00:00:00.000Z`,
        AllocatedTo: 'shared',
        Reason: 'contract test',
        ResourceId: l.resourceId,
        ServiceName: l.serviceName,
        Meter: l.meter,
        AllocatedMethodId: 'contract',
        AllocatedRatio: 1,
        UsageQuantity: l.quantity,
        UsageUnit: l.unit,
        BilledCostUsd: l.billedUsd,
        EstimateUsd: l.listUsd,
        RunId: 'contract',
      }));
      const ingested = await t.target.ingestCostAllocation(rows);
      expect(ingested.status).toBe('done');
    });

    it('publishes the filled workbook and says where it is', async () => {
      const d = await t.target.deploy();
      const published = await t.target.publishWorkbook({
        serializedData: buildWorkbookData(t.config, d),
        displayName: 'contract',
      });
      expect(published.url).toMatch(/^(https:|file:)/);
      expect(published.id.length).toBeGreaterThan(0);
      expect(Array.isArray(published.links)).toBe(true);
    });

    it('lists what clean-up would remove without removing it (dry run by default)', async () => {
      await t.target.deploy();
      const first = await t.target.cleanUp();
      expect(first.length).toBeGreaterThan(0);
      for (const item of first)
        expect(['would-delete', 'already-gone', 'kept']).toContain(item.action);
      expect(await t.target.cleanUp()).toEqual(first);
    });

    it("reads each BU's enforcement state, writes a change that reads back, and restores it", async () => {
      await t.target.deploy();
      const before = await t.target.readEnforcement();
      expect(before.map((s) => s.bu)).toEqual(t.config.businessUnits.map((b) => b.name));
      const mk = before.find((s) => s.bu === 'bu-marketing');
      expect(mk).toEqual({
        bu: 'bu-marketing',
        state: 'active',
        tokensPerMinute: undefined,
        tokenQuota: 200,
        tokenQuotaPeriod: 'Daily',
      });
      if (!mk) return;
      const after = await t.target.writeEnforcement([
        { ...mk, state: 'suspended', tokenQuota: 50, tokenQuotaPeriod: 'Monthly' },
      ]);
      expect(after.find((s) => s.bu === 'bu-marketing')).toEqual({
        ...mk,
        state: 'suspended',
        tokenQuota: 50,
        tokenQuotaPeriod: 'Monthly',
      });
      expect(after.filter((s) => s.bu !== 'bu-marketing')).toEqual(
        before.filter((s) => s.bu !== 'bu-marketing'),
      );
      expect(await t.target.writeEnforcement([mk])).toEqual(before);
    });

    it('can be closed and deployed again', async () => {
      const d = await t.target.deploy();
      await t.target.close();
      expect(() => t.target.requireDeployment()).toThrow(MissingStepError);
      const again = await t.target.deploy();
      expect(again.subscriptions.map((s) => s.id)).toEqual(d.subscriptions.map((s) => s.id));
    });
  });
}
