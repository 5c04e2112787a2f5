/**
 * `features.forceStreamIncludeUsage` on Azure (issue 13, item 4): the target sends it as the
 * `forceStreamIncludeUsage` template parameter, and the template evaluated by `bicep snapshot`
 * for both values deploys the fragment and its includes only when it is true. With false the
 * AI API policies are their files with exactly the include line removed (nothing else changes),
 * which is what the local target's policy engine leaves out.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { artifactPath } from '../../lib/artifacts/read-artifact.js';
import { STREAM_USAGE_FRAGMENT_ID } from '../../lib/artifacts/names.js';
import { mainParameters } from '../../lib/azure/azure-deploy.js';
import { azureResourceNames } from '../../lib/azure/resource-names.js';
import { azureConfig, SUB } from './arm-simulator.js';
import { loadSnapshot, MATRIX, snapshotFor, type PredictedResource } from './snapshots.js';

const INCLUDE = `\n\t\t<include-fragment fragment-id="${STREAM_USAGE_FRAGMENT_ID}" />`;
const AI_POLICIES = {
  'costing-token-tracking-api': 'token-tracking-api.xml',
  'costing-aoai-gateway-api': 'aoai-gateway-api.xml',
};

function policyOf(resources: PredictedResource[], apiId: string): string {
  const found = resources.find(
    (r) =>
      r.type === 'Microsoft.ApiManagement/service/apis/policies' && r.name.split('/')[1] === apiId,
  );
  if (found === undefined) throw new Error(`no policy for ${apiId}`);
  return String(found.properties?.value);
}

const fragmentNames = (resources: PredictedResource[]): string[] =>
  resources
    .filter((r) => r.type === 'Microsoft.ApiManagement/service/policyFragments')
    .map((r) => r.name.split('/')[1] ?? '');

describe('forceStreamIncludeUsage on Azure', () => {
  it('is sent as the template parameter, for both values', () => {
    for (const value of [true, false]) {
      const config = azureConfig({ features: { forceStreamIncludeUsage: value } });
      const sent = mainParameters(config, azureResourceNames(config, SUB));
      expect(sent.forceStreamIncludeUsage).toEqual({ value });
    }
  });

  it('both values are in the snapshot matrix, and the simulator finds each', () => {
    const values = MATRIX.configurations
      .filter((e) => e.templates.includes('main') && e.config.deployment === undefined)
      .map((e) => e.config.features?.forceStreamIncludeUsage ?? true);
    expect(new Set(values)).toEqual(new Set([true, false]));
    const off = azureConfig({ features: { forceStreamIncludeUsage: false } });
    const params = Object.fromEntries(
      Object.entries(mainParameters(off, azureResourceNames(off, SUB))).map(([k, v]) => [
        k,
        v.value,
      ]),
    );
    expect(snapshotFor('main', params)).toEqual(loadSnapshot('stream-usage-off.main'));
  });

  it('true: the fragment is deployed and both AI APIs include it, byte-identical to policies/', () => {
    const resources = loadSnapshot('default.main').predictedResources;
    expect(fragmentNames(resources)).toContain(STREAM_USAGE_FRAGMENT_ID);
    for (const [apiId, file] of Object.entries(AI_POLICIES)) {
      const text = readFileSync(artifactPath('policies', file), 'utf8');
      expect(text).toContain(INCLUDE);
      expect(policyOf(resources, apiId)).toBe(text);
    }
  });

  it('false: no fragment, and each AI policy is its file without the include line only', () => {
    const resources = loadSnapshot('stream-usage-off.main').predictedResources;
    // Every fragment of the default deployment but this one (the budgets' token limit stays).
    const kept = fragmentNames(loadSnapshot('default.main').predictedResources).filter(
      (f) => f !== STREAM_USAGE_FRAGMENT_ID,
    );
    expect(fragmentNames(resources)).toEqual(kept);
    expect(kept).toContain('extract-caller-id');
    for (const [apiId, file] of Object.entries(AI_POLICIES)) {
      const text = readFileSync(artifactPath('policies', file), 'utf8');
      expect(text.split(INCLUDE)).toHaveLength(2);
      const deployed = policyOf(resources, apiId);
      expect(deployed).toBe(text.replace(INCLUDE, ''));
      expect(deployed).not.toContain(STREAM_USAGE_FRAGMENT_ID);
    }
    // Nothing else of the template changes with the flag.
    const others = (r: PredictedResource[]): PredictedResource[] =>
      r.filter(
        (x) =>
          !x.name.endsWith(`/${STREAM_USAGE_FRAGMENT_ID}`) &&
          !Object.keys(AI_POLICIES).some((id) => x.name.endsWith(`/${id}/policy`)),
      );
    expect(others(resources)).toEqual(others(loadSnapshot('default.main').predictedResources));
  });
});
