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

// Output
export { showMarkdown, showHtml, showMime, createLiveLine } from './display.js';
export type { LiveLine } from './display.js';

// Errors
export {
  KitError,
  ConfigError,
  UnknownPriceError,
  MissingStepError,
  TargetUnavailableError,
} from './errors.js';
export type { ConfigProblem } from './errors.js';
