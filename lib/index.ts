/**
 * The kit's public surface, grouped by notebook phase. Cells import from here only:
 * `import * as kit from './dist';`
 */

// A1: configuration
export {
  loadConfig,
  requestsFor,
  buDisplayName,
  APIM_SKUS,
  DEFAULT_BUSINESS_UNITS,
  DEFAULT_CALLERS,
  DEFAULT_MODELS,
} from './config/load-config.js';
export type {
  KitConfig,
  KitConfigInput,
  ApimSku,
  TargetKind,
  BusinessUnit,
  SimulatedCaller,
  ModelSpec,
  CostExportFrequency,
} from './config/load-config.js';
export { describeConfig, maskSecret } from './config/describe-config.js';

// A2: the target (one interface, two implementations)
export { createTarget } from './deploy/create-target.js';
export { createLocalTarget } from './local/local-target.js';
export type { LocalTarget, LocalTargetOptions, FaultInjection } from './local/local-target.js';
export { createAzureTarget } from './azure/azure-target.js';
export type { AzureTargetOptions, AzureCostingTarget } from './azure/azure-target.js';
export { showDeployment, deploymentTable } from './output/views/show.js';
export type {
  CostingTarget,
  Deployment,
  ApiEndpoint,
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
  PublishedWorkbook,
  CleanUpItem,
} from './target.js';

// B: pricing, cost export, budget alerts
export {
  getApimPricing,
  getModelPricing,
  allocateCost,
  tokenCost,
  PRICED_APIM_SKUS,
  PRICED_MODELS,
  undatedModelName,
  workbookPlaceholders,
  WORKBOOK_PLACEHOLDERS,
} from './pricing/pricing.js';
export type { ApimPricing, ModelPricing, CostAllocation } from './pricing/pricing.js';
export {
  showPricing,
  pricingTables,
  showOutcome,
  outcomeLine,
  showCleanUp,
} from './output/views/show.js';
export { setupCostExport, setupBudgetAlerts } from './governance/governance.js';

// C, D: traffic and the ground-truth ledger
export { sendBuTraffic } from './traffic/bu.js';
export { sendEntraTraffic } from './traffic/entra.js';
export { sendRealJwtTraffic } from './traffic/real-jwt.js';
export { sendAiTraffic, AI_MODES } from './traffic/ai.js';
export { sendMockAiTraffic } from './traffic/mock-ai.js';
export { showTrafficSummary } from './output/views/traffic.js';
export {
  trafficSummaryMarkdown,
  ledgerSummaryTable,
  aiUsageTable,
} from './output/views/traffic-summary.js';
export type { TrafficSummary, TrafficSummaryRow, TrafficOptions } from './traffic/session.js';
export { readLedger, ledgerPath } from './ledger/ledger.js';
export type { Ledger, LedgerEntry, TrafficCounts, TrafficSource } from './ledger/ledger.js';
export { expectedLogCounts } from './ledger/expected-logs.js';
export type { ExpectedLogCounts } from './ledger/expected-logs.js';

// E: verification and the cross-reference
export {
  loadQuery,
  listQueryNames,
  QUERY_NAMES,
  bindParameters,
  declaredParameters,
  validateQuery,
  assertValid,
  executeQuery,
} from './kql/index.js';
export type {
  KqlParam,
  KqlTimespan,
  KqlDiagnostic,
  LoadedQuery,
  QueryParameter,
  ExecuteOptions,
} from './kql/index.js';
export {
  KqlValidationError,
  KqlUnsupportedError,
  KqlRuntimeError,
  KqlParameterError,
} from './kql/errors.js';
export {
  verifyLogs,
  showLogsVerification,
  verifyMetrics,
  showMetricsVerification,
} from './verify/verify.js';
export type { LogsVerification, MetricsVerification } from './verify/verify.js';
export { crossReference, showCrossReference } from './verify/cross-reference.js';
export type {
  CrossReference,
  CrossReferenceRow,
  BudgetAlertEvaluation,
} from './verify/cross-reference.js';

// F: the workbook
export {
  publishWorkbook,
  showPublishedWorkbook,
  workbookDisplayName,
  deployedWorkbook,
} from './publish/publish-workbook.js';
export {
  buildWorkbookData,
  listWorkbookQueries,
  listWorkbookTabs,
  validateWorkbookQueries,
  runWorkbookQueries,
  renderWorkbookPreview,
  WorkbookError,
} from './workbook/index.js';
export type { WorkbookQuery, WorkbookPreview, WorkbookQueryOutcome } from './workbook/index.js';

// Output: tables, charts, progress
export { showMarkdown, showHtml, showMime, createLiveLine, progressLine } from './output/mime.js';
export type { LiveLine } from './output/mime.js';
export { showTable, tableHtml, tableText } from './output/tables.js';
export type { PlainTable } from './output/tables.js';
export {
  showChart,
  barFigure,
  pieFigure,
  lineFigure,
  chartHtml,
  PLOTLY_MIME,
} from './output/charts.js';
export type { PlotlyFigure, PlotlyTrace, FigureOptions } from './output/charts.js';

// Errors
export {
  KitError,
  ConfigError,
  UnknownPriceError,
  MissingStepError,
  TargetUnavailableError,
} from './errors.js';
export type { ConfigProblem } from './errors.js';
