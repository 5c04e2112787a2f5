/**
 * The one interface both targets implement (`local` emulator, `azure`). Types only: the
 * implementations live in `local/` and `azure/`, and `createTarget` picks one.
 */
import type { ApimSku, KitConfig, TargetKind, TokenQuotaPeriod } from './config/types.js';

/**
 * Shared options of every async operation of the kit. Every operation that takes them honours
 * all three (`common/operation-signal.ts` maps them to one signal and to the SDKs' `abortSignal`).
 */
export interface OperationOptions {
  /** Cancels the operation; it rejects with the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
  /** Called with progress while the operation runs (cells pass `kit.progressLine()`). */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Overall time limit in milliseconds; past it the operation rejects with an
   * `OperationTimeoutError`. @default no limit beyond the operation's own (E1/E2: 20 minutes on Azure)
   */
  timeoutMs?: number;
}

/** A progress report from a long operation. */
export interface ProgressEvent {
  /** What is happening, one line. */
  message: string;
  /** Units done so far, when countable. */
  done?: number;
  /** Units in total, when known. */
  total?: number;
}

/** One API the kit deploys; `path` is relative to the gateway URL, without slashes at the ends. */
export interface ApiEndpoint {
  /** APIM API id, e.g. `costing-subscription-api`. */
  apiId: string;
  /** URL path suffix, e.g. `costing-subscription`. */
  path: string;
  /** Full base URL: `<gatewayUrl>/<path>`. */
  url: string;
  /** Display name, e.g. `Costing: Entra ID applications` (`context.Api.Name`, the `API` dimension of `caller-requests`). */
  name: string;
  /**
   * The API's own subscription, scoped to it alone and not a business unit: the Entra ID API's
   * (C2, C3) and the token-tracking API's (D2), as the original sample sends them. `undefined`
   * for the costing and AOAI gateway APIs (BU keys) and for an API that is not deployed.
   */
  subscription?: ApiSubscription;
}

/** An API's own subscription and its key (the key is only ever shown masked). */
export interface ApiSubscription {
  /** Subscription id, e.g. `api-costing-entraid-api` (the value logged in `ApimSubscriptionId`). */
  id: string;
  /** The key the API takes in its subscription-key header (never printed whole). */
  primaryKey: string;
}

/** A BU subscription and its key (the key is only ever shown masked). */
export interface BuSubscription {
  /** Subscription id, e.g. `bu-hr` (the value logged in `ApimSubscriptionId`). */
  id: string;
  displayName: string;
  primaryKey: string;
}

/** A model deployment the AI traffic can call. */
export interface ModelDeployment {
  /** Deployment name (the `{id}` of `/deployments/{id}/...`), e.g. `gpt-4o-mini`. */
  deploymentName: string;
  /** Model name, e.g. `gpt-4o-mini`. */
  modelName: string;
  /** Model version, e.g. `2024-07-18`. */
  modelVersion: string;
  capacityKTpm: number;
}

/** Everything cell A2 exposes. */
export interface Deployment {
  target: TargetKind;
  /** Gateway base URL the traffic cells send to, no trailing slash. */
  gatewayUrl: string;
  /**
   * APIM's own gateway URL, when the traffic goes to a public front instead (Front Door or
   * Application Gateway, `deployment.gatewayUrl` in cell A1).
   */
  apimGatewayUrl?: string;
  apimName: string;
  apimSku: ApimSku;
  resourceGroup: string;
  location: string;
  apis: {
    /** Subscription-key costing API (C1). */
    costing: ApiEndpoint;
    /** Entra ID API with the emit-metric policy (C2, C3). */
    entra: ApiEndpoint;
    /** AI token-tracking API with the mock response (D2). */
    tokenTracking: ApiEndpoint;
    /** AOAI gateway API to the model backend (D1). */
    aoai: ApiEndpoint;
  };
  subscriptions: BuSubscription[];
  /** The model backend behind the AOAI gateway API; `undefined` when none is deployed. */
  aoai:
    | {
        backendUrl: string;
        deployments: ModelDeployment[];
        emulated: boolean;
        /** Azure: the Foundry project under the AI Services account, as the portals open it. */
        foundry?: FoundryProject;
      }
    | undefined;
  appInsights: { name: string; appId: string; resourceId: string };
  logAnalytics: { name: string; workspaceId: string; resourceId: string };
  storage: { accountName: string; container: string };
}

