/**
 * The log store: schema-shaped rows, persistence across a restart, clear, ingestion lag and
 * the version the KQL engine caches on.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KitError } from '../../lib/errors.js';
import {
  createLogStore,
  LOG_TABLE_NAMES,
  loadTableColumns,
  type LogTableName,
} from '../../lib/local/log-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'log-store-'));
  dirs.push(d);
  return d;
}

describe('log store', () => {
  it('fills every schema column with its empty value', () => {
    const store = createLogStore();
    store.appendRows('ApiManagementGatewayLogs', [
      { CorrelationId: 'c1', ResponseCode: 200, TimeGenerated: '2026-11-27T09:00:00.000Z' },
    ]);
    const table = store.getTable('ApiManagementGatewayLogs');
    const row = table?.rows[0] ?? {};
    const columns = loadTableColumns('ApiManagementGatewayLogs');
    expect(Object.keys(row)).toEqual(columns.map((c) => c.name));
    expect(row).toMatchObject({
      CorrelationId: 'c1',
      ResponseCode: 200,
      ApiId: '',
      BackendResponseCode: null,
      TraceRecords: null,
      IsRequestSuccess: null,
      TimeGenerated: '2026-11-27T09:00:00.000Z',
    });
    expect(table?.columns).toBe(columns);
    expect(store.tableNames()).toEqual([...LOG_TABLE_NAMES]);
    expect(store.getTable('NoSuchTable')).toBeUndefined();
    expect(() => store.appendRows('NoSuchTable' as LogTableName, [{}])).toThrow(KitError);
  });

  it('persists rows and reloads them in a new store (a kernel restart)', () => {
    const dir = tempDir();
    const a = createLogStore({ dataDir: dir });
    a.appendRows('customMetrics', [
      { name: 'caller-requests', value: 1, customDimensions: { CallerId: 'x' } },
    ]);
    a.appendRows('ApiManagementGatewayLlmLog', [
      { CorrelationId: 'c', SequenceNumber: 0 },
      { CorrelationId: 'c', SequenceNumber: 1, TotalTokens: 30 },
    ]);
    a.close();
    // A line cut short by a crash is skipped, the rest loads.
    appendFileSync(path.join(dir, 'logs', 'customMetrics.jsonl'), '[17000, {"name": "cut');
    const b = createLogStore({ dataDir: dir });
    expect(b.getTable('customMetrics')?.rows).toEqual(a.getTable('customMetrics')?.rows);
    expect(b.getTable('ApiManagementGatewayLlmLog')?.rows.map((r) => r.TotalTokens)).toEqual([
      null,
      30,
    ]);
    // Only filled columns are written to disk.
    const line =
      readFileSync(path.join(dir, 'logs', 'customMetrics.jsonl'), 'utf8').split('\n')[0] ?? '';
    expect(JSON.parse(line)[1]).toEqual({
      name: 'caller-requests',
      value: 1,
      customDimensions: { CallerId: 'x' },
    });
    b.appendRows('customMetrics', [{ name: 'second' }]);
    b.flush();
    expect(createLogStore({ dataDir: dir }).rowCount('customMetrics')).toBe(2);
  });

  it('writes appended rows to disk by the end of the event-loop turn', async () => {
    const dir = tempDir();
    const store = createLogStore({ dataDir: dir });
    store.appendRows('ApiManagementGatewayLogs', [{ CorrelationId: 'a' }]);
    store.appendRows('ApiManagementGatewayLogs', [{ CorrelationId: 'b' }]);
    await new Promise((r) => setImmediate(r));
    const reread = createLogStore({ dataDir: dir });
    expect(reread.getTable('ApiManagementGatewayLogs')?.rows.map((r) => r.CorrelationId)).toEqual([
      'a',
      'b',
    ]);
    store.close();
  });

  it('clears memory and disk, and bumps the version', () => {
    const dir = tempDir();
    const store = createLogStore({ dataDir: dir });
    store.appendRows('customMetrics', [{ name: 'a' }]);
    const v = store.version;
    const tv = store.getTable('customMetrics')?.version ?? 0;
    store.clear();
    expect(store.version).toBeGreaterThan(v);
    expect(store.getTable('customMetrics')?.version).toBeGreaterThan(tv);
    expect(store.rowCount('customMetrics')).toBe(0);
    expect(createLogStore({ dataDir: dir }).rowCount('customMetrics')).toBe(0);
  });

  it('hides rows until the ingestion lag has passed, changing the version when they appear', () => {
    let now = 1_000_000;
    const store = createLogStore({ ingestionLagMs: 5_000, now: () => now });
    store.appendRows('customMetrics', [{ name: 'first' }]);
    now += 3_000;
    store.appendRows('customMetrics', [{ name: 'second' }]);
    expect(store.getTable('customMetrics')?.rows).toHaveLength(0);
    expect(store.rowCount('customMetrics', { includePending: true })).toBe(2);
    const v0 = store.getTable('customMetrics')?.version ?? 0;
    now += 2_000;
    const t1 = store.getTable('customMetrics');
    expect(t1?.rows.map((r) => r.name)).toEqual(['first']);
    expect(t1?.version).toBeGreaterThan(v0);
    expect(store.getTable('customMetrics')?.version).toBe(t1?.version);
    now += 3_000;
    expect(store.getTable('customMetrics')?.rows.map((r) => r.name)).toEqual(['first', 'second']);
    store.setIngestionLag(0);
    expect(store.ingestionLagMs).toBe(0);
    expect(() => store.setIngestionLag(-1)).toThrow(/Ingestion lag must be 0 or more/);
  });

  it('holds many rows quickly (bounded smoke check of the lean row shape)', () => {
    const store = createLogStore();
    const n = 50_000;
    const started = performance.now();
    const batch = [];
    for (let i = 0; i < n; i++)
      batch.push({ CorrelationId: `c${i}`, ResponseCode: 200, TotalTime: i % 300 });
    store.appendRows('ApiManagementGatewayLogs', batch);
    expect(store.rowCount('ApiManagementGatewayLogs')).toBe(n);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
