/**
 * Shared by the workbook tests: a real local run (emulator, BU, Entra ID, AI and mock AI
 * traffic through the gateway, ledger on disk), then every workbook query on the local target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { allocateBill, type BillStatement } from '../../lib/bill/allocate-bill.js';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig } from '../../lib/config/types.js';
import { readLedger } from '../../lib/ledger/ledger.js';
import type { Ledger } from '../../lib/ledger/ledger-types.js';
import { createLocalTarget, type LocalTarget } from '../../lib/local/local-target.js';
import type { Deployment } from '../../lib/target.js';
import { sendTraffic } from '../../lib/traffic/send-traffic.js';
import { listWorkbookQueries, type WorkbookQuery } from '../../lib/workbook/list-queries.js';
import { runWorkbookQueries, type WorkbookQueryOutcome } from '../../lib/workbook/run-queries.js';
import {
  buildWorkbookData,
  loadWorkbook,
  type WorkbookDocument,
} from '../../lib/workbook/workbook-json.js';

export interface LocalWorkbookRun {
  config: KitConfig;
  target: LocalTarget;
  deployment: Deployment;
  ledger: Ledger;
  /** The filled workbook JSON (what `publishWorkbook` receives). */
  serializedData: string;
  workbook: WorkbookDocument;
  queries: WorkbookQuery[];
  outcomes: WorkbookQueryOutcome[];
  /** What cell E4 returned: the bill the Actual cost tab shows from ApimCostAllocation_CL. */
  bill: BillStatement;
  now: Date;
  /** Stops the target and removes the data folder. */
  dispose(): Promise<void>;
}

/** Deploys the local target in a fresh data folder, sends all traffic kinds, allocates the bill (E4), runs every workbook query. */
export async function runLocalWorkbook(requestsPerSubscription = 20): Promise<LocalWorkbookRun> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'workbook-run-'));
  const config = loadConfig({
    target: 'local',
    local: { dataDir },
    traffic: { sampleRequestsPerSubscription: requestsPerSubscription, concurrency: 4 },
  });
  // Some model calls fail (429 and 500 from the model backend) so the error tiles count something.
  const target = createLocalTarget(config, {
    faults: { throttleShare: 0.05, serverErrorShare: 0.05, seed: 7 },
  });
  try {
    const deployment = await target.deploy();
    const quiet = {};
    await sendTraffic(target, 'bu', quiet);
    await sendTraffic(target, 'entra', quiet);
    // No retries: each injected failure stays one failed request with one gateway row.
    await sendTraffic(target, 'ai', { ...quiet, maxRetries: 0 });
    // D2 normally skips after D1; force it so the mock (no-LLM-log) path shows up too.
    await sendTraffic(target, 'mock-ai', { ...quiet, force: true });
    // B2, then E4 (running the export after the traffic), so the Actual cost tab has rows.
    await target.createCostExport();
    const bill = await allocateBill(target, { runExport: true });
    const ledger = await readLedger(config);
    const serializedData = buildWorkbookData(config, deployment);
    const workbook = loadWorkbook(serializedData);
    const now = new Date();
    const queries = listWorkbookQueries(workbook, { now });
    const outcomes = await runWorkbookQueries(target, queries);
    return {
      config,
      target,
      deployment,
      ledger,
      serializedData,
      workbook,
      queries,
      outcomes,
      bill,
      now,
      async dispose() {
        await target.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await target.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
