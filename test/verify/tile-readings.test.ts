/**
 * E3 reads its tiles from `workbook.json`: a tile it compares that the workbook lacks (renamed,
 * or its item removed) is an error naming it, never a silent MISMATCH.
 */
import { describe, expect, it } from 'vitest';
import { readArtifact } from '../../lib/artifacts/read-artifact.js';
import { WorkbookError } from '../../lib/errors.js';
import { tileReadings } from '../../lib/verify/cross-reference.js';
import type { TileTruth } from '../../lib/verify/tile-truths.js';
import { listWorkbookQueries } from '../../lib/workbook/list-queries.js';
import { loadWorkbook } from '../../lib/workbook/workbook-json.js';

const truth = (item: string, tile: string): TileTruth => ({ item, tile, truth: 0, tolerance: 0 });

describe("E3's tiles come from workbook.json", () => {
  it('reads each item by its tile settings and accepts the labels the workbook declares', () => {
    const readings = tileReadings(listWorkbookQueries(), [
      truth('ai-tiles-successful', 'Successful (all 2xx)'),
      truth('ai-tiles-errors', 'Throttled (429)'),
    ]);
    expect(readings.get('ai-tiles-errors')).toMatchObject({
      labelColumn: 'Metric',
      valueColumn: 'Value',
    });
    expect(readings.get('ai-tiles-errors')?.labels).toContain('Server Errors (5xx)');
    expect(readings.get('subscription-cost-allocation')).toMatchObject({
      labelColumn: 'BusinessUnit',
      valueColumn: 'TotalCost',
      labels: [],
    });
  });

  it('names a tile E3 compares that the workbook has renamed', () => {
    const renamed = loadWorkbook(
      readArtifact('workbook.json').replace("'Throttled (429)'", "'Rate limited (429)'"),
    );
    const run = (): unknown =>
      tileReadings(listWorkbookQueries(renamed), [truth('ai-tiles-errors', 'Throttled (429)')]);
    expect(run).toThrow(WorkbookError);
    expect(run).toThrow(
      "workbook.json item 'ai-tiles-errors' has no tile 'Throttled (429)' (it has 'Client Errors (4xx)', 'Rate limited (429)',",
    );
  });

  it('names an item E3 reads that the workbook lacks', () => {
    const removed = loadWorkbook(
      readArtifact('workbook.json').replace(
        '"name": "ai-tiles-tokens"',
        '"name": "ai-tiles-token-counts"',
      ),
    );
    expect(() => tileReadings(listWorkbookQueries(removed), [])).toThrow(
      "workbook.json has no query item 'ai-tiles-tokens': cell E3 compares its figures",
    );
  });
});
