/**
 * Engine behaviour beyond single operators: scan counting with materialize(), the conversion
 * cache, unsupported features with positions, and the result shape.
 */
import { describe, expect, test } from 'vitest';
import { executeQuery, KqlUnsupportedError, KqlValidationError } from '../../lib/kql/index.js';
import { KitError } from '../../lib/errors.js';
import type { LogRow } from '../../lib/kql/log-tables.js';
import { MemorySource } from './memory-source.js';

function gatewayRows(n: number): LogRow[] {
  return Array.from({ length: n }, (_v, i) => ({
    TimeGenerated: new Date(Date.UTC(2024, 0, 1, 0, i)).toISOString(),
    ApimSubscriptionId: i % 2 === 0 ? 'bu-hr' : 'bu-it',
    ApiId: 'costing-subscription-api',
    CorrelationId: `c${i}`,
    ResponseCode: 200,
  }));
}

describe('scans and materialize()', () => {
  test('a materialize()d set used twice scans its base table once', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: gatewayRows(10) });
    const q = `let base = materialize(ApiManagementGatewayLogs | where ApimSubscriptionId startswith 'bu-' | project ApimSubscriptionId);
let total = toscalar(base | count);
base | summarize Requests = count() by ApimSubscriptionId | extend Share = 100.0 * Requests / total | order by ApimSubscriptionId asc`;
    const r = executeQuery(q, src);
    expect(r.stats?.scans).toEqual({ ApiManagementGatewayLogs: 1 });
    expect(r.table.rows).toEqual([
      ['bu-hr', 5, 50],
      ['bu-it', 5, 50],
    ]);
  });

  test('the same let without materialize() scans at each use', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: gatewayRows(10) });
    const q = `let base = ApiManagementGatewayLogs | project ApimSubscriptionId;
let total = toscalar(base | count);
base | summarize Requests = count() by ApimSubscriptionId | extend Share = 100.0 * Requests / total`;
    expect(executeQuery(q, src).stats?.scans).toEqual({ ApiManagementGatewayLogs: 2 });
  });

  test('a table converted once is reused until its version changes', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: gatewayRows(4) });
    const q = 'ApiManagementGatewayLogs | count';
    expect(executeQuery(q, src).table.rows).toEqual([[4]]);
    expect(executeQuery(q, src).table.rows).toEqual([[4]]);
    src.append('ApiManagementGatewayLogs', gatewayRows(3));
    expect(executeQuery(q, src).table.rows).toEqual([[7]]);
  });

  test('a table the store has not written yet is empty, with the schema columns', () => {
    const src = new MemorySource({});
    const r = executeQuery('ApiManagementGatewayLlmLog | project CorrelationId, TotalTokens', src);
    expect(r.table.columns).toEqual([
      { name: 'CorrelationId', type: 'string' },
      { name: 'TotalTokens', type: 'int' },
    ]);
    expect(r.table.rows).toEqual([]);
  });
});

describe('unsupported features', () => {
  test('an unsupported operator is named with its line and column', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: gatewayRows(2) });
    const q = "ApiManagementGatewayLogs\n| where ApiId != ''\n|   sample 1";
    let caught: unknown;
    try {
      executeQuery(q, src);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KqlUnsupportedError);
    expect(caught).toBeInstanceOf(KitError);
    const err = caught as KqlUnsupportedError;
    expect([err.feature, err.line, err.column]).toEqual(['sample', 3, 5]);
    expect(err.message).toContain("'sample' (line 3, column 5)");
  });

  test('an unsupported function is named with its line and column', () => {
    const src = new MemorySource({});
    let caught: unknown;
    try {
      executeQuery('print a = 1,\n  b = hash_sha256("x")', src);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KqlUnsupportedError);
    expect((caught as KqlUnsupportedError).feature).toBe('hash_sha256');
    expect([(caught as KqlUnsupportedError).line, (caught as KqlUnsupportedError).column]).toEqual([
      2, 7,
    ]);
  });

  test('a query the parser rejects is a KqlValidationError, not a result', () => {
    expect(() =>
      executeQuery('ApiManagementGatewayLogs | where Nope == 1', new MemorySource({})),
    ).toThrow(KqlValidationError);
  });
});

describe('result shape', () => {
  test('datetimes are ISO strings and columns carry Kusto types', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: gatewayRows(3) });
    const r = executeQuery(
      'ApiManagementGatewayLogs | summarize Latest = max(TimeGenerated), n = count(), codes = make_set(ResponseCode)',
      src,
    );
    expect(r.status).toBe('success');
    expect(r.table.columns).toEqual([
      { name: 'Latest', type: 'datetime' },
      { name: 'n', type: 'long' },
      { name: 'codes', type: 'dynamic' },
    ]);
    expect(r.table.rows).toEqual([['2024-01-01T00:02:00.000Z', 3, [200]]]);
    expect(r.stats?.elapsedMs).toBeGreaterThanOrEqual(0);
  });
});

