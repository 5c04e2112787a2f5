/**
 * A workbook refresh runs its tiles as one batch (`createQueryBatch`): sub-queries the tiles
 * share are computed once. Every tile must answer exactly as it does alone, a batch must never
 * serve rows from before an append, and a pipe that reads a `let` function or a row function
 * is never shared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryBatch, executeQuery } from '../../lib/kql/index.js';
import { MemorySource } from '../kql/memory-source.js';
import { runLocalWorkbook, type LocalWorkbookRun } from './local-run.js';

let run: LocalWorkbookRun;
beforeAll(async () => {
  run = await runLocalWorkbook();
}, 180_000);
afterAll(async () => {
  await run?.dispose();
});

describe('query batches', () => {
  it('answers every workbook query as it does alone, computing shared sub-queries once', async () => {
    const batch = createQueryBatch();
    for (const q of run.queries) {
      // Alone, at the batch's instant (a fresh batch per query shares nothing): `where At <=
      // now()` must see the same now.
      const alone = await run.target.queryLogs(q.query, { batch: createQueryBatch(batch.now) });
      const batched = await run.target.queryLogs(q.query, { batch });
      expect(batched.table, q.name).toEqual(alone.table);
    }
    expect(batch.stats.hits).toBeGreaterThan(20);
  });

  it('never serves a result from before an append', () => {
    const src = new MemorySource({
      ApiManagementGatewayLogs: [
        { ApimSubscriptionId: 'bu-a', TimeGenerated: '2026-11-27T09:00:00.000Z' },
      ],
    });
    const batch = createQueryBatch(new Date('2026-11-27T12:00:00.000Z'));
    const q = "ApiManagementGatewayLogs | where ApimSubscriptionId startswith 'bu-' | count";
    expect(executeQuery(q, src, { batch }).table.rows).toEqual([[1]]);
    expect(executeQuery(q, src, { batch }).table.rows).toEqual([[1]]);
    expect(batch.stats.hits).toBeGreaterThan(0);
    src.append('ApiManagementGatewayLogs', [
      { ApimSubscriptionId: 'bu-b', TimeGenerated: '2026-11-27T10:00:00.000Z' },
    ]);
    expect(executeQuery(q, src, { batch }).table.rows).toEqual([[2]]);
  });

  it('keys on let values and never shares a pipe with a let function or row_number()', () => {
    const src = new MemorySource({
      ApiManagementGatewayLogs: [
        { ApimSubscriptionId: 'bu-a', ResponseCode: 200 },
        { ApimSubscriptionId: 'bu-b', ResponseCode: 500 },
      ],
    });
    const batch = createQueryBatch();
    const q = (code: number) =>
      `let c = ${code}; ApiManagementGatewayLogs | where ResponseCode == c | project ApimSubscriptionId`;
    expect(executeQuery(q(200), src, { batch }).table.rows).toEqual([['bu-a']]);
    expect(executeQuery(q(500), src, { batch }).table.rows).toEqual([['bu-b']]);
    const f = (s: string) =>
      `let f = () { '${s}' }; ApiManagementGatewayLogs | extend x = f() | project x | take 1`;
    expect(executeQuery(f('one'), src, { batch }).table.rows).toEqual([['one']]);
    expect(executeQuery(f('two'), src, { batch }).table.rows).toEqual([['two']]);
    const before = batch.stats.hits;
    const numbered = 'ApiManagementGatewayLogs | serialize | extend n = row_number() | count';
    executeQuery(numbered, src, { batch });
    executeQuery(numbered, src, { batch });
    // `serialize` is shared; the pipe with row_number() is computed each time.
    expect(batch.stats.hits - before).toBe(1);
  });
});
