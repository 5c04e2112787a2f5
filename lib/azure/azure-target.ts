/**
 * The azure side of the target interface: `createAzureTarget(config)` returns a `CostingTarget`
 * backed by the Azure SDKs. Building it does no I/O; the SDK clients are made on first use.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient, PipelinePolicy } from '@azure/core-rest-pipeline';
import type { KitConfig } from '../config/load-config.js';
import type {
  ActionOutcome,
  BudgetAlertsOptions,
  CleanUpItem,
  CleanUpOptions,
  CostExportOptions,
  CostingTarget,
  Deployment,
  KqlTable,
  OperationOptions,
  PublishedWorkbook,
  PublishWorkbookOptions,
  QueryOptions,
  QueryResult,
} from '../target.js';
import { readArtifact } from '../artifacts/read-artifact.js';
import { KitError, MissingStepError } from '../errors.js';
import { createAzureClients, type AzureClients } from './azure-clients.js';
import {
  deployToAzure,
  loadExistingDeployment,
  type AzureDeploymentState,
} from './azure-deploy.js';
import { createBudgetAlertRules } from './budget-alerts.js';
import { cleanUpAzure } from './clean-up.js';
import { runCostExportNow, setUpCostExport, type RoleRetryOptions } from './cost-export.js';
import { queryAzureLogs } from './log-queries.js';
import { queryAzureMetric, type MetricQueryOptions } from './metric-queries.js';
import { portalLinks, type PortalLink } from './portal-links.js';
import { azureResourceNames, type AzureResourceNames } from './resource-names.js';
import { publishAzureWorkbook } from './workbook-publish.js';

/** Options of {@link createAzureTarget}; tests inject the credential and the transport. */
export interface AzureTargetOptions {
  /** @default `DefaultAzureCredential` (az login, environment, managed identity...) */
  credential?: TokenCredential;
  /** HTTP transport of every SDK client (tests: a fake answering recorded-shape responses). */
  httpClient?: HttpClient;
  /** Extra pipeline policies for every SDK client. */
  additionalPolicies?: PipelinePolicy[];
  /** Poll interval of ARM deployments and long-running operations. @default 5000 */
  pollIntervalMs?: number;
  /** Retries while a new export identity propagates to RBAC. @default 10 attempts, 10 s apart */
  roleRetry?: RoleRetryOptions;
  /** Clock for the export schedule. @default `() => new Date()` */
  now?: () => Date;
}

/** The azure target: the shared interface plus Azure-only helpers. */
export interface AzureCostingTarget extends CostingTarget {
  readonly kind: 'azure';
  /** Names of everything the kit makes in the subscription in use. */
  resourceNames(): Promise<AzureResourceNames>;
  /** Portal links of the deployment (cell E3 and F). */
  portalLinks(): Promise<PortalLink[]>;
  /**
   * Reads an App Insights metric (e.g. `caller-requests`, split by `CallerId`) as a table.
   * @example await target.queryMetric('caller-requests', { splitBy: 'CallerId' })
   */
  queryMetric(metricName: string, options?: MetricQueryOptions): Promise<KqlTable>;
}

/**
 * Creates the azure target. No request is sent until a method is called.
 * @example const target = createAzureTarget(loadConfig({ target: 'azure' }));
 */