describe('unsupported shapes', () => {
  test('a let-defined function is expanded where it is called', () => {
    const r = executeQuery('let f = (x:long) { x + 1 };\nprint f(1)', new MemorySource({}));
    expect(r.table.rows).toEqual([[2]]);
  });

  test('join hints (hint.strategy) do not change the result', () => {
    const q =
      'datatable(a:long)[1] | join kind=leftouter hint.strategy=broadcast (datatable(a:long)[1]) on a | count';
    expect(executeQuery(q, new MemorySource({})).table.rows).toEqual([[1]]);
  });
});

describe('timespan option', () => {
  const rows = (): LogRow[] =>
    ['2024-01-10T11:30:00Z', '2024-01-10T08:00:00Z', '2024-01-01T00:00:00Z'].map((t, i) => ({
      TimeGenerated: t,
      CorrelationId: `c${i}`,
    }));

  test('an ISO duration keeps rows of the last period, like the query API', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: rows() });
    const now = new Date('2024-01-10T12:00:00Z');
    expect(
      executeQuery('ApiManagementGatewayLogs | count', src, { now, timespan: 'PT1H' }).table.rows,
    ).toEqual([[1]]);
    expect(
      executeQuery('ApiManagementGatewayLogs | count', src, { now, timespan: 'P1D' }).table.rows,
    ).toEqual([[2]]);
    expect(executeQuery('ApiManagementGatewayLogs | count', src, { now }).table.rows).toEqual([
      [3],
    ]);
  });

  test('a start/end range', () => {
    const src = new MemorySource({ ApiManagementGatewayLogs: rows() });
    const r = executeQuery('ApiManagementGatewayLogs | project CorrelationId', src, {
      timespan: '2024-01-01T00:00:00Z/2024-01-10T09:00:00Z',
    });
    expect(r.table.rows).toEqual([['c1'], ['c2']]);
    expect(() => executeQuery('print 1', src, { timespan: 'yesterday' })).toThrow(
      /Invalid timespan/,
    );
  });
});

describe('joins with a much larger probe side (Bloom-filtered probes)', () => {
  const left = Array.from({ length: 2000 }, (_v, i) => `'k${i}'`).join(',');
  const right = Array.from({ length: 200 }, (_v, i) => `'k${i * 10}', ${i}`).join(',');
  const q = (join: string): string =>
    `let L = datatable(k:string)[${left}]; let R = datatable(k:string, v:long)[${right}]; L | ${join} | count`;
  const src = new MemorySource({});

  test('inner, leftouter, leftsemi and leftanti counts', () => {
    expect(executeQuery(q('join kind=inner R on k'), src).table.rows).toEqual([[200]]);
    expect(executeQuery(q('join kind=leftouter R on k'), src).table.rows).toEqual([[2000]]);
    expect(executeQuery(q('join kind=leftsemi R on k'), src).table.rows).toEqual([[200]]);
    expect(executeQuery(q('join kind=leftanti R on k'), src).table.rows).toEqual([[1800]]);
  });

  test('matched values line up', () => {
    const r = executeQuery(
      `let L = datatable(k:string)[${left}]; let R = datatable(k:string, v:long)[${right}]; L | join kind=inner R on k | where v * 10 != toint(substring(k, 1)) | count`,
      src,
    );
    expect(r.table.rows).toEqual([[0]]);
  });
});

describe('a store that appends to the array it handed out', () => {
  // The frame cache is keyed by version and row count, and columns convert lazily with the
  // row count fixed when the frame was made.
  test('rows appended in place are seen once the version changes', () => {
    const rows: LogRow[] = [{ CorrelationId: 'a', TimeGenerated: '2024-01-01T00:00:00Z' }];
    let version = 1;
    const columns = [
      { name: 'CorrelationId', type: 'string' },
      { name: 'TimeGenerated', type: 'datetime' },
    ];
    const src = {
      tableNames: () => ['ApiManagementGatewayLogs'],
      getTable: () => ({ name: 'ApiManagementGatewayLogs', columns, rows, version }),
    };
    expect(executeQuery('ApiManagementGatewayLogs | count', src).table.rows).toEqual([[1]]);
    rows.push({ CorrelationId: 'b', TimeGenerated: '2024-01-01T00:01:00Z' });
    version++;
    const r = executeQuery('ApiManagementGatewayLogs | project CorrelationId', src);
    expect(r.table.rows).toEqual([['a'], ['b']]);
  });
});
