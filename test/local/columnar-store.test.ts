/**
 * The log store's columnar file (logs/store.duckdb): journals move into it once they hold
 * `sealRows` rows, a restarted store reads only the columns a query touches, and every answer
 * is the one the journal-only store gives. Crashes mid-move, an older kit's large journal, a
 * damaged file and reads before `ready()` each get their own case.
 */
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KitError } from '../../lib/errors.js';
import { declaredParameters, executeQuery, listQueryNames } from '../../lib/kql/index.js';
import {
  ColumnNotLoadedError,
  createLogStore,
  logStoreFile,
  type LocalLogStore,
} from '../../lib/local/log-store.js';
import { queryStore } from '../../lib/local/store-query.js';
import { PACK_ABOVE, PackedStrings } from '../../lib/kql/packed-strings.js';
import { loadPricedQuery } from '../../lib/pricing/query-prices.js';
import { loadConfig } from '../../lib/config/load-config.js';

const dirs: string[] = [];
const open: LocalLogStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.close();
  await new Promise((r) => setTimeout(r, 50));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'columnar-store-'));
  dirs.push(d);
  return d;
}
function track(s: LocalLogStore): LocalLogStore {
  open.push(s);
  return s;
}

const NOW = Date.parse('2026-11-27T12:00:00.000Z');
const BUS = ['bu-hr', 'bu-finance', 'bu-sales'];

/** Gateway, LLM and metric rows for `n` requests (every fifth an AI one). */
function fill(store: LocalLogStore, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    const time = new Date(NOW - (i % 600) * 60_000).toISOString();
    const ai = i % 5 === 0;
    store.appendRows('ApiManagementGatewayLogs', [
      {
        TimeGenerated: time,
        CorrelationId: `c-${i}`,
        ApimSubscriptionId: BUS[i % BUS.length],
        ApiId: ai ? 'costing-aoai-gateway-api' : 'costing-subscription-api',
        OperationId: ai ? 'chat-completions-create' : 'get-status',
        ResponseCode: i % 17 === 0 ? 429 : 200,
        TotalTime: i % 50,
        IsRequestSuccess: i % 17 !== 0,
        TraceRecords: i % 10 === 0 ? [{ message: `IncludeUsageInjected ${i}` }] : null,
      },
    ]);
    if (ai) {
      store.appendRows('ApiManagementGatewayLlmLog', [
        { TimeGenerated: time, CorrelationId: `c-${i}`, SequenceNumber: 0 },
        {
          TimeGenerated: time,
          CorrelationId: `c-${i}`,
          SequenceNumber: 1,
          ModelName: 'gpt-4o-mini-2024-07-18',
          DeploymentName: 'gpt-4o-mini',
          PromptTokens: 10 + (i % 7),
          CompletionTokens: 20 + (i % 11),
          TotalTokens: 30 + (i % 7) + (i % 11),
        },
      ]);
    }
    if (i % 3 === 0) {
      store.appendRows('customMetrics', [
        {
          timestamp: time,
          name: 'caller-requests',
          value: 1,
          valueSum: 1,
          valueCount: 1,
          customDimensions: { CallerId: `app-${i % 4}`, API: 'Entra ID API' },
        },
      ]);
    }
  }
}

const config = loadConfig({ target: 'local' });
const params = {
  threshold: 0,
  lookback: { timespanMs: 30 * 86_400_000 },
  monthStart: new Date('2026-11-01T00:00:00Z'),
  businessUnit: 'bu-hr',
  budgetUsd: 100,
  asOf: new Date(NOW),
};

/** Every kit query's answer on a store, as JSON. */
async function answers(store: LocalLogStore): Promise<string[]> {
  const out: string[] = [];
  for (const name of listQueryNames()) {
    const text = readFileSync(path.resolve(__dirname, '../../kql', `${name}.kql`), 'utf8');
    const declared = new Set(declaredParameters(text).map((p) => p.name));
    const own = Object.fromEntries(Object.entries(params).filter(([k]) => declared.has(k)));
    const q = loadPricedQuery(name, config, own as never);
    out.push(JSON.stringify((await queryStore(store, q.text, { now: new Date(NOW) })).table));
  }
  return out;
}

function journalOnly(dir: string): LocalLogStore {
  return track(createLogStore({ dataDir: dir, sealRows: Number.MAX_SAFE_INTEGER }));
}

