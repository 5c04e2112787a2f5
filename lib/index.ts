/**
 * The kit's public surface, grouped by notebook phase. Cells import from here only.
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
} from './config.js';
export type {
  KitConfig,
  KitConfigInput,
  ApimSku,
  TargetKind,
  BusinessUnit,
  SimulatedCaller,
  ModelSpec,
  CostExportFrequency,
} from './config.js';
export { describeConfig } from './config-summary.js';

// Target interface (A2 onwards)
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

// Output: tables and charts
export { showMarkdown, showHtml, showMime, createLiveLine } from './display.js';
export type { LiveLine } from './display.js';
export { showTable, tableHtml, tableText } from './tables.js';
export type { PlainTable } from './tables.js';
export { showChart, barFigure, pieFigure, lineFigure, chartHtml, PLOTLY_MIME } from './charts.js';
export type { PlotlyFigure, PlotlyTrace, FigureOptions } from './charts.js';

// Errors
export {
  KitError,
  ConfigError,
  UnknownPriceError,
  MissingStepError,
  TargetUnavailableError,
} from './errors.js';
export type { ConfigProblem } from './errors.js';
