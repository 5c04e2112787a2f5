/**
 * The `local` target: the APIM gateway emulator and the Azure OpenAI emulator on 127.0.0.1,
 * BU subscription keys kept in the data folder, and the on-disk log store. Building it does
 * no I/O; `deploy()` starts the servers.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { artifactPath } from '../artifacts/read-artifact.js';
import type { KitConfig } from '../config/load-config.js';
import { KitError, MissingStepError } from '../errors.js';
import type {
  ActionOutcome,
  ApiEndpoint,
  BuSubscription,
  CleanUpItem,
  CleanUpOptions,
  CostingTarget,
  Deployment,
  ModelDeployment,
  OperationOptions,
  PublishedWorkbook,
  PublishWorkbookOptions,
  QueryOptions,
  QueryResult,
} from '../target.js';
import { executeQuery } from '../kql/index.js';
import { renderWorkbookPreview } from '../workbook/render-preview.js';
import {
  createAoaiEmulator,
  startAoaiServer,
  type AoaiEmulator,
  type FaultInjection,
  type RunningServer,
} from './aoai-emulator.js';
import { buildApiCatalog, type CatalogApi } from './api-catalog.js';
import type { LogEnvironment } from './gateway-pipeline.js';
import { startLocalGateway, type LocalGateway } from './gateway-server.js';
import { createLogStore, type LocalLogStore } from './log-store.js';
import { loadPolicies } from './policy-engine.js';

export type { FaultInjection } from './aoai-emulator.js';

/** Overrides of the configuration's `local` settings, mostly for tests and benchmarks. */
export interface LocalTargetOptions {
  /** Data folder (log store, keys, ledger). @default config.local.dataDir */
  dataDir?: string;
  /** @default config.local.ingestionLagMs */
  ingestionLagMs?: number;
  /** Fault injection of the Azure OpenAI emulator. @default none */
  faults?: FaultInjection;
  /** Per-subscription gateway rate limit, requests per minute. @default config.local.rateLimitPerMinute */
  rateLimitPerMinute?: number;
  /** Largest request body the gateway accepts. @default 4 MiB */
  maxBodyBytes?: number;
  /** Folder the policy XML is read from. @default the kit's `policies/` */
  policiesDir?: string;
  /**
   * How the gateway reaches the Azure OpenAI emulator: `in-process` calls it directly, `http`
   * forwards over loopback HTTP like a remote backend. @default 'in-process'
   */
  backendTransport?: 'in-process' | 'http';
}

/** The local target: the common operations plus the emulator's knobs. */
export interface LocalTarget extends CostingTarget {
  readonly kind: 'local';
  /** Absolute path of the data folder. */
  readonly dataDir: string;
  /** The log store the gateway writes and the local KQL engine reads. */
  readonly store: LocalLogStore;
  /** The Azure OpenAI emulator (its `received` history helps tests). */
  readonly aoai: AoaiEmulator;
  /** Changes the Azure OpenAI emulator's fault injection, now. */
  setFaults(faults: FaultInjection): void;
  /** Changes the gateway's per-subscription rate limit (requests per minute), now. */
  setRateLimit(perMinute: number): void;
}

/** File names in the data folder. */
export const LOCAL_FILES = {
  keys: 'subscriptions.local.json',
  skippedActions: 'azure-only-actions.local.json',
  logs: 'logs',
} as const;

/**
 * Creates the local target (no I/O until `deploy()`).
 * @example const target = createLocalTarget(loadConfig({ target: 'local' })); const d = await target.deploy();
 */
