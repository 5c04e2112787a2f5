/**
 * Every query file in kql/ validates with the official parser (the folder is enumerated, so a
 * new broken file fails here), starts with a comment, and declares its parameters.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.js';
import { loadPricedQuery } from '../../lib/pricing/query-prices.js';
import {
  declaredParameters,
  listQueryNames,
  QUERY_NAMES,
  validateQuery,
} from '../../lib/kql/index.js';

const kqlDir = path.resolve(__dirname, '../../kql');
const files = readdirSync(kqlDir)
  .filter((f) => f.endsWith('.kql'))
  .sort();

describe('kql/ query files', () => {
  test('the exported list names every file', () => {
    expect(listQueryNames()).toEqual(files.map((f) => f.slice(0, -4)));
    expect([...QUERY_NAMES]).toEqual(listQueryNames());
    for (const required of [
      'log-ingestion-check',
      'metric-ingestion-check',
      'caller-metrics-breakdown',
      'token-ingestion-check',
      'bu-token-usage',
      'budget-alert-threshold',
      'cost-allocation-subscription',
      'cost-allocation-caller',
      'cost-allocation-tokens',
    ]) {
      expect(files, required).toContain(`${required}.kql`);
    }
  });

  test.each(files)('%s validates with zero errors and zero warnings', (file) => {
    const q = loadPricedQuery(file.slice(0, -4), loadConfig({}, {}));
    const diagnostics = validateQuery(q.text, { file: q.file });
    expect(
      diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`),
    ).toEqual([]);
  });

  test.each(files)('%s starts with a comment saying what it answers', (file) => {
    const text = readFileSync(path.join(kqlDir, file), 'utf8');
    expect(text.startsWith('// Answers: ')).toBe(true);
  });

  test('parameters are declared where the brief asks for them', () => {
    const names = (q: string): string[] =>
      declaredParameters(loadPricedQuery(q, loadConfig({}, {})).source).map((p) => p.name);
    expect(names('cost-allocation-subscription')).toEqual(
      expect.arrayContaining(['baseMonthlyCost', 'perKRate']),
    );
    expect(names('cost-allocation-caller')).toEqual(
      expect.arrayContaining(['baseMonthlyCost', 'perKRate']),
    );
    expect(names('cost-allocation-tokens')).toEqual(
      expect.arrayContaining(['priceModels', 'promptPer1K', 'completionPer1K']),
    );
    expect(names('budget-alert-threshold')).toEqual(expect.arrayContaining(['threshold']));
  });

  test('a broken query is reported with file, line and column', () => {
    const diagnostics = validateQuery('ApiManagementGatewayLogs\n| where NoSuchColumn == 1', {
      file: 'kql/broken.kql',
    });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      file: 'kql/broken.kql',
      line: 2,
      column: 9,
      severity: 'error',
    });
    expect(diagnostics[0]!.message).toContain('NoSuchColumn');
  });
});
