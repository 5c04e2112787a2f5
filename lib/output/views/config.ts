/**
 * Cell A1's output: a short summary of the configuration. Secrets are never shown.
 */
import { maskSecret } from '../../common/mask-secret.js';
import { byoNoteOnLocal } from '../../config/byo.js';
import type { KitConfig } from '../../config/types.js';
import { showMarkdown } from '../mime.js';

/**
 * The configuration as Markdown: target, SKU, BUs, callers, models and toggles.
 * @example showMarkdown(describeConfig(target.config));
 */
export function describeConfig(config: KitConfig): string {
  const d = config.deployment;
  const f = config.features;
  const t = config.traffic;
  const on = (b: boolean): string => (b ? 'on' : 'off');
  const lines = [
    `**Target:** \`${config.target}\`${config.target === 'local' ? ' (embedded emulator, no Azure needed)' : ''}`,
    `**Deployment:** ${d.location}, index ${d.index}, APIM SKU **${d.apimSku}**, resource group \`${d.resourceGroup}\`, ` +
      `${d.apimName ? `existing APIM \`${d.apimName}\`${d.apimResourceGroup !== undefined ? ` in \`${d.apimResourceGroup}\`` : ''}` : 'new APIM'}, API prefix \`${d.apiPrefix}\``,
    ...byoLines(config),
    `**Business units (${config.businessUnits.length}):** ${config.businessUnits.map((b) => `${b.name} ×${b.weight}`).join(', ')}`,
    `**Entra ID callers (${config.callers.length}):** ${config.callers.map((c) => `${c.name} ×${c.weight}`).join(', ')}`,
    `**Models (${config.models.length}):** ${config.models.map((m) => `${m.name} ${m.version} (${m.capacityKTpm}K TPM, ${m.requestsPerBu}/BU)`).join(', ')}`,
    `**Features:** Entra ID tracking ${on(f.enableEntraIdTracking)}, token tracking ${on(f.enableTokenTracking)}, ` +
      `Foundry ${on(f.enableFoundry)}${config.target === 'local' ? ' (emulated)' : ''}, force include_usage ${on(f.forceStreamIncludeUsage)}`,
    `**Traffic:** regular ${on(t.runRegularRequests)}, AI ${on(t.runAiRequests)}, sample load ${on(t.generateSampleLoad)} ` +
      `(${t.sampleRequestsPerSubscription} per subscription), concurrency ${t.concurrency}, error share ${t.errorShare}`,
    `**Real JWT:** ${config.realJwt.useRealJwt ? `on (tenant ${config.realJwt.tenantId ?? '(not set)'}, client ${config.realJwt.clientId ?? '(not set)'}, secret ${maskSecret(config.realJwt.clientSecret)})` : 'off'}`,
    `**Governance:** ${config.governance.costExportFrequency} cost export, budget alerts ${on(config.governance.createBudgetAlerts)} ` +
      `at ${config.governance.alertThreshold} requests/BU/hour${config.governance.alertEmail ? ` to ${config.governance.alertEmail}` : ''}`,
  ];
  return lines.map((l) => `- ${l}`).join('\n');
}

/** The bring-your-own lines (issue 13 item 10); on local they are accepted and not used. */
function byoLines(config: KitConfig): string[] {
  const d = config.deployment;
  const reused = [
    d.logAnalyticsWorkspaceId !== undefined ? `Log Analytics \`${d.logAnalyticsWorkspaceId}\`` : '',
    d.appInsightsId !== undefined ? `Application Insights \`${d.appInsightsId}\`` : '',
  ].filter((s) => s !== '');
  const lines = [
    ...(reused.length > 0 ? [`**Reused monitoring:** ${reused.join(', ')} (never deleted)`] : []),
    ...(d.gatewayUrl !== undefined
      ? [`**Public gateway URL:** ${d.gatewayUrl} (traffic cells send here; ARM calls stay on ARM)`]
      : []),
  ];
  const note = config.target === 'local' ? byoNoteOnLocal(d) : undefined;
  if (note !== undefined) lines.push(`**On local:** ${note}`);
  return lines;
}

/** Shows cell A1's summary. @example showConfig(target.config); */
export function showConfig(config: KitConfig): void {
  showMarkdown(describeConfig(config));
}
