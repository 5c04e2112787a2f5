/**
 * The kit's public surface, grouped by notebook phase. Cells import from here only:
 * `import * as kit from './dist';`. Every export is named; `review/api-report.api.md` is the
 * reviewed copy of this surface (CI fails when they differ).
 */

// A1: configuration and the target
export { loadPricedConfig as loadConfig } from './pricing/priced-config.js';
export { DEFAULT_BUSINESS_UNITS, DEFAULT_CALLERS, DEFAULT_MODELS } from './config/defaults.js';
export { APIM_SKUS } from './config/types.js';
export type {
  KitConfig,
  KitConfigInput,
  ApimSku,
  TargetKind,
  BusinessUnit,
  SimulatedCaller,
  ModelSpec,
  CostExportFrequency,
} from './config/types.js';
export type { Loose } from './config/types.js';
export type { ArmResourceRef } from './config/byo.js';
export { createTarget } from './deploy/create-target.js';
export { createLocalTarget } from './local/local-target.js';
export type { LocalTarget, LocalTargetOptions, FaultInjection } from './local/local-target.js';
export type {
  AoaiEmulator,
  AoaiRequest,
  AoaiResponse,
  ReceivedRequest,
} from './local/aoai-emulator.js';
export { LOG_TABLE_NAMES } from './local/log-store.js';
export type { LocalLogStore, LogRowInput, LogTableName } from './local/log-store.js';
export type { UnreadableLogLines } from './local/log-file-reader.js';
export type {
  CodeArray,
  LogRow,
  LogTable,
  LogTableSource,
  StoredColumn,
} from './kql/log-tables.js';
export { PackedStorage, PackedStrings, type Dictionary } from './kql/packed-strings.js';
export { createAzureTarget } from './deploy/load-azure-target.js';
export type { AzureTargetOptions, AzureCostingTarget } from './azure/azure-target.js';
export type { MetricQueryOptions } from './azure/azure-options.js';
export type { AzureResourceNames } from './azure/resource-names.js';
export type { RoleRetryOptions } from './azure/azure-options.js';
export type {
  CostingTarget,
  Deployment,
  ApiEndpoint,
  ApiSubscription,
  BuSubscription,
  ModelDeployment,
  OperationOptions,
  ProgressEvent,
  QueryResult,
  QueryOptions,
  QueryStats,
  KqlTable,
  KqlColumn,
  KqlValue,
  ActionOutcome,
  PublishWorkbookOptions,
  PublishedWorkbook,
  PortalLink,
  CleanUpItem,
  CleanUpOptions,
  FoundryProject,
} from './target.js';
export { showConfig } from './output/views/config.js';

// A2: deploy (and clean-up.ipynb)
export { deploy } from './deploy/deploy.js';
export { cleanUp } from './deploy/clean-up.js';
export { showDeployment } from './output/views/deploy.js';
export { showCleanUp } from './output/views/clean-up.js';

// B1: pricing and the cost model
export {
  pricingFor,
  getApimPricing,
  getModelPricing,
  allocateCost,
  tokenCost,
} from './pricing/pricing.js';
export type {
  ApimPricing,
  ModelPricing,
  CostAllocation,
  PricingSummary,
  RequestPricing,
  TokenPricing,
} from './pricing/pricing.js';
export { loadPricedQuery } from './pricing/query-prices.js';
export { showPricing } from './output/views/pricing.js';

// B2-B4: cost export and budget alerts
export { createCostExport, runCostExport } from './governance/cost-export.js';
export { createBudgetAlerts } from './governance/budget-alerts.js';
export { showOutcome } from './output/views/governance.js';

// C, D: traffic and the ground-truth ledger
export { sendTraffic, TRAFFIC_KINDS } from './traffic/send-traffic.js';
export type { TrafficKindName, TrafficOptionsByKind } from './traffic/send-traffic.js';
export type { TrafficOptions } from './traffic/traffic-kind.js';
export type { BuTrafficOptions } from './traffic/bu.js';
export type { EntraTrafficOptions } from './traffic/entra.js';
export type { RealJwtTrafficOptions } from './traffic/real-jwt.js';
export type { AiTrafficOptions } from './traffic/ai.js';
export type { MockAiTrafficOptions } from './traffic/mock-ai.js';
export type { TrafficSummary, TrafficSummaryRow } from './traffic/session.js';
export { showTrafficSummary } from './output/views/traffic.js';
export { readLedger } from './ledger/ledger.js';
export { TRAFFIC_SOURCES } from './ledger/ledger-types.js';
export type {
  Ledger,
  LedgerEntry,
  LedgerEntryHead,
  LedgerEntryStatus,
  TrafficCounts,
  TrafficSource,
  RequestPlan,
  RequestRecord,
  RequestOutcome,
  AttemptRecord,
  AiCellCounts,
  TokenUsage,
} from './ledger/ledger-types.js';
export type {
  ClientTimeouts,
  ExpectedLogCounts,
  GatewayRowCell,
  StreamCuts,
  TokenSums,
  UncertainRows,
} from './ledger/expected-logs.js';