export function createLocalTarget(
  config: KitConfig,
  options: LocalTargetOptions = {},
): LocalTarget {
  const dataDir = path.resolve(options.dataDir ?? config.local.dataDir);
  const store = createLogStore({
    dataDir,
    ingestionLagMs: options.ingestionLagMs ?? config.local.ingestionLagMs,
  });
  const deployments: ModelDeployment[] = config.models.map((m) => ({
    deploymentName: m.name,
    modelName: m.name,
    modelVersion: m.version,
    capacityKTpm: m.capacityKTpm,
  }));
  const aoai = createAoaiEmulator({
    deployments,
    faults: options.faults ?? {},
    region: regionName(config.deployment.location),
  });
  let rateLimit = options.rateLimitPerMinute ?? config.local.rateLimitPerMinute;
  let running:
    | Promise<{ deployment: Deployment; gateway: LocalGateway; aoaiServer: RunningServer }>
    | undefined;
  let current: Deployment | undefined;
  const apimName = config.deployment.apimName ?? `apim-costing-local-${config.deployment.index}`;

  async function start(): Promise<{
    deployment: Deployment;
    gateway: LocalGateway;
    aoaiServer: RunningServer;
  }> {
    const allApis = buildApiCatalog(config.deployment.apiPrefix);
    // Disabled tracking features are not deployed (404), as in Azure. The AOAI gateway API is
    // always there: locally the emulator plays the model whatever enableFoundry says.
    const catalog = allApis.filter(
      (a) =>
        (a.key !== 'entra' || config.features.enableEntraIdTracking) &&
        (a.key !== 'tokenTracking' || config.features.enableTokenTracking),
    );
    // Policies are read first: a broken policy file fails the deploy before any port opens.
    const policies = loadPolicies(options.policiesDir ?? artifactPath('policies'), catalog, {
      forceStreamIncludeUsage: config.features.forceStreamIncludeUsage,
    });
    const subscriptions = loadOrCreateKeys(dataDir, config);
    const aoaiServer = await startAoaiServer(aoai, { port: 0 });
    const ids = resourceIds(config, apimName);
    const env: LogEnvironment = {
      region: regionName(config.deployment.location),
      workspaceId: ids.workspaceId,
      azureSubscriptionId: ids.subscriptionId,
      apimResourceId: ids.apimResourceId,
      appInsights: { appId: ids.appInsightsAppId, name: ids.appInsightsName, iKey: ids.iKey },
      apimName,
    };
    let gateway: LocalGateway;
    try {
      gateway = await startLocalGateway({
        catalog,
        policies,
        subscriptions,
        backendUrl: `${aoaiServer.url}/openai`,
        store,
        env,
        rateLimitPerMinute: rateLimit,
        ...(options.backendTransport === 'http' ? {} : { inProcessBackend: aoai }),
        ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
        port: 0,
      });
    } catch (err) {
      await aoaiServer.close();
      throw err;
    }
    const endpoint = (key: CatalogApi['key']): ApiEndpoint => {
      const api = allApis.find((a) => a.key === key) as CatalogApi;
      return { apiId: api.id, path: api.path, url: `${gateway.url}/${api.path}` };
    };
    const deployment: Deployment = {
      target: 'local',
      gatewayUrl: gateway.url,
      apimName,
      apimSku: config.deployment.apimSku,
      resourceGroup: config.deployment.resourceGroup,
      location: config.deployment.location,
      apis: {
        costing: endpoint('costing'),
        entra: endpoint('entra'),
        tokenTracking: endpoint('tokenTracking'),
        aoai: endpoint('aoai'),
      },
      subscriptions,
      aoai: { backendUrl: `${aoaiServer.url}/openai`, deployments, emulated: true },
      appInsights: {
        name: ids.appInsightsName,
        appId: ids.appInsightsAppId,
        resourceId: ids.appInsightsResourceId,
      },
      logAnalytics: {
        name: ids.workspaceName,
        workspaceId: ids.workspaceId,
        resourceId: ids.workspaceResourceId,
      },
      storage: { accountName: ids.storageAccount, container: 'cost-exports' },
    };
    current = deployment;
    return { deployment, gateway, aoaiServer };
  }

  async function stop(): Promise<void> {
    const r = running;
    running = undefined;
    current = undefined;
    if (!r) return;
    try {
      const { gateway, aoaiServer } = await r;
      await gateway.close();
      await aoaiServer.close();
    } catch {
      // A deploy that failed has nothing left to stop.
    }
    store.close();
  }

  function skipped(action: string, reason: string, wouldHaveDone: string): ActionOutcome {
    const file = path.join(dataDir, LOCAL_FILES.skippedActions);
    let entries: unknown[] = [];
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (Array.isArray(parsed)) entries = parsed;
    } catch {
      // No record yet (or an unreadable one): start a new list.
    }
    entries = entries.filter((e) => (e as { action?: unknown } | null)?.action !== action);
    entries.push({ action, at: new Date().toISOString(), reason, wouldHaveDone });
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(entries, null, 2) + '\n');
    return { status: 'skipped', reason, wouldHaveDone };
  }

  const target: LocalTarget = {
    kind: 'local',
    dataDir,
    store,
    aoai,
    async deploy(opts?: OperationOptions) {
      opts?.signal?.throwIfAborted();
      running ??= start();
      try {
        const { deployment } = await running;
        opts?.onProgress?.({ message: `Local emulator running at ${deployment.gatewayUrl}` });
        return deployment;
      } catch (err) {
        running = undefined;
        throw err;
      }
    },
    requireDeployment() {
      if (!current)
        throw new MissingStepError(
          'A2',
          'The local deployment (gateway URL, subscriptions and keys)',
        );
      return current;
    },
    async queryLogs(query: string, opts: QueryOptions = {}): Promise<QueryResult> {
      opts.signal?.throwIfAborted();
      target.requireDeployment();
      // The engine reads the store in place; rows the gateway has not flushed yet are visible too.
      return executeQuery(
        query,
        store,
        opts.timespan !== undefined ? { timespan: opts.timespan } : {},
      );
    },
    async setupCostExport(opts) {
      return skipped(
        'setupCostExport',
        'The local target has no Cost Management; nothing was exported.',
        `Create a ${opts.frequency} Cost Management export of ${config.deployment.resourceGroup} to storage container cost-exports, with a system-assigned identity granted Storage Blob Data Contributor.`,
      );
    },
    async runCostExport() {
      return skipped(
        'runCostExport',
        'The local target has no Cost Management; no export ran.',
        `Run the Cost Management export of ${config.deployment.resourceGroup} once now.`,
      );
    },
    async createBudgetAlerts(opts) {
      const email = opts.email ? ` emailing ${opts.email}` : '';
      return skipped(
        'createBudgetAlerts',
        'The local target has no Azure Monitor alerts; none were created.',
        `Create an action group${email} and ${config.businessUnits.length} scheduled query alerts (one per BU: ${config.businessUnits.map((b) => b.name).join(', ')}) firing above ${opts.threshold} requests per hour.`,
      );
    },
    async publishWorkbook(opts: PublishWorkbookOptions): Promise<PublishedWorkbook> {
      const preview = await renderWorkbookPreview({
        serializedData: opts.serializedData,
        displayName: opts.displayName,
        target,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      return { url: preview.url, id: preview.path };
    },
    async cleanUp(opts?: CleanUpOptions) {
      const dryRun = opts?.dryRun ?? true;
      const items: CleanUpItem[] = [];
      if (running)
        items.push({
          kind: 'local-emulator',
          name: current?.gatewayUrl ?? 'gateway',
          action: dryRun ? 'would-delete' : 'deleted',
          reason: 'stops the gateway and Azure OpenAI emulators',
        });
      if (!existsSync(dataDir)) {
        items.push({ kind: 'data-dir', name: dataDir, action: 'already-gone' });
      } else {
        for (const rel of listFiles(dataDir))
          items.push({ kind: kindOf(rel), name: rel, action: dryRun ? 'would-delete' : 'deleted' });
      }
      if (!dryRun) {
        await stop();
        store.clear();
        store.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
      return items;
    },
    async close() {
      await stop();
    },
    setFaults(faults) {
      aoai.setFaults(faults);
    },
    setRateLimit(perMinute) {
      if (!Number.isInteger(perMinute) || perMinute < 1) {
        throw new KitError(
          `The rate limit must be a whole number of requests per minute of 1 or more, got ${perMinute}.`,
        );
      }
      rateLimit = perMinute;
      void running?.then((r) => r.gateway.setRateLimit(perMinute)).catch(() => undefined);
    },
  };
  return target;
}

// --- Internal helpers ---

/** The BU subscriptions with keys from the data folder, generating (and saving) missing ones. */
function loadOrCreateKeys(dataDir: string, config: KitConfig): BuSubscription[] {
  const file = path.join(dataDir, LOCAL_FILES.keys);
  let saved: Record<string, string> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      saved = parsed as Record<string, string>;
  } catch {
    // First start (or an unreadable file): new keys are generated below.
  }
  let changed = false;
  const subs = config.businessUnits.map((bu) => {
    let key = saved[bu.name];
    if (typeof key !== 'string' || !/^[0-9a-f]{32}$/.test(key)) {
      // APIM keys are 32 hex characters.
      key = randomBytes(16).toString('hex');
      saved[bu.name] = key;
      changed = true;
    }
    return { id: bu.name, displayName: bu.displayName, primaryKey: key };
  });
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  }
  return subs;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) out.push(...listFiles(full, rel));
    else out.push(rel);
  }
  return out;
}

