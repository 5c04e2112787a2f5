/**
 * The public surface is reviewed as a file: `review/apim-costing-notebooks.api.md`, written by
 * API Extractor (`npm run api:update`). This test is the check CI runs (`npm run api:check` does
 * the same from the command line): the committed report matches `dist/index.d.ts`, and a report
 * that differs from the surface fails.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Extractor, ExtractorConfig, type IConfigFile } from '@microsoft/api-extractor';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const REPORT = 'apim-costing-notebooks.api.md';

function runExtractor(reportFolder: string): { succeeded: boolean; apiReportChanged: boolean } {
  const configFile = path.join(ROOT, 'api-extractor.json');
  const configObject: IConfigFile = ExtractorConfig.loadFile(configFile);
  configObject.apiReport = {
    ...configObject.apiReport!,
    reportFolder,
    reportTempFolder: path.join(reportFolder, 'temp'),
  };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: configFile,
    packageJsonFullPath: path.join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, {
    localBuild: false,
    messageCallback: (m) => void (m.handled = true),
  });
  return { succeeded: result.succeeded, apiReportChanged: result.apiReportChanged };
}

describe('the reviewed public surface', () => {
  it('review/ holds the report of the current dist/index.d.ts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'api-report-'));
    try {
      copyFileSync(path.join(ROOT, 'review', REPORT), path.join(dir, REPORT));
      expect(runExtractor(dir)).toEqual({ succeeded: true, apiReportChanged: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when the surface changed and the report was not updated', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'api-report-'));
    try {
      const report = readFileSync(path.join(ROOT, 'review', REPORT), 'utf8');
      writeFileSync(path.join(dir, REPORT), report.replace(/^export function queryTable.*$/m, ''));
      expect(runExtractor(dir)).toEqual({ succeeded: false, apiReportChanged: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