// E: verification, the cross-reference and your own KQL
export { verifyLogs } from './verify/verify-logs.js';
export type { LogsVerification } from './verify/verify-logs.js';
export { verifyMetrics } from './verify/verify-metrics.js';
export type { MetricsVerification, AiMetricCheck } from './verify/verify-metrics.js';
export { crossReference } from './verify/cross-reference.js';
export type { CrossReference, CrossReferenceRow } from './verify/cross-reference.js';
export type { BudgetAlertEvaluation } from './verify/budget-alert-evaluation.js';
export { queryTable } from './verify/query-table.js';
export {
  showLogsVerification,
  showMetricsVerification,
  showCrossReference,
} from './output/views/verify.js';
export { loadQuery, bindParameters, validateQuery, executeQuery } from './kql/index.js';
export type {
  KqlParam,
  KqlTimespan,
  KqlDiagnostic,
  LoadedQuery,
  QueryParameter,
  ExecuteOptions,
} from './kql/index.js';

// F: the workbook
export { publishWorkbook } from './publish/publish-workbook.js';
export { listWorkbookQueries } from './workbook/list-queries.js';
export type {
  WorkbookQuery,
  WorkbookTab,
  ListWorkbookQueriesOptions,
} from './workbook/list-queries.js';
export { renderWorkbookPreview } from './workbook/render-preview.js';
export type { WorkbookPreview, RenderWorkbookPreviewOptions } from './workbook/render-preview.js';
export type { QueryRunner, WorkbookQueryOutcome } from './workbook/run-queries.js';
export type {
  WorkbookDocument,
  WorkbookItem,
  WorkbookItemContent,
  WorkbookParameter,
  ConditionalVisibility,
} from './workbook/workbook-json.js';
export { showPublishedWorkbook } from './output/views/publish.js';

// Output: tables, charts, progress
export { showMarkdown, progressLine } from './output/mime.js';
export { showTable } from './output/tables.js';
export type { PlainTable } from './output/tables.js';
export { showChart, barFigure, pieFigure, lineFigure } from './output/charts.js';
export type { PlotlyFigure, PlotlyTrace, FigureOptions } from './output/charts.js';

// Errors: branch on the class, never on the text
export {
  KitError,
  ConfigError,
  InvalidArgumentError,
  UnknownPriceError,
  MissingStepError,
  TargetUnavailableError,
  ArtifactError,
  WorkbookError,
  PolicyError,
  TemplateCatalogError,
  LedgerError,
  LogStoreError,
  IngestionTimeoutError,
  PartialResultError,
  ModelNotDeployedError,
  TokenRequestError,
  OperationTimeoutError,
  DeploymentTimeoutError,
  AzureDeploymentError,
  AzurePreflightError,
  AzurePendingError,
  CostExportRunError,
  AzureRequestError,
  DataFolderLockedError,
  TrafficInterruptedError,
} from './errors.js';
export type { ConfigProblem, DeploymentFailure } from './errors.js';
export {
  KqlValidationError,
  KqlUnsupportedError,
  KqlRuntimeError,
  KqlParameterError,
} from './kql/errors.js';

// Cell E5: budgets, burn-rate forecast and the enforcement plan (issue 18).
export { reviewBudgets } from './budgets/review-budgets.js';
export type {
  BudgetReview,
  BuBudgetReview,
  ReviewBudgetsOptions,
} from './budgets/review-budgets.js';
export { forecastBudget, firstForecastAlertDay } from './budgets/forecast.js';
export { createForecastAlerts } from './budgets/forecast-alerts.js';
export type { BudgetForecast, DailyCost, ForecastOptions } from './budgets/forecast.js';
export {
  planEnforcement,
  restoreEnforcement,
  undoEnforcement,
} from './budgets/enforcement-plan.js';
export type {
  EnforcementPlan,
  EnforcementPlanOptions,
  EnforcementRestore,
  EnforcementUndo,
  PlanChange,
} from './budgets/enforcement-plan.js';
export {
  showBudgets,
  showEnforcementPlan,
  showEnforcementRestore,
  showEnforcementUndo,
} from './output/views/budgets.js';
export { EnforcementRecordError } from './errors.js';
export type { BuEnforcementState } from './target.js';
export type { BuBudget, TokenQuotaPeriod } from './config/types.js';
// E4: the actual bill, allocated
export { allocateBill } from './bill/allocate-bill.js';
export type { BillStatement, BuStatement, AllocateBillOptions } from './bill/allocate-bill.js';
export type { Share } from './bill/allocate.js';
export type { CostLine } from './bill/parse-export.js';
export { showBill } from './output/views/bill.js';
export type { CostExportRead, CostExportRunFiles, CostAllocationRow } from './target.js';
export {
  CostExportAccessError,
  CostExportNotReadyError,
  CostExportFileError,
  LocalEmulatorError,
} from './errors.js';
