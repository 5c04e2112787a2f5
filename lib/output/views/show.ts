/**
 * Cell outputs for deployment, pricing and Azure-only actions: what A2, B1-B4 display.
 * Keys are always masked.
 */
import { maskSecret } from '../../config/describe-config.js';
import type { KitConfig } from '../../config/load-config.js';
import { showMarkdown } from '../mime.js';
import { getApimPricing, getModelPricing } from '../../pricing/pricing.js';
import { showTable, type PlainTable } from '../tables.js';
import type { ActionOutcome, CleanUpItem, Deployment } from '../../target.js';

/** The deployment as a two-column table (A2): endpoints, resources, BU keys masked. */
export function deploymentTable(d: Deployment): PlainTable {
  const rows: [string, string][] = [
    ['Target', d.target],
    ['Gateway URL', d.gatewayUrl],
    ['APIM', `${d.apimName} (${d.apimSku}), resource group ${d.resourceGroup}, ${d.location}`],
    ['Costing API', d.apis.costing.url],
    ['Entra ID API', d.apis.entra.url],
    ['Token-tracking API', d.apis.tokenTracking.url],
    ['AOAI gateway API', d.apis.aoai.url],
    ['App Insights', `${d.appInsights.name} (app id ${d.appInsights.appId})`],
    ['Log Analytics', `${d.logAnalytics.name} (workspace ${d.logAnalytics.workspaceId})`],
    ['Storage', `${d.storage.accountName} / ${d.storage.container}`],
    [
      'AOAI',
      d.aoai
        ? `${d.aoai.emulated ? 'emulated' : 'Azure OpenAI'} at ${d.aoai.backendUrl}: ${d.aoai.deployments
            .map((m) => `${m.deploymentName} (${m.modelVersion}, ${m.capacityKTpm}K TPM)`)
            .join(', ')}`
        : 'none deployed (D2 uses the mock response)',
    ],
    ...d.subscriptions.map((s): [string, string] => [
      `Subscription ${s.id}`,
      `${s.displayName}, key ${maskSecret(s.primaryKey)}`,
    ]),
  ];
  return { columns: ['Item', 'Value'], rows };
}

/** Shows the deployment (A2). */
export function showDeployment(d: Deployment): void {
  showTable(deploymentTable(d), { title: `Deployment (${d.target})` });
}

/** The APIM and model prices the cost model uses (B1). */
export function pricingTables(config: KitConfig): {
  apim: PlainTable;
  models: PlainTable;
  notes: string;
} {
  const p = getApimPricing(config.deployment.apimSku);
  const apim: PlainTable = {
    columns: [
      'SKU',
      'Base monthly (USD)',
      'Overage per 1K requests (USD)',
      'Included requests / month',
      'Source',
      'As of',
    ],
    rows: [
      [
        p.label,
        p.baseMonthlyUsd,
        p.overagePer1kUsd,
        p.includedRequests === null ? 'n/a' : p.includedRequests,
        p.source,
        p.asOf,
      ],
    ],
  };
  const models: PlainTable = {
    columns: [
      'Model',
      'Prompt per 1K tokens (USD)',
      'Completion per 1K tokens (USD)',
      'Source',
      'As of',
    ],
    rows: config.models.map((m) => {
      const mp = getModelPricing(m.name);
      return [mp.model, mp.promptPer1kUsd, mp.completionPer1kUsd, mp.source, mp.asOf];
    }),
  };
  const notes =
    'Cost model (SPEC section 7): base share = base monthly cost x (BU requests / total requests); ' +
    'variable = BU requests x (rate per 1K / 1000); token cost = prompt/1000 x prompt rate + completion/1000 x completion rate. ' +
    'Estimates for showback, not billing.';
  return { apim, models, notes };
}

/** Shows B1's pricing tables. */
export function showPricing(config: KitConfig): void {
  const t = pricingTables(config);
  showTable(t.apim, { title: 'APIM pricing' });
  showTable(t.models, { title: 'Azure OpenAI token pricing' });
  showMarkdown(t.notes);
}

/** One line for an Azure-only action: done, or skipped with what it would have done. */
export function outcomeLine(title: string, outcome: ActionOutcome): string {
  if (outcome.status === 'done') return `**${title}:** ${outcome.summary}`;
  return `**${title}:** skipped: ${outcome.reason} Would have: ${outcome.wouldHaveDone}`;
}

/** Shows an action's outcome in one line (B2-B4). */
export function showOutcome(title: string, outcome: ActionOutcome): void {
  showMarkdown(outcomeLine(title, outcome));
}

/** Shows a clean-up listing or result. */
export function showCleanUp(items: CleanUpItem[]): void {
  showTable(
    {
      columns: ['Kind', 'Name', 'Action', 'Reason'],
      rows: items.map((i) => [i.kind, i.name, i.action, i.reason ?? '']),
    },
    {
      title: items.some((i) => i.action === 'would-delete')
        ? 'Clean-up (dry run): what would be deleted'
        : 'Clean-up',
    },
  );
}
