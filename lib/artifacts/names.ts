/**
 * Names the kit's code and its artifacts must agree on, one home each. Where the artifact is the
 * real home (a value in `bicep/main.bicep` or `policies/`), a test ties the constant to it
 * (`test/artifacts/names.test.ts`), so a change on one side fails until the other follows.
 */

/** Business units are APIM subscriptions whose id starts with this; it is stripped for display. */
export const BU_PREFIX = 'bu-';

/** Display name of a BU subscription id: the `bu-` prefix stripped. @example buDisplayName('bu-hr') // 'hr' */
export function buDisplayName(subscriptionId: string): string {
  return subscriptionId.startsWith(BU_PREFIX)
    ? subscriptionId.slice(BU_PREFIX.length)
    : subscriptionId;
}

/** Whether a logged `ApimSubscriptionId` is a business unit's. */
export function isBuSubscription(subscriptionId: string): boolean {
  return subscriptionId.startsWith(BU_PREFIX);
}

/** api-version per AI surface, as the AOAI operation policies set it (`policies/aoai-*-operation.xml`). */
export const AI_API_VERSIONS = { chat: '2024-10-21', responses: '2025-03-01-preview' } as const;

/**
 * The policy fragment that adds `stream_options.include_usage` to streaming chat requests
 * (`policies/fragments/`, `bicep/main.bicep`); `features.forceStreamIncludeUsage: false` leaves
 * it and its includes out.
 */
export const STREAM_USAGE_FRAGMENT_ID = 'ensure-stream-include-usage';

/** The custom metric the Entra ID policy emits (`policies/entraid-api.xml`), and its namespace. */
export const CALLER_METRIC = { name: 'caller-requests', namespace: 'apim-costing' } as const;

/** Storage container the Cost Management export writes to (`bicep/main.bicep`, `costExportContainer`). */
export const COST_EXPORT_CONTAINER = 'cost-exports';

/** The budget-alert query file every BU rule is made from (`kql/`). */
export const BUDGET_ALERT_QUERY_FILE = 'budget-alert-threshold.kql';

/** Files the kit writes in its data folder (`local.dataDir`). */
export const DATA_FILES = {
  /** The ground-truth ledger of every traffic run. */
  ledger: 'ledger.local.json',
  /** The budget-alert rules cell B4 registered, for E3's evaluation. */
  budgetAlerts: 'budget-alerts.local.json',
  /** Local target: the BU subscription keys. */
  keys: 'subscriptions.local.json',
  /** Local target: what the Azure-only actions would have done. */
  skippedActions: 'azure-only-actions.local.json',
  /** Cell E5: the enforcement plan applied (what it changed, for the undo and clean-up). */
  enforcement: 'budget-enforcement.local.json',
  /** Local target: the log store's folder. */
  logs: 'logs',
  /** Every file the kit wrote in the data folder: clean-up removes these and nothing else. */
  manifest: 'kit-files.local.json',
  /** The kernel that holds the data folder (its pid): one kernel per data folder. */
  lock: 'kernel.lock.local.json',
  /** Per-run journals of the running traffic cells (one line per finished request). */
  runs: 'runs',
} as const;