/** A KQL scalar as it comes back from a query (datetimes as ISO strings, dynamic as JSON values). */
export type KqlValue = string | number | boolean | null | KqlValue[] | { [key: string]: KqlValue };

/** A result column: name and Kusto type (`string`, `long`, `int`, `real`, `datetime`, `timespan`, `bool`, `dynamic`, `guid`, `decimal`). */
export interface KqlColumn {
  name: string;
  type: string;
}

/** A result table, shaped like the Log Analytics query API's. */
export interface KqlTable {
  name: string;
  columns: KqlColumn[];
  rows: KqlValue[][];
}

/** A query outcome: partial failure is data, only transport or auth failures throw. */
export type QueryResult =
  | { status: 'success'; table: KqlTable; stats?: QueryStats }
  | { status: 'partial'; table: KqlTable; error: string; stats?: QueryStats };

/** Engine statistics (local target): how often each base table was scanned. */
export interface QueryStats {
  scans: Record<string, number>;
  elapsedMs: number;
}

export interface QueryOptions extends OperationOptions {
  /** ISO 8601 duration (`PT1H`) or `start/end`; omitted = all data. */
  timespan?: string;
  /**
   * The batch this query belongs to (a workbook refresh: `createQueryBatch()`). Local: the
   * queries run as of the batch's instant and share the results of identical sub-queries over
   * unchanged tables. Azure: each query runs on its own (Log Analytics caches results itself).
   */
  batch?: QueryBatch;
}

/** Queries run together as of one instant (see `QueryOptions.batch`). */
export interface QueryBatch {
  /** The instant every query of the batch runs at (`now()`, `ago()`). */
  readonly now: Date;
  /** Sub-query results reused, and computed, so far (local engine). */
  readonly stats: { hits: number; misses: number };
}

/** What an operation that only Azure can do returns on the local target. */
export type ActionOutcome =
  | { status: 'done'; summary: string; details?: Record<string, string> }
  | { status: 'skipped'; reason: string; wouldHaveDone: string };

export interface PublishWorkbookOptions extends OperationOptions {
  /** The workbook JSON with placeholders already replaced. */
  serializedData: string;
  displayName: string;
}

export interface PublishedWorkbook {
  /** Portal URL (azure) or `file://` URL of the local HTML preview. */
  url: string;
  /** Resource id (azure) or the path of the preview file (local). */
  id: string;
  /** Portal links of the deployment (azure); empty on the local target. */
  links: PortalLink[];
}

/** The Foundry project of an Azure deployment (bicep/modules/foundry.bicep outputs). */
export interface FoundryProject {
  projectName: string;
  /** ARM id of the project (`.../accounts/<account>/projects/<name>`). */
  projectId: string;
  /** The project's Foundry API endpoint. */
  projectEndpoint: string;
  /** ARM id of the AI Services account that holds the model deployments. */
  accountId: string;
}

/** A link to something the kit deployed (the Azure portal, or a local file). */
export interface PortalLink {
  label: string;
  url: string;
}

/** One thing clean-up found, and what happened to it. */
export interface CleanUpItem {
  kind: string;
  name: string;
  action: 'would-delete' | 'deleted' | 'already-gone' | 'kept';
  reason?: string;
}

export interface CleanUpOptions extends OperationOptions {
  /** List what would be deleted without deleting. @default true */
  dryRun?: boolean;
  /**
   * Also purge what Azure keeps soft-deleted for 48 hours (APIM, AI Services), so that the
   * next create.ipynb can reuse the names at once. Azure only; locally nothing is soft-deleted.
   * @default false
   */
  purgeSoftDeleted?: boolean;
}

/**
 * One BU subscription's enforcement state (cell E5): the APIM subscription's state and the
 * `llm-token-limit` values deployed for it (`undefined`: no rate, no quota).
 */
export interface BuEnforcementState {
  /** BU subscription id, e.g. `bu-hr`. */
  bu: string;
  /** APIM subscription state; a suspended subscription's key is refused. */
  state: 'active' | 'suspended';
  tokensPerMinute: number | undefined;
  tokenQuota: number | undefined;
  tokenQuotaPeriod: TokenQuotaPeriod | undefined;
}

