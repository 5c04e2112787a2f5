/**
 * The local target's own contract: no I/O until deploy, idempotent deploy, keys and logs that
 * survive a restart, what it skips (and records), clean-up, and the step errors.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import { MissingStepError } from '../../lib/errors.js';
import { createLocalTarget } from '../../lib/local/local-target.js';
import { DATA_FILES as LOCAL_FILES } from '../../lib/artifacts/names.js';
import { startTestTarget, tableRows } from './helpers.js';

describe('local target', () => {
  it('does no I/O when built and asks for cell A2 before deploy', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'lt-')), 'data');
    const target = createLocalTarget(loadConfig({ local: { dataDir } }));
    expect(existsSync(dataDir)).toBe(false);
    expect(() => target.requireDeployment()).toThrow(MissingStepError);
    expect(() => target.requireDeployment()).toThrow(/run cell A2 first/);
    await expect(target.queryLogs('customMetrics | take 1')).rejects.toThrow(/run cell A2 first/);
    await target.close();
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('deploys once, with the fixed API names and BU keys, and keeps keys and logs across a restart', async () => {
    const t = await startTestTarget();
    try {
      const again = await t.target.deploy();
      expect(again).toBe(t.deployment);
      expect(t.target.requireDeployment()).toBe(t.deployment);
      const d = t.deployment;
      expect(d.gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(d.apis.aoai).toEqual({
        apiId: 'costing-aoai-gateway-api',
        path: 'costing-aoai-gateway',
        url: `${d.gatewayUrl}/costing-aoai-gateway`,
        name: 'Costing: AOAI gateway',
      });
      // The Entra ID and token-tracking APIs carry their own subscription (main.bicep), not a BU.
      expect([d.apis.entra.subscription?.id, d.apis.tokenTracking.subscription?.id]).toEqual([
        'api-costing-entraid-api',
        'api-costing-token-tracking-api',
      ]);
      expect(d.apis.entra.subscription?.primaryKey).toMatch(/^[0-9a-f]{32}$/);
      expect([d.apis.costing.apiId, d.apis.entra.apiId, d.apis.tokenTracking.apiId]).toEqual([
        'costing-subscription-api',
        'costing-entraid-api',
        'costing-token-tracking-api',
      ]);
      expect(d.subscriptions.map((s) => s.id)).toEqual(t.config.businessUnits.map((b) => b.name));
      expect(new Set(d.subscriptions.map((s) => s.primaryKey)).size).toBe(d.subscriptions.length);
      expect(d.subscriptions.every((s) => /^[0-9a-f]{32}$/.test(s.primaryKey))).toBe(true);
      expect(d.aoai?.emulated).toBe(true);
      expect(d.aoai?.deployments.map((m) => m.deploymentName)).toEqual([
        'gpt-4o-mini',
        'gpt-4.1-nano',
        'gpt-5-mini',
      ]);

      const res = await fetch(`${d.apis.costing.url}/get`, {
        headers: { 'Ocp-Apim-Subscription-Key': d.subscriptions[0]?.primaryKey ?? '' },
      });
      expect(res.status).toBe(200);
      await t.target.close();
      expect(() => t.target.requireDeployment()).toThrow(MissingStepError);
      // The same target deploys again after close (new ports, same keys).
      const redeployed = await t.target.deploy();
      expect(redeployed.subscriptions).toEqual(d.subscriptions);
      expect(redeployed.apis.entra.subscription).toEqual(d.apis.entra.subscription);
      expect(
        (
          await fetch(`${redeployed.apis.costing.url}/get`, {
            headers: { 'api-key': d.subscriptions[0]?.primaryKey ?? '' },
          })
        ).status,
      ).toBe(200);
      await t.target.close();

      // A new target on the same data folder: same keys, earlier rows still there.
      const restarted = await startTestTarget({ dataDir: t.dataDir });
      try {
        expect(restarted.deployment.subscriptions).toEqual(d.subscriptions);
        expect(tableRows(restarted.target, 'ApiManagementGatewayLogs')).toHaveLength(2);
        const res2 = await fetch(`${restarted.deployment.apis.costing.url}/get`, {
          headers: { 'api-key': d.subscriptions[0]?.primaryKey ?? '' },
        });
        expect(res2.status).toBe(200);
        expect(tableRows(restarted.target, 'ApiManagementGatewayLogs')).toHaveLength(3);
      } finally {
        await restarted.target.close();
      }
    } finally {
      await t.dispose();
    }
  });

  it('does not serve the APIs of disabled tracking features', async () => {
    const t = await startTestTarget({
      config: { features: { enableEntraIdTracking: false, enableTokenTracking: false } },
    });
    try {
      const key = t.deployment.subscriptions[0]?.primaryKey ?? '';
      const entra = await fetch(`${t.deployment.apis.entra.url}/get`, {
        headers: { 'api-key': key },
      });
      expect(entra.status).toBe(404);
      const mock = await fetch(
        `${t.deployment.apis.tokenTracking.url}/deployments/m/chat/completions`,
        { method: 'POST', headers: { 'api-key': key }, body: '{}' },
      );
      expect(mock.status).toBe(404);
      const costing = await fetch(`${t.deployment.apis.costing.url}/get`, {
        headers: { 'api-key': key },
      });
      expect(costing.status).toBe(200);
    } finally {
      await t.dispose();
    }
  });

  it('skips what only Azure can do and records what it would have done', async () => {
    const t = await startTestTarget({
      config: { governance: { costExportFrequency: 'Weekly', alertEmail: 'ops@example.com' } },
    });
    try {
      // Cost Management is emulated (E4 reads its files back): B2 and B3 do their work.
      const exp = await t.target.createCostExport();
      expect(exp).toMatchObject({ status: 'done' });
      expect(JSON.stringify(exp)).toContain('Weekly');
      expect(await t.target.runCostExport()).toMatchObject({ status: 'done' });
      const alerts = await t.target.createBudgetAlerts();
      expect(alerts).toMatchObject({
        status: 'skipped',
        wouldHaveDone: expect.stringContaining('6 scheduled query alerts'),
      });
      const record = JSON.parse(
        readFileSync(path.join(t.dataDir, LOCAL_FILES.skippedActions), 'utf8'),
      ) as { action: string }[];
      expect(record.map((r) => r.action)).toEqual(['createBudgetAlerts']);
      // The preview itself is tested with the workbook; a document that is no workbook is named.
      await expect(
        t.target.publishWorkbook({ serializedData: '{}', displayName: 'x' }),
      ).rejects.toThrow(/must be an Azure Monitor workbook/);
    } finally {
      await t.dispose();
    }
  });

  it('lists its data on a dry-run clean-up and deletes it (and stops) for real', async () => {
    const t = await startTestTarget();
    try {
      await fetch(`${t.deployment.apis.costing.url}/get`).then((r) => r.arrayBuffer());
      const dry = await t.target.cleanUp();
      expect(dry.map((i) => [i.kind, i.name, i.action])).toEqual([
        ['local-emulator', t.deployment.gatewayUrl, 'would-delete'],
        ['cost-export-definition', 'cost-management/state.local.json', 'would-delete'],
        ['kernel-lock', LOCAL_FILES.lock, 'would-delete'],
        ['log-table', 'logs/ApiManagementGatewayLogs.jsonl', 'would-delete'],
        ['subscription-keys', LOCAL_FILES.keys, 'would-delete'],
        ['kit-file-list', LOCAL_FILES.manifest, 'would-delete'],
      ]);
      expect(existsSync(path.join(t.dataDir, LOCAL_FILES.keys))).toBe(true);
      const real = await t.target.cleanUp({ dryRun: false });
      expect(real.every((i) => i.action === 'deleted')).toBe(true);
      expect(existsSync(t.dataDir)).toBe(false);
      expect(t.target.store.rowCount('ApiManagementGatewayLogs', { includePending: true })).toBe(0);
      await expect(fetch(`${t.deployment.gatewayUrl}/x`)).rejects.toThrow();
      expect(await t.target.cleanUp({ dryRun: false })).toEqual([
        { kind: 'data-dir', name: t.dataDir, action: 'already-gone' },
      ]);
    } finally {
      await t.dispose();
    }
  });
});
