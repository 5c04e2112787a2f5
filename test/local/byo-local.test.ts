/**
 * Bring-your-own settings on the local target (issue 13, item 10): the cell A1 that works on
 * Azure validates here too; the emulator ignores them, says so, and serves on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import { createLocalTarget } from '../../lib/local/local-target.js';

describe('local target with bring-your-own settings', () => {
  it('deploys the emulator on 127.0.0.1, not the public URL, and says what it ignored', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'byo-local-'));
    const sub = '0b5f6c1e-2a4d-4c3b-9e8f-1a2b3c4d5e6f';
    const config = loadConfig(
      {
        target: 'local',
        local: { dataDir },
        deployment: {
          apimName: 'apim-platform',
          apimResourceGroup: 'rg-platform',
          logAnalyticsWorkspaceId: `/subscriptions/${sub}/resourceGroups/rg-mon/providers/Microsoft.OperationalInsights/workspaces/log-platform`,
          gatewayUrl: 'https://api.contoso.example',
        },
      },
      {},
    );
    const target = createLocalTarget(config);
    const messages: string[] = [];
    try {
      const deployment = await target.deploy({ onProgress: (p) => messages.push(p.message) });
      expect(deployment.gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(deployment.apis.costing.url.startsWith(deployment.gatewayUrl)).toBe(true);
      expect(deployment.apimGatewayUrl).toBeUndefined();
      const note = messages.find((m) => m.includes('. Note: '));
      expect(note).toContain('deployment.apimResourceGroup');
      expect(note).toContain('deployment.gatewayUrl');
      expect(note).toContain('not used on the local target');
    } finally {
      await target.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
