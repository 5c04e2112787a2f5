/**
 * Shared by tests that need a running local target: a fresh temp data folder, a deployed
 * target, and small helpers to read its log tables and call it with the official SDK.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AzureOpenAI } from 'openai';
import { loadConfig } from '../../lib/config/load-config.js';
import type { KitConfig, KitConfigInput } from '../../lib/config/types.js';
import type { LogRow } from '../../lib/kql/log-tables.js';
import {
  createLocalTarget,
  type LocalTarget,
  type LocalTargetOptions,
} from '../../lib/local/local-target.js';
import type { LogTableName } from '../../lib/local/log-store.js';
import type { BuSubscription, Deployment } from '../../lib/target.js';

export interface TestTarget {
  config: KitConfig;
  target: LocalTarget;
  deployment: Deployment;
  dataDir: string;
  /** Closes the target and removes the data folder. */
  dispose(): Promise<void>;
}

export interface TestTargetOverrides {
  /** Configuration input; `local.dataDir` is always the temp folder. */
  config?: KitConfigInput;
  options?: Omit<LocalTargetOptions, 'dataDir'>;
  /** Reuse this data folder instead of a new one (restart tests). */
  dataDir?: string;
}

/**
 * Deploys a local target in a temp data folder.
 * @example const t = await startTestTarget(); try { ... } finally { await t.dispose(); }
 */
export async function startTestTarget(overrides: TestTargetOverrides = {}): Promise<TestTarget> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'local-target-')));
  const input = overrides.config ?? {};
  const config = loadConfig({ ...input, target: 'local', local: { ...input.local, dataDir } });
  const target = createLocalTarget(config, overrides.options ?? {});
  const deployment = await target.deploy();
  return {
    config,
    target,
    deployment,
    dataDir,
    async dispose() {
      await target.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every row of a table, pending ones included (the tests read right after the requests). */
export function tableRows(target: LocalTarget, table: LogTableName): readonly LogRow[] {
  return target.store.getTable(table)?.rows ?? [];
}

/** Rows of a table with a given `CorrelationId`. */
export function rowsFor(
  target: LocalTarget,
  table: 'ApiManagementGatewayLogs' | 'ApiManagementGatewayLlmLog',
  correlationId: string,
): LogRow[] {
  return tableRows(target, table).filter((r) => r.CorrelationId === correlationId);
}

/**
 * Waits (bounded) until the gateway logged a request: an SDK may hang up on the last SSE
 * event a moment before the gateway sees the stream end and writes its row.
 */
export async function waitForRequest(
  target: LocalTarget,
  correlationId: string,
  timeoutMs = 3_000,
): Promise<LogRow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = rowsFor(target, 'ApiManagementGatewayLogs', correlationId)[0];
    if (row) return row;
    if (Date.now() > deadline)
      throw new Error(`no gateway row for ${correlationId} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An unsigned JWT (`alg: none`) with the given claims, as the traffic cells send. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}

/** The official Azure client pointed at the gateway's AOAI API, with a BU key and a caller JWT. */
export function aoaiClient(
  deployment: Deployment,
  sub: BuSubscription,
  options: { appId?: string; apiVersion: string; baseURL?: string },
): AzureOpenAI {
  return new AzureOpenAI({
    baseURL: options.baseURL ?? deployment.apis.aoai.url,
    apiKey: sub.primaryKey,
    apiVersion: options.apiVersion,
    maxRetries: 0,
    timeout: 20_000,
    defaultHeaders: options.appId
      ? { Authorization: `Bearer ${unsignedJwt({ appid: options.appId, aud: 'api://costing' })}` }
      : {},
  });
}

/** The first subscription of a deployment (fails loudly if there is none). */
export function firstSub(deployment: Deployment): BuSubscription {
  const sub = deployment.subscriptions[0];
  if (!sub) throw new Error('the deployment has no subscriptions');
  return sub;
}
