/** The `CostingTarget` contract on the local target (the emulator on 127.0.0.1). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load-config.js';
import { createLocalTarget } from '../../lib/local/local-target.js';
import { describeTarget } from './describe-target.js';

describeTarget('local', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'contract-local-'));
  const config = loadConfig({ target: 'local', local: { dataDir } }, {});
  const target = createLocalTarget(config);
  return {
    target,
    config,
    async dispose() {
      await target.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
