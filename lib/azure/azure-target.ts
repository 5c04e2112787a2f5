/**
 * The azure side of the target interface: `createAzureTarget(config)` returns a `CostingTarget`
 * backed by the Azure SDKs. Building it does no I/O; the SDK clients are made on first use.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient, PipelinePolicy } from '@azure/core-rest-pipeline';
import type { KitConfig } from '../config/types.js';
import type {
  ActionOutcome,
  CleanUpItem,
  CleanUpOptions,
  CostingTarget,
  Deployment,
  KqlTable,
  OperationOptions,
  PublishedWorkbook,
  PublishWorkbookOptions,
  PortalLink,
  QueryOptions,
  QueryResult,
} from '../target.js';
import { BUDGET_ALERT_QUERY_FILE } from '../artifacts/names.js';
import { readArtifact } from '../artifacts/read-artifact.js';
import { withDeadline } from '../common/operation-signal.js';
import { maskWhenInspected } from '../common/mask-secret.js';
import { DeploymentTimeoutError, MissingStepError } from '../errors.js';
import { createForecastAlerts } from './forecast-alerts.js';
import { readAzureEnforcement, writeAzureEnforcement } from './budget-enforcement.js';
import { createAzureClients, type AzureClients } from './azure-clients.js';
import {
  deployToAzure,
  loadExistingDeployment,
  type AzureDeploymentState,
} from './azure-deploy.js';
import { createBudgetAlerts } from './budget-alerts.js';
import { cleanUpAzure } from './clean-up.js';
import { createCostExport, runCostExport } from './cost-export.js';
import type { MetricQueryOptions, RoleRetryOptions } from './azure-options.js';
import { queryAzureLogs } from './log-queries.js';
import { ingestAzureAllocation, readAzureCostExport } from './cost-export-read.js';
import { ensureProviderRegistered, EXPORTS_PROVIDER } from './provider-registration.js';
import { queryAzureMetric } from './metric-queries.js';
import { portalLinks } from './portal-links.js';
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
  /** Portal links of the deployment (cell F). */
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
  const dataPlane = () => ({
    credential: sdk().credential,
    ...(options.httpClient !== undefined ? { httpClient: options.httpClient } : {}),
  });

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
    config,

    async deploy(opts: OperationOptions = {}): Promise<Deployment> {
      state = await withDeadline(
        'The deployment',
        opts,
        (_signal, o) =>
          deployToAzure(config, sdk(), {
            ...o,
            ...(options.pollIntervalMs !== undefined
              ? { pollIntervalMs: options.pollIntervalMs }
              : {}),
          }),
        (timeoutMs, cause) => new DeploymentTimeoutError(timeoutMs, { cause }),
      );
      return maskWhenInspected(state.deployment);
    },

    requireDeployment(): Deployment {
      if (state === undefined) throw new MissingStepError('A2', 'The Azure deployment');
      return maskWhenInspected(state.deployment);
    },

    queryLogs(query: string, opts: QueryOptions = {}): Promise<QueryResult> {
      return withDeadline('The log query', opts, async (_signal, o) => {
        const current = await requireState('The Log Analytics workspace', o);
        return queryAzureLogs(sdk().logs(), current.deployment, query, o);
      });
    },

    createCostExport(opts: OperationOptions = {}): Promise<ActionOutcome> {
      return withDeadline('Creating the cost export', opts, async (_signal, o) => {
        const current = await requireState('The storage account for the cost export', o);
        const c = sdk();
        await ensureProviderRegistered(await c.resources(), EXPORTS_PROVIDER, {
          ...o,
          ...(options.roleRetry !== undefined
            ? { attempts: options.roleRetry.attempts, delayMs: options.roleRetry.delayMs }
            : {}),
        });
        return createCostExport(
          c.costManagement(),
          await c.authorization(),
          {
            names: current.names,
            storageResourceId: current.storageResourceId,
            container: current.deployment.storage.container,
          },
          {
            ...o,
            frequency: config.governance.costExportFrequency,
            now: (options.now ?? (() => new Date()))(),
            ...(options.roleRetry !== undefined ? { roleRetry: options.roleRetry } : {}),
          },
        );
      });
    },

    async runCostExport(opts: OperationOptions = {}): Promise<ActionOutcome> {
      // The run-history wait honours signal and timeoutMs itself, saying how far the run got.
      return runCostExport(sdk().costManagement(), await target.resourceNames(), {
        ...opts,
        ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
        ...(options.now !== undefined ? { now: options.now } : {}),
      });
    },

    readCostExport(opts: OperationOptions = {}) {
      return withDeadline('Reading the cost export', opts, async (_signal, o) => {
        const current = await requireState('The storage account of the cost export', o);
        return readAzureCostExport(
          current.names,
          current.deployment.storage.container,
          dataPlane(),
          o,
        );
      });
    },

    ingestCostAllocation(rows, opts: OperationOptions = {}) {
      return withDeadline('Ingesting the allocation', opts, async (_signal, o) => {
        const current = await requireState('The data collection rule of the allocation', o);
        return ingestAzureAllocation(current.allocationIngestion, rows, dataPlane(), o);
      });
    },

    createBudgetAlerts(opts: OperationOptions = {}): Promise<ActionOutcome> {
      return withDeadline('Creating the budget alerts', opts, async (_signal, o) => {
        const current = await requireState('The Log Analytics workspace for the alerts', o);
        // The query file is read when the cell runs, so edits to kql/ apply without a rebuild.
        return createBudgetAlerts(
          await sdk().monitor(),
          config,
          current.names,
          current.deployment.logAnalytics.resourceId,
          {
            ...o,
            threshold: config.governance.alertThreshold,
            ...(config.governance.alertEmail !== undefined
              ? { email: config.governance.alertEmail }
              : {}),
            query: readArtifact('kql', BUDGET_ALERT_QUERY_FILE),
          },
        );
      });
    },

    publishWorkbook(opts: PublishWorkbookOptions): Promise<PublishedWorkbook> {
      return withDeadline('Publishing the workbook', opts, async (_signal, o) => {
        const current = await requireState('The workspace the workbook reads', o);
        const tenantId = await sdk().tenantId();
        const published = await publishAzureWorkbook(
          await sdk().resources(),
          config,
          current.names,
          current.deployment.logAnalytics.resourceId,
          { ...opts, ...o },
          tenantId,
        );
        return { ...published, links: portalLinks(current.deployment, current.names, tenantId) };
      });
    },

    cleanUp(opts: CleanUpOptions = {}): Promise<CleanUpItem[]> {
      return withDeadline('Clean-up', opts, async (_signal, o) => {
        const c = sdk();
        const names = await target.resourceNames();
        return cleanUpAzure(
          { config, names, resources: await c.resources(), costManagement: c.costManagement() },
          { ...opts, ...o },
        );
      });
    },

    createForecastAlerts(opts: OperationOptions = {}): Promise<ActionOutcome> {
      return withDeadline('Creating the forecast alerts', opts, async (_signal, o) => {
        const current = await requireState('The Log Analytics workspace for the alerts', o);
        return createForecastAlerts(
          await sdk().monitor(),
          config,
          current.names,
          current.deployment.logAnalytics.resourceId,
          o,
        );
      });
    },

    async readEnforcement(opts: OperationOptions = {}) {
      const current = await requireState('The BU subscriptions', opts);
      return readAzureEnforcement(sdk(), config, current.names, opts);
    },

    async writeEnforcement(states, opts: OperationOptions = {}) {
      const current = await requireState('The BU subscriptions', opts);
      return writeAzureEnforcement(sdk(), config, current.names, states, opts);
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