describe('columnar log store', () => {
  it('moves journals into store.duckdb and answers every kit query as the journal does', async () => {
    const dir = tempDir();
    const reference = tempDir();
    const a = track(createLogStore({ dataDir: dir, sealRows: 500 }));
    const b = journalOnly(reference);
    await a.ready();
    fill(a, 3000);
    fill(b, 3000);
    await a.seal();
    a.close();
    const files = readdirSync(path.join(dir, 'logs'));
    expect(files).toContain('store.duckdb');
    // Sealed journals are gone; nothing was left half-moved.
    expect(files.filter((f) => f.includes('.sealing-'))).toEqual([]);

    const restarted = track(createLogStore({ dataDir: dir }));
    await restarted.ready();
    expect(restarted.rowCount('ApiManagementGatewayLogs')).toBe(3000);
    expect(await answers(restarted)).toEqual(await answers(b));
    await restarted.loadTables(['ApiManagementGatewayLogs']);
    expect(restarted.getTable('ApiManagementGatewayLogs')!.rows).toEqual(
      b.getTable('ApiManagementGatewayLogs')!.rows,
    );
  });

  it('reads only the columns a query touches, and refuses a column it has not read', async () => {
    const dir = tempDir();
    const a = track(createLogStore({ dataDir: dir, sealRows: 100 }));
    await a.ready();
    fill(a, 400);
    await a.seal();
    a.close();
    const restarted = track(createLogStore({ dataDir: dir }));
    const q = 'ApiManagementGatewayLogs | summarize n = count() by ApimSubscriptionId';
    const r = await queryStore(restarted, q);
    expect(r.table.rows.map((row) => row[1]).reduce((x, y) => Number(x) + Number(y), 0)).toBe(400);
    const table = restarted.getTable('ApiManagementGatewayLogs')!;
    expect(() => table.column?.('ApiId')).toThrow(ColumnNotLoadedError);
    expect(() => table.rows).toThrow(ColumnNotLoadedError);
    // The engine run directly (without prepare) refuses instead of answering short.
    expect(() =>
      executeQuery('ApiManagementGatewayLogs | where ApiId != "" | count', restarted),
    ).toThrow(/still in the log store on disk/);
    // queryStore reads what the analysis names; rows appended after the restart are there too.
    restarted.appendRows('ApiManagementGatewayLogs', [
      { ApiId: 'new-api', ApimSubscriptionId: 'bu-hr' },
    ]);
    const after = await queryStore(
      restarted,
      'ApiManagementGatewayLogs | where ApiId == "new-api" | count',
    );
    expect(after.table.rows).toEqual([[1]]);
    expect(restarted.rowCount('ApiManagementGatewayLogs')).toBe(401);
  });

  it('reads a key of more distinct values than an array dictionary holds back packed', async () => {
    const dir = tempDir();
    const n = PACK_ABOVE + 500;
    const gateway = Array.from({ length: n }, (_v, i) => ({
      TimeGenerated: new Date(NOW - i * 1000).toISOString(),
      CorrelationId: `c-${i}`,
      ApimSubscriptionId: BUS[i % BUS.length],
    }));
    const llm = gateway
      .filter((_g, i) => i % 10 === 0)
      .map((g, i) => ({ ...g, PromptTokens: i % 13 }));
    const a = track(createLogStore({ dataDir: dir, sealRows: 1000 }));
    const b = journalOnly(tempDir());
    await a.ready();
    for (const s of [a, b]) {
      s.appendRows('ApiManagementGatewayLogs', gateway);
      s.appendRows('ApiManagementGatewayLlmLog', llm);
    }
    await a.seal();
    a.close();
    const restarted = track(createLogStore({ dataDir: dir }));
    const q = `ApiManagementGatewayLlmLog
      | join kind=inner (ApiManagementGatewayLogs | project CorrelationId, Bu = ApimSubscriptionId) on CorrelationId
      | summarize t = sum(PromptTokens), n = count(), lo = min(CorrelationId) by Bu | order by Bu asc`;
    const expected = (await queryStore(b, q)).table;
    expect(expected.rows).toHaveLength(BUS.length);
    expect((await queryStore(restarted, q)).table).toEqual(expected);
    const key = restarted.getTable('ApiManagementGatewayLogs')!.column!('CorrelationId');
    expect(key?.kind === 'dict' && key.dict).toBeInstanceOf(PackedStrings);
    // Rows appended after the restart extend the packed dictionary.
    restarted.appendRows('ApiManagementGatewayLogs', [
      { CorrelationId: 'c-late' },
      { CorrelationId: 'c-7' },
    ]);
    const late = await queryStore(
      restarted,
      `ApiManagementGatewayLogs | where CorrelationId in ('c-late', 'c-7') | summarize n = count() by CorrelationId | order by CorrelationId asc`,
    );
    expect(late.table.rows).toEqual([
      ['c-7', 2],
      ['c-late', 1],
    ]);
  });

  it('refuses a synchronous read of a folder with a columnar file before ready()', async () => {
    const dir = tempDir();
    const a = track(createLogStore({ dataDir: dir, sealRows: 10 }));
    await a.ready();
    fill(a, 50);
    await a.seal();
    a.close();
    const cold = track(createLogStore({ dataDir: dir }));
    expect(() => cold.rowCount('ApiManagementGatewayLogs')).toThrow(
      new RegExp(
        `${logStoreFile(dir).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*await store.ready\\(\\)`,
      ),
    );
  });

  it('finishes a move a crash cut short: a journal already in the file is not counted twice', async () => {
    const dir = tempDir();
    const a = track(createLogStore({ dataDir: dir, sealRows: Number.MAX_SAFE_INTEGER }));
    await a.ready();
    fill(a, 200);
    await a.seal();
    // A second journal, renamed for its move as the store does, but the kernel died before
    // DuckDB read it: its rows must come back from the journal.
    fill(a, 100, 200);
    a.close();
    const logs = path.join(dir, 'logs');
    renameSync(
      path.join(logs, 'ApiManagementGatewayLogs.jsonl'),
      path.join(logs, 'ApiManagementGatewayLogs.sealing-1-1.jsonl'),
    );
    const moved = readFileSync(path.join(logs, 'ApiManagementGatewayLogs.sealing-1-1.jsonl'));
    const b = track(createLogStore({ dataDir: dir }));
    await b.ready();
    expect(b.rowCount('ApiManagementGatewayLogs')).toBe(300);
    await b.seal();
    b.close();
    // The crash after the move's commit and before the journal's removal: the file is back,
    // and the columnar file already holds its rows.
    writeFileSync(path.join(logs, 'ApiManagementGatewayLogs.sealing-1-1.jsonl'), moved);
    const c = track(createLogStore({ dataDir: dir }));
    await c.ready();
    expect(c.rowCount('ApiManagementGatewayLogs')).toBe(300);
    expect(existsSync(path.join(logs, 'ApiManagementGatewayLogs.sealing-1-1.jsonl'))).toBe(false);
    const r = await queryStore(
      c,
      'ApiManagementGatewayLogs | summarize count(), dcount(CorrelationId)',
    );
    expect(r.table.rows).toEqual([[300, 300]]);
  });

  it('moves a large journal from an older kit into the columnar file on first use', async () => {
    const dir = tempDir();
    const old = journalOnly(dir);
    fill(old, 1200);
    old.close();
    expect(existsSync(logStoreFile(dir))).toBe(false);
    const before = await answers(journalOnly(dir));
    const migrated = track(createLogStore({ dataDir: dir, sealRows: 1000 }));
    await migrated.ready();
    expect(existsSync(logStoreFile(dir))).toBe(true);
    expect(existsSync(path.join(dir, 'logs', 'ApiManagementGatewayLogs.jsonl'))).toBe(false);
    migrated.close();
    const after = track(createLogStore({ dataDir: dir }));
    expect(await answers(after)).toEqual(before);
  });

  it('keeps reporting unreadable journal lines after they were moved', async () => {
    const dir = tempDir();
    const a = journalOnly(dir);
    fill(a, 30);
    a.close();
    appendFileSync(path.join(dir, 'logs', 'customMetrics.jsonl'), 'not json\n');
    const b = track(createLogStore({ dataDir: dir, sealRows: 1 }));
    await b.ready();
    await b.seal();
    b.close();
    const c = track(createLogStore({ dataDir: dir }));
    await c.ready();
    const bad = c.unreadableLines();
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ count: 1, lines: [11] });
    expect(bad[0]!.file).toContain('customMetrics.jsonl');
    expect(c.rowCount('customMetrics')).toBe(10);
  });

  it('names a damaged columnar file and says what to do', async () => {
    const dir = tempDir();
    const a = journalOnly(dir);
    fill(a, 5);
    a.close();
    writeFileSync(logStoreFile(dir), 'this is not a DuckDB file '.repeat(500));
    const b = track(createLogStore({ dataDir: dir }));
    const err = await b.ready().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KitError);
    expect((err as Error).message).toContain(logStoreFile(dir));
    expect((err as Error).message).toMatch(/move it aside or delete it/);
  });

  it('clear() removes the columnar file with the journals', async () => {
    const dir = tempDir();
    const a = track(createLogStore({ dataDir: dir, sealRows: 10 }));
    await a.ready();
    fill(a, 40);
    await a.seal();
    a.clear();
    expect(existsSync(logStoreFile(dir))).toBe(false);
    expect(a.rowCount('ApiManagementGatewayLogs')).toBe(0);
    const b = track(createLogStore({ dataDir: dir }));
    expect(b.rowCount('ApiManagementGatewayLogs')).toBe(0);
  });
});
