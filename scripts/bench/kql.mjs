// KQL engine benchmark: every repository query over generated logs (1,000,000 gateway rows,
// 200,000 LLM rows, 100,000 metric rows), and DuckDB on hand-written SQL equivalents of three
// of them over the same rows, in the same run. Prints the times and the ratios.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const GATEWAY_ROWS = 1_000_000;
const LLM_REQUESTS = 100_000; // two LLM rows each: 200,000 rows
const METRIC_ROWS = 100_000;
const BUS = ['bu-hr', 'bu-finance', 'bu-marketing', 'bu-engineering', 'bu-sales', 'bu-operations'];
const MODELS = [
  ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'],
  ['gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14'],
  ['gpt-5-mini', 'gpt-5-mini-2025-08-07'],
];
const CALLERS = Array.from({ length: 6 }, (_v, i) => `0000000${i}-1111-2222-3333-444444444444`);

/** A small deterministic generator, so every run measures the same data. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function generate(nowMs, gatewayRows = GATEWAY_ROWS) {
  const out = { gateway: [], llm: [], metrics: [] };
  generateChunks(nowMs, gatewayRows, gatewayRows + 1, (table, rows) => {
    for (const r of rows) out[table].push(r);
  });
  return out;
}

/**
 * The same rows as {@link generate}, handed over in chunks of at most `chunk` gateway rows
 * (`onChunk('gateway' | 'llm' | 'metrics', rows)`), so 10M rows never exist as objects at once.
 */
export function generateChunks(nowMs, gatewayRows, chunk, onChunk) {
  const rand = rng(42);
  const span = 7 * 24 * 3600_000;
  let gateway = [];
  let llm = [];
  let llmCount = 0;
  for (let i = 0; i < gatewayRows; i++) {
    const ai = i % 10 === 0 && llmCount < (LLM_REQUESTS * 2 * gatewayRows) / GATEWAY_ROWS;
    const chat = rand() < 0.5;
    const time = new Date(nowMs - Math.floor(rand() * span)).toISOString();
    const code = rand() < 0.05 ? 429 : 200;
    const streamInjected = ai && chat && rand() < 0.2;
    gateway.push({
      TimeGenerated: time,
      ApimSubscriptionId: BUS[Math.floor(rand() * BUS.length)],
      ApiId: ai ? 'costing-aoai-gateway-api' : 'costing-subscription-api',
      OperationId: ai ? (chat ? 'chat-completions-create' : 'responses-create') : 'get-status',
      ResponseCode: code,
      CorrelationId: `req-${i}`,
      TraceRecords: streamInjected
        ? [{ source: 'ensure-stream-include-usage', message: 'IncludeUsageInjected: set' }]
        : null,
    });
    if (ai) {
      const [deployment, model] = MODELS[Math.floor(rand() * MODELS.length)];
      const prompt = 10 + Math.floor(rand() * 200);
      const completion = 10 + Math.floor(rand() * 400);
      const stream = rand() < 0.4;
      const op = chat ? 'chat-completions-create' : 'responses-create';
      llm.push({
        TimeGenerated: time,
        CorrelationId: `req-${i}`,
        OperationName: op,
        IsStreamCompletion: stream,
        SequenceNumber: 0,
      });
      llm.push({
        TimeGenerated: time,
        CorrelationId: `req-${i}`,
        OperationName: op,
        IsStreamCompletion: stream,
        SequenceNumber: 1,
        DeploymentName: deployment,
        ModelName: model,
        PromptTokens: prompt,
        CompletionTokens: completion,
        TotalTokens: prompt + completion,
      });
      llmCount += 2;
    }
    if (gateway.length >= chunk) {
      onChunk('gateway', gateway);
      onChunk('llm', llm);
      gateway = [];
      llm = [];
    }
  }
  onChunk('gateway', gateway);
  onChunk('llm', llm);
  const metricRows = Math.round((METRIC_ROWS * gatewayRows) / GATEWAY_ROWS);
  let metrics = [];
  for (let i = 0; i < metricRows; i++) {
    metrics.push({
      timestamp: new Date(nowMs - Math.floor(rand() * span)).toISOString(),
      name: 'caller-requests',
      value: 1,
      valueSum: 1,
      valueCount: 1,
      customDimensions: {
        CallerId: CALLERS[Math.floor(rand() * CALLERS.length)],
        API: 'Entra ID API',
        Operation: 'GET status',
      },
    });
    if (metrics.length >= chunk) {
      onChunk('metrics', metrics);
      metrics = [];
    }
  }
  onChunk('metrics', metrics);
}

