/**
 * Each constant of `lib/artifacts/names.ts` against its home artifact: change one side and this
 * fails until the other follows.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AI_API_VERSIONS,
  BU_PREFIX,
  BUDGET_ALERT_QUERY_FILE,
  CALLER_METRIC,
  COST_EXPORT_CONTAINER,
  STREAM_USAGE_FRAGMENT_ID,
  buDisplayName,
} from '../../lib/artifacts/names.js';
import { artifactPath, readArtifact } from '../../lib/artifacts/read-artifact.js';
import { MIN_API_VERSION } from '../../lib/local/aoai-emulator.js';
import { listQueryNames } from '../../lib/kql/query-files.js';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';

function apiVersionOf(policyFile: string): string | undefined {
  return /<set-query-parameter name="api-version"[^>]*>\s*<value>([^<]+)<\/value>/.exec(
    readArtifact('policies', policyFile),
  )?.[1];
}

describe('names shared by code and artifacts', () => {
  it('api-versions: the AOAI operation policies default to the ones the traffic sends', () => {
    expect(apiVersionOf('aoai-chat-completions-operation.xml')).toBe(AI_API_VERSIONS.chat);
    expect(apiVersionOf('aoai-responses-operation.xml')).toBe(AI_API_VERSIONS.responses);
    // The emulator accepts exactly what the kit sends, and newer.
    expect(MIN_API_VERSION).toEqual(AI_API_VERSIONS);
  });

  it('the caller metric: the Entra ID and AI policies emit the name and namespace the queries read', () => {
    for (const file of ['entraid-api.xml', 'token-tracking-api.xml', 'aoai-gateway-api.xml'])
      expect(readArtifact('policies', file), file).toContain(
        `<emit-metric name="${CALLER_METRIC.name}" value="1" namespace="${CALLER_METRIC.namespace}">`,
      );
    for (const q of [
      'metric-ingestion-check',
      'caller-metrics-breakdown',
      'cost-allocation-caller',
      'token-metric-ingestion-check',
    ])
      expect(readArtifact('kql', `${q}.kql`), q).toContain(`'${CALLER_METRIC.name}'`);
  });

  it('the stream include_usage fragment: its file, its bicep resource and the AI policies name it', () => {
    expect(
      existsSync(artifactPath('policies', 'fragments', `${STREAM_USAGE_FRAGMENT_ID}.xml`)),
    ).toBe(true);
    expect(readArtifact('bicep', 'main.bicep')).toContain(`name: '${STREAM_USAGE_FRAGMENT_ID}'`);
    for (const file of ['token-tracking-api.xml', 'aoai-gateway-api.xml'])
      expect(readArtifact('policies', file), file).toContain(
        `<include-fragment fragment-id="${STREAM_USAGE_FRAGMENT_ID}" />`,
      );
  });

  it('the export container: main.bicep and cost-export.bicep create the one the kit reads', () => {
    expect(readArtifact('bicep', 'main.bicep')).toContain(
      `var costExportContainer = '${COST_EXPORT_CONTAINER}'`,
    );
    expect(readArtifact('bicep', 'cost-export.bicep')).toContain(
      `param container string = '${COST_EXPORT_CONTAINER}'`,
    );
  });

  it('the budget-alert query file exists', () => {
    expect(listQueryNames()).toContain(BUDGET_ALERT_QUERY_FILE.replace(/\.kql$/, ''));
    expect(existsSync(artifactPath('kql', BUDGET_ALERT_QUERY_FILE))).toBe(true);
  });

  it('the BU prefix: every query that picks or strips it uses the same one', () => {
    expect(buDisplayName(`${BU_PREFIX}hr`)).toBe('hr');
    const texts = [
      ...listQueryNames().map((n) => ({
        name: `kql/${n}.kql`,
        text: readArtifact('kql', `${n}.kql`),
      })),
      ...listWorkbookQueries().map((q) => ({ name: `workbook.json#${q.name}`, text: q.template })),
    ];
    // AllocatedTo (ApimCostAllocation_CL, the Actual cost tab) holds the same bu- ids.
    for (const { name, text } of texts) {
      for (const m of text.matchAll(/(?:ApimSubscriptionId|AllocatedTo) startswith '([^']*)'/g))
        expect(m[1], name).toBe(BU_PREFIX);
      for (const m of text.matchAll(/substring\((?:ApimSubscriptionId|AllocatedTo), (\d+)\)/g))
        expect(Number(m[1]), name).toBe(BU_PREFIX.length);
    }
  });
});
