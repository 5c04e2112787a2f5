/**
 * String keys through dictionary codes (engine/dictionary.ts, operators/join-codes.ts): joins
 * between tables with different dictionaries, outer joins' empty fill, unions of encoded
 * columns, grouping on several encoded keys, and repeated queries over the cached encodings
 * give the same answers as the values would.
 */
import { describe, expect, test } from 'vitest';
import { executeQuery } from '../../lib/kql/index.js';
import type { LogRow } from '../../lib/kql/log-tables.js';
import { MemorySource } from './memory-source.js';

function source(): MemorySource {
  const gateway: LogRow[] = Array.from({ length: 12 }, (_v, i) => ({
    TimeGenerated: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    ApimSubscriptionId: ['bu-hr', 'bu-it', 'bu-ops'][i % 3]!,
    ApiId: 'costing-subscription-api',
    CorrelationId: `c${i}`,
    ResponseCode: 200,
  }));
  // The LLM table's dictionary lists its keys in another order, with keys the gateway lacks.
  const llm: LogRow[] = ['c9', 'c3', 'x1', 'c3', 'c0', 'x2'].map((c, i) => ({
    TimeGenerated: new Date(Date.UTC(2024, 0, 1, 1, i)).toISOString(),
    CorrelationId: c,
    PromptTokens: 10 * (i + 1),
  }));
  return new MemorySource({ ApiManagementGatewayLogs: gateway, ApiManagementGatewayLlmLog: llm });
}

const JOIN = `ApiManagementGatewayLlmLog
| join kind=leftouter (ApiManagementGatewayLogs | where ResponseCode == 200 | project CorrelationId, Bu = ApimSubscriptionId) on CorrelationId
| summarize Tokens = sum(PromptTokens) by Bu, CorrelationId
| order by CorrelationId asc`;

describe('dictionary-encoded keys', () => {
  test('a left outer join across two dictionaries matches by value and fills misses with empty', () => {
    const src = source();
    const expected = [
      ['bu-hr', 'c0', 50],
      ['bu-hr', 'c3', 60],
      ['bu-hr', 'c9', 10],
      ['', 'x1', 30],
      ['', 'x2', 60],
    ];
    expect(executeQuery(JOIN, src).table.rows).toEqual(expected);
    // The second run reads the cached encodings and dictionary mapping.
    expect(executeQuery(JOIN, src).table.rows).toEqual(expected);
  });

  test('semi and anti joins on encoded keys', () => {
    const src = source();
    const semi = executeQuery(
      `ApiManagementGatewayLogs | join kind=leftsemi ApiManagementGatewayLlmLog on CorrelationId | project CorrelationId | order by CorrelationId asc`,
      src,
    );
    expect(semi.table.rows).toEqual([['c0'], ['c3'], ['c9']]);
    const anti = executeQuery(
      `ApiManagementGatewayLlmLog | join kind=leftanti ApiManagementGatewayLogs on CorrelationId | project CorrelationId`,
      src,
    );
    expect(anti.table.rows).toEqual([['x1'], ['x2']]);
  });

  test('union of encoded columns with a column one side lacks groups by value', () => {
    const q = `union (ApiManagementGatewayLogs | project Key = ApimSubscriptionId), (ApiManagementGatewayLlmLog | project Key = CorrelationId), (ApiManagementGatewayLlmLog | project Other = CorrelationId)
| summarize n = count() by Key
| order by Key asc`;
    expect(executeQuery(q, source()).table.rows).toEqual([
      ['', 6],
      ['bu-hr', 4],
      ['bu-it', 4],
      ['bu-ops', 4],
      ['c0', 1],
      ['c3', 2],
      ['c9', 1],
      ['x1', 1],
      ['x2', 1],
    ]);
  });

  test('innerunique keeps the first left row per key', () => {
    const q = `ApiManagementGatewayLlmLog | project CorrelationId, PromptTokens
| join (ApiManagementGatewayLogs | project CorrelationId, ApimSubscriptionId) on CorrelationId
| project CorrelationId, PromptTokens, ApimSubscriptionId | order by CorrelationId asc`;
    expect(executeQuery(q, source()).table.rows).toEqual([
      ['c0', 50, 'bu-hr'],
      ['c3', 20, 'bu-hr'],
      ['c9', 10, 'bu-hr'],
    ]);
  });

  // With the gateway log on the right (filtered, so its codes have gaps) every right key is on
  // one row and the join takes the one-row-per-key path; with the LLM log there (a key on two
  // rows) it takes the counting sort. A second, constant key sends either down the general
  // string path, which must agree for every kind.
  test.each(['inner', 'innerunique', 'leftouter', 'rightouter', 'fullouter'])(
    'a %s join onto keys each on one row agrees with the general path',
    (kind) => {
      const gw = `(ApiManagementGatewayLogs | where ResponseCode == 200 and CorrelationId != 'c4' | project CorrelationId, Bu = ApimSubscriptionId, K = 1)`;
      const llm = `(ApiManagementGatewayLlmLog | project CorrelationId, PromptTokens, K = 1)`;
      const tail = `| project CorrelationId, CorrelationId1, Bu, PromptTokens | order by CorrelationId asc, CorrelationId1 asc, PromptTokens asc`;
      for (const [l, r] of [
        [llm, gw],
        [gw, llm],
      ]) {
        const src = source();
        const oneKey = executeQuery(`${l} | join kind=${kind} ${r} on CorrelationId ${tail}`, src);
        const twoKeys = executeQuery(
          `${l} | join kind=${kind} ${r} on CorrelationId, K ${tail}`,
          src,
        );
        expect(oneKey.table.rows.length).toBeGreaterThan(0);
        expect(oneKey.table.rows).toEqual(twoKeys.table.rows);
      }
    },
  );
});