export function createAzureTarget(
  config: KitConfig,
  options: AzureTargetOptions = {},
): AzureCostingTarget {
  let clients: AzureClients | undefined;
  const sdk = (): AzureClients =>
    (clients ??= createAzureClients(config, {
      ...(options.credential !== undefined ? { credential: options.credential } : {}),
      ...(options.httpClient !== undefined ? { httpClient: options.httpClient } : {}),
      ...(options.additionalPolicies !== undefined
        ? { additionalPolicies: options.additionalPolicies }
        : {}),
    }));
  let state: AzureDeploymentState | undefined;

  /** The deployment of this session, or of an earlier session found in ARM's deployment history. */
  const requireState = async (
    what: string,
    opts: OperationOptions = {},
  ): Promise<AzureDeploymentState> => {
    state ??= await loadExistingDeployment(config, sdk(), opts);
    if (state === undefined) throw new MissingStepError('A2', what);
    return state;
  };

  const target: AzureCostingTarget = {
    kind: 'azure',

    async deploy(opts: OperationOptions = {}): Promise<Deployment> {
      const timeout =
        opts.timeoutMs !== undefined ? AbortSignal.timeout(opts.timeoutMs) : undefined;
      const signals = [opts.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
      try {
        state = await deployToAzure(config, sdk(), {
          ...opts,
          ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
          ...(options.pollIntervalMs !== undefined
            ? { pollIntervalMs: options.pollIntervalMs }
            : {}),
        });
      } catch (error) {
        if (timeout?.aborted === true && opts.signal?.aborted !== true) {
          throw new KitError(
            `The deployment did not finish within ${formatDuration(opts.timeoutMs ?? 0)}. It goes on in Azure: run cell A2 again later to pick up its outputs.`,
            { cause: error },
          );
        }
        throw error;
      }
      return state.deployment;
    },

    requireDeployment(): Deployment {
      if (state === undefined) throw new MissingStepError('A2', 'The Azure deployment');
      return state.deployment;
    },

    async queryLogs(query: string, opts: QueryOptions = {}): Promise<QueryResult> {
      const current = await requireState('The Log Analytics workspace', opts);
      return queryAzureLogs(sdk().logs(), current.deployment, query, opts);
    },

    async setupCostExport(opts: CostExportOptions): Promise<ActionOutcome> {
      const current = await requireState('The storage account for the cost export', opts);
      const c = sdk();
      return setUpCostExport(
        c.costManagement(),
        await c.authorization(),
        {
          names: current.names,
          storageResourceId: current.storageResourceId,
          container: current.deployment.storage.container,
        },
        {
          ...opts,
          now: (options.now ?? (() => new Date()))(),
          ...(options.roleRetry !== undefined ? { roleRetry: options.roleRetry } : {}),
        },
      );
    },

    async runCostExport(opts: OperationOptions = {}): Promise<ActionOutcome> {
      const names = await target.resourceNames();
      return runCostExportNow(sdk().costManagement(), names, opts);
    },

    async createBudgetAlerts(opts: BudgetAlertsOptions): Promise<ActionOutcome> {
      const current = await requireState('The Log Analytics workspace for the alerts', opts);
      // The query file is read when the cell runs, so edits to kql/ apply without a rebuild.
      const query =
        opts.query.trim() !== '' ? opts.query : readArtifact('kql', 'budget-alert-threshold.kql');
      return createBudgetAlertRules(
        await sdk().monitor(),
        config,
        current.names,
        current.deployment.logAnalytics.resourceId,
        { ...opts, query },
      );
    },

    async publishWorkbook(opts: PublishWorkbookOptions): Promise<PublishedWorkbook> {
      const current = await requireState('The workspace the workbook reads', opts);
      return publishAzureWorkbook(
        await sdk().resources(),
        config,
        current.names,
        current.deployment.logAnalytics.resourceId,
        opts,
        await sdk().tenantId(),
      );
    },

    async cleanUp(opts: CleanUpOptions = {}): Promise<CleanUpItem[]> {
      const c = sdk();
      const names = await target.resourceNames();
      return cleanUpAzure(
        { config, names, resources: await c.resources(), costManagement: c.costManagement() },
        opts,
      );
    },

    async close(): Promise<void> {
      // The SDK clients hold no sockets of their own (Node's global agent); forget the session.
      state = undefined;
      clients = undefined;
    },

    async resourceNames(): Promise<AzureResourceNames> {
      return state?.names ?? azureResourceNames(config, await sdk().subscriptionId());
    },

    async queryMetric(metricName: string, opts: MetricQueryOptions = {}): Promise<KqlTable> {
      const current = await requireState('The Application Insights resource', opts);
      return queryAzureMetric(
        sdk().metrics(current.deployment.location),
        current.deployment,
        metricName,
        opts,
      );
    },

    async portalLinks(): Promise<PortalLink[]> {
      const current = await requireState('The Azure deployment');
      return portalLinks(current.deployment, current.names, await sdk().tenantId());
    },
  };
  return target;
}

function formatDuration(ms: number): string {
  if (ms >= 60_000) return `${Math.round(ms / 60_000)} min`;
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