/** The operations the notebook needs, the same on both targets. */
export interface CostingTarget {
  readonly kind: TargetKind;
  /** The configuration (cell A1) the target was made from; cells pass only the target. */
  readonly config: KitConfig;
  /** Deploys (azure) or starts the emulator (local); idempotent. */
  deploy(options?: OperationOptions): Promise<Deployment>;
  /** The deployment of this session, or a `MissingStepError` naming cell A2. */
  requireDeployment(): Deployment;
  /** Runs a KQL query over the gateway logs, the LLM logs and App Insights tables. */
  queryLogs(query: string, options?: QueryOptions): Promise<QueryResult>;
  /** Creates (or recreates) the Cost Management export at `governance.costExportFrequency`. */
  createCostExport(options?: OperationOptions): Promise<ActionOutcome>;
  /** Runs the export once now. */
  runCostExport(options?: OperationOptions): Promise<ActionOutcome>;
  /**
   * An action group (e-mail to `governance.alertEmail`) plus one scheduled query alert per BU
   * from `kql/budget-alert-threshold.kql` at `governance.alertThreshold`.
   */
  createBudgetAlerts(options?: OperationOptions): Promise<ActionOutcome>;
  /** Publishes the workbook (azure) or writes the local HTML preview (local). */
  publishWorkbook(options: PublishWorkbookOptions): Promise<PublishedWorkbook>;
  /**
   * Reads the newest complete run of the Cost Management export from blob storage (manifest
   * first, then the files it lists): Azurite on the local target, the deployment's storage account
   * with your sign-in on Azure. `run` is `undefined` when no run has completed yet.
   */
  readCostExport(options?: OperationOptions): Promise<CostExportRead>;
  /**
   * Writes allocation rows to the custom table `ApimCostAllocation_CL`: the local log store, or
   * the Logs Ingestion API through the deployment's data collection rule on Azure.
   */
  ingestCostAllocation(
    rows: readonly CostAllocationRow[],
    options?: OperationOptions,
  ): Promise<ActionOutcome>;
  /** Removes what the kit made; dry run by default. */
  cleanUp(options?: CleanUpOptions): Promise<CleanUpItem[]>;
  /**
   * Local target: one message per log file whose unreadable lines were skipped when the store
   * loaded it (file, count, line numbers, what to do); none: `[]`. Azure has no such files.
   */
  unreadableLogLines?(): readonly string[];
  /**
   * One forecast alert per BU with a `monthlyBudgetUsd`: a daily scheduled query rule from
   * `kql/budget-forecast-alert.kql` (cell E5; the local target evaluates it in the cell instead).
   */
  createForecastAlerts(options?: OperationOptions): Promise<ActionOutcome>;
  /** Each configured BU's subscription state and deployed token limits (cell E5). */
  readEnforcement(options?: OperationOptions): Promise<BuEnforcementState[]>;
  /**
   * Sets the listed BUs' subscription state and token limits (E5 apply and undo; azure: the
   * subscription's `state` and the `budget-token-limits` named value through ARM); BUs not
   * listed keep theirs. Returns every BU's state afterwards.
   */
  writeEnforcement(
    states: readonly BuEnforcementState[],
    options?: OperationOptions,
  ): Promise<BuEnforcementState[]>;
  /** Releases sockets and servers; the target can be deployed again afterwards. */
  close(): Promise<void>;
}

/** The files of one Cost Management export run, as read from blob storage. */
export interface CostExportRunFiles {
  /** Storage account and container read. */
  account: string;
  container: string;
  /** Blob path of the run's `manifest.json`. */
  manifestPath: string;
  /** The manifest as parsed JSON (checked by the reader, not here). */
  manifest: unknown;
  /** The data files the manifest lists, in its order. */
  blobs: { name: string; text: string }[];
}

/** What {@link CostingTarget.readCostExport} found. */
export interface CostExportRead {
  run: CostExportRunFiles | undefined;
  /** Run folders that have files but no manifest yet (runs still being written). */
  inProgress: string[];
  /** The export's folder, `<rootFolderPath>/<exportName>/`. */
  folder: string;
  /** The export's name and Cost Management resource id (for checking the manifest against). */
  exportName: string;
  exportId: string;
}

/** One row of `ApimCostAllocation_CL` (schemas/ApimCostAllocation_CL.json). */
export interface CostAllocationRow {
  TimeGenerated: string;
  BillingPeriodStart: string;
  ChargePeriodStart: string;
  /** `bu-...`, `shared` or `unallocated`. */
  AllocatedTo: string;
  Reason: string;
  ResourceId: string;
  ServiceName: string;
  Meter: string;
  AllocatedMethodId: string;
  AllocatedRatio: number;
  UsageQuantity: number;
  UsageUnit: string;
  BilledCostUsd: number;
  EstimateUsd: number;
  RunId: string;
}