export function source(tables) {
  const schemas = {};
  for (const name of ['ApiManagementGatewayLogs', 'ApiManagementGatewayLlmLog', 'customMetrics']) {
    schemas[name] = require(`../../schemas/${name}.json`).columns.map((c) => ({
      name: c.name,
      type: c.type,
    }));
  }
  const map = {
    ApiManagementGatewayLogs: {
      name: 'ApiManagementGatewayLogs',
      columns: schemas.ApiManagementGatewayLogs,
      rows: tables.gateway,
      version: 1,
    },
    ApiManagementGatewayLlmLog: {
      name: 'ApiManagementGatewayLlmLog',
      columns: schemas.ApiManagementGatewayLlmLog,
      rows: tables.llm,
      version: 1,
    },
    customMetrics: {
      name: 'customMetrics',
      columns: schemas.customMetrics,
      rows: tables.metrics,
      version: 1,
    },
  };
  return { tableNames: () => Object.keys(map), getTable: (n) => map[n] };
}

function time(fn) {
  const t0 = performance.now();
  const result = fn();
  return { ms: performance.now() - t0, result };
}

async function timeAsync(fn) {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

export function csvField(v) {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function writeCsv(file, rows, columns) {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(','));
  writeFileSync(file, lines.join('\n'));
}

/** Hand-written DuckDB SQL for three of the repository queries (same filters and groups). */
/** The two tables DuckDB mirrors, column by column with their DuckDB types. */
export const DUCKDB_TABLES = {
  gw: {
    TimeGenerated: 'TIMESTAMPTZ',
    ApimSubscriptionId: 'VARCHAR',
    ApiId: 'VARCHAR',
    OperationId: 'VARCHAR',
    ResponseCode: 'INTEGER',
    CorrelationId: 'VARCHAR',
  },
  llm: {
    TimeGenerated: 'TIMESTAMPTZ',
    CorrelationId: 'VARCHAR',
    OperationName: 'VARCHAR',
    IsStreamCompletion: 'BOOLEAN',
    SequenceNumber: 'INTEGER',
    DeploymentName: 'VARCHAR',
    ModelName: 'VARCHAR',
    PromptTokens: 'INTEGER',
    CompletionTokens: 'INTEGER',
    TotalTokens: 'INTEGER',
  },
};

/** Loads the CSV files under `dir` (one per mirrored table) into a DuckDB connection. */
export async function loadCsvTables(con, dir) {
  for (const [table, columns] of Object.entries(DUCKDB_TABLES)) {
    const types = Object.entries(columns)
      .map(([c, t]) => `'${c}':'${t}'`)
      .join(',');
    await con.run(
      `CREATE TABLE ${table} AS SELECT * FROM read_csv('${path.join(dir, `${table}.csv`)}', header=true, columns={${types}})`,
    );
  }
}

/** Writes the generated rows as CSV under `dir` (returns the loader of them into a DuckDB connection). */
export function duckDbLoader(dir, rows) {
  for (const [table, columns] of Object.entries(DUCKDB_TABLES))
    writeCsv(path.join(dir, `${table}.csv`), rows[table], Object.keys(columns));
  return (con) => loadCsvTables(con, dir);
}

export const SQL = {
  'cost-allocation-subscription (filter+summarize)': `
    WITH r AS (SELECT ApimSubscriptionId, count(*) AS Requests FROM gw
               WHERE TimeGenerated > now() - INTERVAL 30 DAY AND ApimSubscriptionId LIKE 'bu-%'
               GROUP BY ApimSubscriptionId),
         t AS (SELECT sum(Requests) AS total FROM r)
    SELECT substr(ApimSubscriptionId, 4) AS BusinessUnit, Requests,
           round(100.0 * Requests / total, 2) AS SharePct,
           round(150.01 * Requests / total, 4) AS BaseCost,
           round(Requests * 0.003 / 1000.0, 4) AS VariableCost
    FROM r, t ORDER BY BaseCost DESC`,
  'cost-allocation-tokens (CorrelationId join)': `
    WITH llm AS (SELECT CorrelationId, any_value(ModelName) FILTER (WHERE ModelName <> '') AS ModelName,
                        any_value(DeploymentName) FILTER (WHERE DeploymentName <> '') AS DeploymentName,
                        sum(PromptTokens) AS PromptTokens, sum(CompletionTokens) AS CompletionTokens
                 FROM llm WHERE TimeGenerated > now() - INTERVAL 30 DAY GROUP BY CorrelationId
                 HAVING sum(PromptTokens) IS NOT NULL OR sum(CompletionTokens) IS NOT NULL)
    SELECT substr(g.ApimSubscriptionId, 4) AS BusinessUnit,
           coalesce(llm.DeploymentName, regexp_replace(llm.ModelName, '-\\d{4}-\\d{2}-\\d{2}$', '')) AS Model,
           count(*) AS Requests, sum(PromptTokens) AS PromptTokens, sum(CompletionTokens) AS CompletionTokens
    FROM gw g JOIN llm ON g.CorrelationId = llm.CorrelationId
    WHERE g.TimeGenerated > now() - INTERVAL 30 DAY AND g.ApimSubscriptionId LIKE 'bu-%'
    GROUP BY 1, 2 ORDER BY 1, 2`,
  'budget-alert-threshold (1h time bins)': `
    SELECT substr(ApimSubscriptionId, 4) AS BusinessUnit, time_bucket(INTERVAL 1 HOUR, TimeGenerated) AS Hour, count(*) AS Requests
    FROM gw WHERE TimeGenerated > now() - INTERVAL 30 DAY AND ApimSubscriptionId LIKE 'bu-%'
    GROUP BY ApimSubscriptionId, Hour HAVING count(*) > 0 ORDER BY Requests DESC`,
};

/** The KQL queries the SQL above mirrors (and their parameters). */
export const MIRRORS = {
  'cost-allocation-subscription (filter+summarize)': [
    'cost-allocation-subscription',
    {},
    'Requests',
  ],
  'cost-allocation-tokens (CorrelationId join)': ['cost-allocation-tokens', {}, 'PromptTokens'],
  'budget-alert-threshold (1h time bins)': [
    'budget-alert-threshold',
    { threshold: 0, lookback: { timespanMs: 30 * 86_400_000 } },
    'Requests',
  ],
};

/** Sum of a named column, to check that both engines computed the same numbers. */
function columnSum(names, rows, column) {
  const i = names.indexOf(column);
  return rows.reduce((s, r) => s + Number(r[i]), 0);
}

/**
 * The parameters the benches bind: one value per name any query of kql/ may declare, each query
 * given only the names its header declares.
 */
export function benchParameters(kql, name) {
  const offered = {
    threshold: 0,
    lookback: { timespanMs: 30 * 86_400_000 },
    monthStart: new Date(new Date().toISOString().slice(0, 8) + '01T00:00:00Z'),
    businessUnit: 'bu-engineering',
    budgetUsd: 100,
    asOf: new Date(),
  };
  const text = readFileSync(new URL(`../../kql/${name}.kql`, import.meta.url), 'utf8');
  const declared = new Set(kql.declaredParameters(text).map((p) => p.name));
  return Object.fromEntries(Object.entries(offered).filter(([k]) => declared.has(k)));
}

export default async function bench() {
  const kql = require('../../dist/kql/index.js');
  const { loadPricedQuery } = require('../../dist/pricing/query-prices.js');
  // Prices are parameters without defaults: bind them as the notebook does, for one SKU and the
  // generated models.
  const priceConfig = {
    deployment: { apimSku: 'BasicV2' },
    models: MODELS.map(([deployment]) => ({ name: deployment })),
  };
  const loadBound = (name, p) => loadPricedQuery(name, priceConfig, p);
  const nowMs = Date.now();
  const gen = time(() => generate(nowMs));
  console.log(
    `generated ${gen.result.gateway.length} gateway, ${gen.result.llm.length} LLM, ${gen.result.metrics.length} metric rows in ${gen.ms.toFixed(0)} ms`,
  );
  const src = source(gen.result);
  const params = (name) => benchParameters(kql, name);
  console.log(
    '\nKQL engine (first run includes converting the columns the query reads; warm = median of 3 later runs):',
  );
  for (const name of kql.listQueryNames()) {
    const q = loadBound(name, params(name));
    const first = time(() => kql.executeQuery(q.text, src));
    const warm = [0, 1, 2]
      .map(() => time(() => kql.executeQuery(q.text, src)).ms)
      .sort((a, b) => a - b)[1];
    console.log(
      `  ${name.padEnd(30)} first ${first.ms.toFixed(0).padStart(6)} ms   warm ${warm.toFixed(0).padStart(6)} ms   rows ${String(first.result.table.rows.length).padStart(5)}   scans ${JSON.stringify(first.result.stats.scans)}`,
    );
  }

  const { DuckDBInstance } = require('@duckdb/node-api');
  const dir = mkdtempSync(path.join(tmpdir(), 'kql-bench-'));
  try {
    const loadTables = duckDbLoader(dir, { gw: gen.result.gateway, llm: gen.result.llm });
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const load = await timeAsync(() => loadTables(con));
    console.log(
      `\nDuckDB (in-memory, loaded from CSV in ${load.ms.toFixed(0)} ms) vs the KQL engine, runs interleaved (KQL, DuckDB, KQL, ...) so both see the same machine load; median of 5 each:`,
    );
    for (const [label, sql] of Object.entries(SQL)) {
      const [kqlName, kqlParams, checkColumn] = MIRRORS[label];
      const q = loadBound(kqlName, { ...params(kqlName), ...kqlParams });
      const kqlRuns = [];
      const duckRuns = [];
      let rows = 0;
      let kqlRows = 0;
      let agree = false;
      for (let i = 0; i < 5; i++) {
        const k = time(() => kql.executeQuery(q.text, src));
        kqlRuns.push(k.ms);
        kqlRows = k.result.table.rows.length;
        const d = await timeAsync(() => con.runAndReadAll(sql));
        duckRuns.push(d.ms);
        rows = d.result.getRows().length;
        const ours = columnSum(
          k.result.table.columns.map((c) => c.name),
          k.result.table.rows,
          checkColumn,
        );
        const theirs = columnSum(d.result.columnNames(), d.result.getRows(), checkColumn);
        agree = ours === theirs && rows === kqlRows;
      }
      const median = (xs) => [...xs].sort((a, b) => a - b)[2];
      const duck = median(duckRuns);
      const ours = median(kqlRuns);
      const ratio = ours / duck;
      console.log(
        `  ${label.padEnd(50)} DuckDB ${duck.toFixed(1).padStart(7)} ms (${rows} rows)   KQL ${ours.toFixed(1).padStart(7)} ms (${kqlRows} rows)   ratio ${ratio.toFixed(1)}x ${ratio <= 5 ? '(within 5x goal)' : '(over 5x goal)'}   same ${checkColumn} total: ${agree ? 'yes' : 'NO'}`,
      );
    }
    con.closeSync?.();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