function kindOf(rel: string): string {
  if (rel.startsWith(`${LOCAL_FILES.logs}/`)) return 'log-table';
  if (rel === LOCAL_FILES.keys) return 'subscription-keys';
  if (rel === LOCAL_FILES.skippedActions) return 'skipped-actions-record';
  if (rel.endsWith('.local.json')) return 'ledger';
  return 'file';
}

/** A stable GUID-shaped id derived from text (the emulated resources have no real ids). */
function stableGuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function resourceIds(config: KitConfig, apimName: string) {
  const subscriptionId = config.azure.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const rg = `/subscriptions/${subscriptionId}/resourceGroups/${config.deployment.resourceGroup}/providers`;
  const index = config.deployment.index;
  const workspaceName = `log-costing-local-${index}`;
  const appInsightsName = `appi-costing-local-${index}`;
  return {
    subscriptionId,
    apimResourceId: `${rg}/Microsoft.ApiManagement/service/${apimName}`.toUpperCase(),
    workspaceName,
    workspaceId: stableGuid(`workspace:${apimName}`),
    workspaceResourceId: `${rg}/Microsoft.OperationalInsights/workspaces/${workspaceName}`,
    appInsightsName,
    appInsightsAppId: stableGuid(`appinsights:${apimName}`),
    appInsightsResourceId: `${rg}/Microsoft.Insights/components/${appInsightsName}`,
    iKey: stableGuid(`ikey:${apimName}`),
    storageAccount: `stcostinglocal${index}`,
  };
}

const REGIONS: Record<string, string> = {
  eastus: 'East US',
  eastus2: 'East US 2',
  westus: 'West US',
  westus2: 'West US 2',
  westus3: 'West US 3',
  centralus: 'Central US',
  northcentralus: 'North Central US',
  southcentralus: 'South Central US',
  westeurope: 'West Europe',
  northeurope: 'North Europe',
  uksouth: 'UK South',
  swedencentral: 'Sweden Central',
  francecentral: 'France Central',
  germanywestcentral: 'Germany West Central',
  japaneast: 'Japan East',
  australiaeast: 'Australia East',
  canadaeast: 'Canada East',
};

/** The display name Azure logs for a region (`eastus2` is logged as `East US 2`). */
function regionName(location: string): string {
  return REGIONS[location] ?? location;
}
