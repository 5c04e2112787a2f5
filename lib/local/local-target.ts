/**
 * The `local` target: the APIM gateway emulator and the Azure OpenAI emulator on 127.0.0.1,
 * BU subscription keys kept in the data folder, and the on-disk log store. Building it does
 * no I/O; `deploy()` starts the servers.
 */
import * as path from 'node:path';
import { COST_EXPORT_CONTAINER } from '../artifacts/names.js';
import { artifactPath } from '../artifacts/read-artifact.js';
import { operationSignal, withDeadline } from '../common/operation-signal.js';
import { maskWhenInspected } from '../common/mask-secret.js';
import { byoSuffixOnLocal } from '../config/byo.js';
import type { KitConfig } from '../config/types.js';
import { InvalidArgumentError, MissingStepError } from '../errors.js';
import type {
  ApiEndpoint,
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
import { queryStore } from './store-query.js';
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
import {
  ALLOCATION_TABLE,
  createLogStore,
  type LocalLogStore,
  type LogRowInput,
} from './log-store.js';
import { localAzureOnlyActions } from './azure-only-actions.js';
import { lazyAzurite } from './azurite.js';
import { createEmulatedCostManagement } from './cost-management.js';
import { createLocalBudgetState, localBudgetOperations } from './local-budgets.js';
import { acquireDataFolder, releaseDataFolder } from '../ledger/data-folder.js';
import { cleanUpDataFolder, trackKitFolders } from './local-clean-up.js';
import { loadOrCreateKeys } from './local-keys.js';
import { unreadableLinesMessage } from './log-file-reader.js';
import { billedResources, regionName, resourceIds } from './local-resources.js';
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
  /** How the gateway reaches the AOAI emulator: direct calls, or over loopback HTTP. @default 'in-process' */
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

/**
 * Creates the local target (no I/O until `deploy()`).
 * @example const target = createLocalTarget(loadConfig({ target: 'local' })); const d = await target.deploy();
 */
export function createLocalTarget(
  configIn: KitConfig,
  options: LocalTargetOptions = {},
): LocalTarget {
  // The target's configuration is the one it runs with: a data folder given here is the one the
  // ledger and every phase use too.
  const config: KitConfig =
    options.dataDir === undefined
      ? configIn
      : Object.freeze({
          ...configIn,
          local: Object.freeze({ ...configIn.local, dataDir: options.dataDir }),
        });
  const dataDir = path.resolve(config.local.dataDir);
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
  const budgets = createLocalBudgetState(config, dataDir);
  let rateLimit = options.rateLimitPerMinute ?? config.local.rateLimitPerMinute;
  let running:
    | Promise<{ deployment: Deployment; gateway: LocalGateway; aoaiServer: RunningServer }>
    | undefined;
  let current: Deployment | undefined;
  const apimName = config.deployment.apimName ?? `apim-costing-local-${config.deployment.index}`;
  const billed = billedResources(config, apimName);
  const azurite = lazyAzurite({ dataDir, accountName: billed.storage.name });
  const costManagement = createEmulatedCostManagement({
    config,
    dataDir,
    resources: billed,
    store,
    aoai,
    storage: azurite.get,
    container: COST_EXPORT_CONTAINER,
  });

  async function start(): Promise<{
    deployment: Deployment;
    gateway: LocalGateway;
    aoaiServer: RunningServer;
  }> {
    await store.ready(); // a restarted kernel's log store, columnar file first
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
    // The BUs' keys open every API; an API's own key (Entra ID, token tracking) only that API.
    const owned = catalog.filter((a) => a.subscription !== undefined);
    const keyed = loadOrCreateKeys(dataDir, [
      ...config.businessUnits.map((bu) => ({ id: bu.name, displayName: bu.displayName })),
      ...owned.map((a) => a.subscription!),
    ]);
    const subscriptions = keyed.slice(0, config.businessUnits.length);
    const apiKeys = new Map(
      owned.map((a, i) => [a.key, keyed[config.businessUnits.length + i]!] as const),
    );
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
        subscriptions: [
          ...subscriptions,
          ...catalog.flatMap((api) => {
            const own = apiKeys.get(api.key);
            return own ? [{ ...own, apiId: api.id }] : [];
          }),
        ],
        backendUrl: `${aoaiServer.url}/openai`,
        store,
        env,
        rateLimitPerMinute: rateLimit,
        state: budgets.state,
        tokenLimiter: budgets.tokenLimiter,
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
      const own = apiKeys.get(key);
      return {
        apiId: api.id,
        path: api.path,
        url: `${gateway.url}/${api.path}`,
        name: api.name,
        ...(own ? { subscription: { id: own.id, primaryKey: own.primaryKey } } : {}),
      };
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
      storage: { accountName: ids.storageAccount, container: COST_EXPORT_CONTAINER },
    };
    current = deployment;
    costManagement.markRunning();
    return { deployment, gateway, aoaiServer };
  }

  async function stop(): Promise<void> {
    const r = running;
    running = undefined;
    current = undefined;
    await azurite.stop();
    if (!r) return;
    try {
      const { gateway, aoaiServer } = await r;
      costManagement.markStopped();
      await gateway.close();
      await aoaiServer.close();
    } catch {
      // A deploy that failed has nothing left to stop.
    }
    store.close();
  }

  const azureOnly = localAzureOnlyActions(config, dataDir, { container: COST_EXPORT_CONTAINER });

  const target: LocalTarget = {
    kind: 'local',
    config,
    dataDir,
    store,
    aoai,
    unreadableLogLines: () => store.unreadableLines().map(unreadableLinesMessage),
    async deploy(opts: OperationOptions = {}) {
      return withDeadline('Starting the local emulator', opts, async (signal, o) => {
        signal?.throwIfAborted();
        // One kernel per data folder: a second one would interleave its runs with ours.
        acquireDataFolder(dataDir);
        trackKitFolders(dataDir);
        running ??= start();
        try {
          const { deployment } = await running;
          const note = byoSuffixOnLocal(config.deployment);
          o.onProgress?.({ message: `Local emulator running at ${deployment.gatewayUrl}${note}` });
          return maskWhenInspected(deployment);
        } catch (err) {
          running = undefined;
          throw err;
        }
      });
    },
    requireDeployment() {
      if (!current)
        throw new MissingStepError(
          'A2',
          'The local deployment (gateway URL, subscriptions and keys)',
        );
      return maskWhenInspected(current);
    },
    async queryLogs(query: string, opts: QueryOptions = {}): Promise<QueryResult> {
      opts.signal?.throwIfAborted();
      target.requireDeployment();
      // The engine reads the store in place and checks the signal and time limit itself.
      return queryStore(store, query, {
        ...(opts.timespan !== undefined ? { timespan: opts.timespan } : {}),
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.batch ? { batch: opts.batch } : {}),
      });
    },
    createCostExport(opts: OperationOptions = {}) {
      return withDeadline('Creating the emulated Cost Management export', opts, (signal, o) => {
        target.requireDeployment();
        azurite.warm(); // Azurite boots from B2 (the export's storage) while B3's queries run
        return costManagement.createExport({ ...o, ...(signal ? { signal } : {}) });
      });
    },
    runCostExport(opts: OperationOptions = {}) {
      return withDeadline('Running the emulated Cost Management export', opts, (signal, o) => {
        target.requireDeployment();
        return costManagement.runExport({ ...o, ...(signal ? { signal } : {}) });
      });
    },
    readCostExport(opts: OperationOptions = {}) {
      return withDeadline('Reading the cost export from Azurite', opts, (signal, o) => {
        target.requireDeployment();
        return costManagement.read({ ...o, ...(signal ? { signal } : {}) });
      });
    },
    async ingestCostAllocation(rows, opts: OperationOptions = {}) {
      operationSignal(opts)?.throwIfAborted();
      target.requireDeployment();
      store.appendRows(ALLOCATION_TABLE, rows as unknown as LogRowInput[]);
      return {
        status: 'done',
        summary: `${rows.length} rows written to ${ALLOCATION_TABLE} in the local log store.`,
      };
    },
    async createBudgetAlerts(opts: OperationOptions = {}) {
      operationSignal(opts)?.throwIfAborted();
      return azureOnly.createBudgetAlerts();
    },
    publishWorkbook(opts: PublishWorkbookOptions): Promise<PublishedWorkbook> {
      return withDeadline('Writing the workbook preview', opts, async (signal, o) => {
        const preview = await renderWorkbookPreview({
          serializedData: opts.serializedData,
          displayName: opts.displayName,
          target,
          ...(signal ? { signal } : {}),
          ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        });
        return { url: preview.url, id: preview.path, links: [] };
      });
    },
    async cleanUp(opts: CleanUpOptions = {}) {
      operationSignal(opts)?.throwIfAborted();
      const dryRun = opts.dryRun ?? true;
      const action = dryRun ? 'would-delete' : 'deleted';
      const items: CleanUpItem[] = [];
      if (running)
        items.push({
          kind: 'local-emulator',
          name: current?.gatewayUrl ?? 'gateway',
          action,
          reason: 'stops the gateway and Azure OpenAI emulators',
        });
      if (!dryRun) {
        await stop();
        await azurite.stop();
        store.close();
      }
      items.push(...cleanUpDataFolder(dataDir, dryRun));
      if (!dryRun) store.clear();
      return items;
    },
    ...localBudgetOperations(config, budgets, dataDir),
    async close() {
      await stop();
      releaseDataFolder(dataDir);
    },
    setFaults(faults) {
      aoai.setFaults(faults);
    },
    setRateLimit(perMinute) {
      if (!Number.isInteger(perMinute) || perMinute < 1) {
        throw new InvalidArgumentError(
          'rate limit',
          String(perMinute),
          'it must be a whole number of requests per minute of 1 or more',
        );
      }
      rateLimit = perMinute;
      void running?.then((r) => r.gateway.setRateLimit(perMinute)).catch(() => undefined);
    },
  };
  return target;
}
