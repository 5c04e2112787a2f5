// KQL engine benchmark: every repository query over generated logs (1,000,000 gateway rows,
// 200,000 LLM rows, 100,000 metric rows), and DuckDB on hand-written SQL equivalents of all of
// them over the same rows, in the same run. Prints the times and the ratios.
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

/** The tables DuckDB mirrors, column by column with their DuckDB types (the columns the SQL reads). */
export const DUCKDB_TABLES = {
  gw: {
    TimeGenerated: 'TIMESTAMP',
    ApimSubscriptionId: 'VARCHAR',
    ApiId: 'VARCHAR',
    OperationId: 'VARCHAR',
    ResponseCode: 'INTEGER',
    CorrelationId: 'VARCHAR',
    TraceRecords: 'VARCHAR',
    _BilledSize: 'DOUBLE',
  },
  llm: {
    TimeGenerated: 'TIMESTAMP',
    CorrelationId: 'VARCHAR',
    OperationName: 'VARCHAR',
    IsStreamCompletion: 'BOOLEAN',
    SequenceNumber: 'INTEGER',
    DeploymentName: 'VARCHAR',
    ModelName: 'VARCHAR',
    PromptTokens: 'INTEGER',
    CompletionTokens: 'INTEGER',
    TotalTokens: 'INTEGER',
    _BilledSize: 'DOUBLE',
  },
  metrics: {
    timestamp: 'TIMESTAMP',
    name: 'VARCHAR',
    valueSum: 'DOUBLE',
    customDimensions: 'JSON',
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

// SQL literals of the values bound to a KQL query. Times are UTC TIMESTAMPs (the CSV's ISO
// strings load as UTC), so day and hour bins are UTC as in KQL.
const sqlTime = (v) => `TIMESTAMP '${new Date(v).toISOString().slice(0, 23).replace('T', ' ')}'`;
const sqlReal = (x) => `${Number(x)}::DOUBLE`;
const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;
/** `ago(lookback)` at the instant the KQL's now() stands for. */
const since = (v) => sqlTime(v.nowMs - v.lookback.timespanMs);
/** `ApimSubscriptionId startswith 'bu-'` (startswith is case-insensitive). */
const BU = `ApimSubscriptionId ILIKE 'bu-%'`;
/** `iif(isnotempty(DeploymentName), DeploymentName, replace_regex(ModelName, @'-\d{4}-\d{2}-\d{2}$', ''))` */
const MODEL = `coalesce(nullif(DeploymentName, ''), regexp_replace(coalesce(ModelName, ''), '-\\d{4}-\\d{2}-\\d{2}$', ''))`;
/** The LLM log summarized per CorrelationId (take_anyif of the model names, token sums). */
const llmPerRequest = (where) => `
    SELECT CorrelationId,
           any_value(ModelName) FILTER (WHERE ModelName <> '') AS ModelName,
           any_value(DeploymentName) FILTER (WHERE DeploymentName <> '') AS DeploymentName,
           sum(PromptTokens) AS PromptTokens, sum(CompletionTokens) AS CompletionTokens
    FROM llm ${where} GROUP BY CorrelationId`;
/** The `prices` table the KQL builds with `range` from the three bound price arrays. */
const prices = (v) =>
  `(VALUES ${v.priceModels
    .map(
      (m, i) => `(${sqlString(m)}, ${sqlReal(v.promptPer1K[i])}, ${sqlReal(v.completionPer1K[i])})`,
    )
    .join(', ')}) AS prices(Model, PromptRate, CompletionRate)`;
/** `tostring(customDimensions.<key>)` (an absent key reads ''). */
const dim = (key) => `coalesce(customDimensions->>'${key}', '')`;

/**
 * Hand-written DuckDB SQL for every query of kql/ (same filters, groups and columns), each built
 * from the values bound to its KQL (`v`: the prices, the parameters, and `nowMs`, the instant the
 * KQL's now() stands for). The engine's semantics are kept where the data could tell them apart:
 * dcount() is exact, sum() over no values is 0, startswith and has ignore case.
 */
export const SQL = {
  'bill-billed-size-by-bu (union+leftouter join)': () => `
    WITH subs AS (SELECT CorrelationId, any_value(ApimSubscriptionId) AS Subscription FROM gw GROUP BY CorrelationId),
         u AS (SELECT ApimSubscriptionId AS Subscription, date_trunc('day', TimeGenerated) AS Day, _BilledSize AS Bytes FROM gw
                  UNION ALL
                  SELECT subs.Subscription, date_trunc('day', l.TimeGenerated), l._BilledSize
                  FROM llm l LEFT JOIN subs ON l.CorrelationId = subs.CorrelationId)
    SELECT Subscription, Day, coalesce(sum(Bytes), 0) AS Bytes FROM u
    GROUP BY Subscription, Day ORDER BY Day, Subscription`,
  'bill-requests-by-hour (1h bins)': () => `
    SELECT ApimSubscriptionId AS Subscription, date_trunc('hour', TimeGenerated) AS Hour, count(*) AS Requests
    FROM gw GROUP BY Subscription, Hour ORDER BY Hour, Subscription`,
  'bill-tokens-by-bu (per-request leftouter join)': () => `
    WITH l AS (SELECT CorrelationId,
                      any_value(ModelName) FILTER (WHERE ModelName <> '') AS ModelName,
                      any_value(DeploymentName) FILTER (WHERE DeploymentName <> '') AS DeploymentName,
                      sum(PromptTokens) AS PromptTokens, sum(CompletionTokens) AS CompletionTokens,
                      min(date_trunc('day', TimeGenerated)) AS Day
               FROM llm GROUP BY CorrelationId)
    SELECT g.ApimSubscriptionId AS Subscription, ${MODEL} AS Model, l.Day,
           sum(l.PromptTokens) AS PromptTokens, sum(l.CompletionTokens) AS CompletionTokens
    FROM l LEFT JOIN gw g ON g.CorrelationId = l.CorrelationId
    GROUP BY Subscription, Model, Day ORDER BY Day, Subscription, Model`,
  'bu-token-usage (join, case)': (v) => `
    WITH l AS (SELECT CorrelationId,
                      any_value(ModelName) FILTER (WHERE ModelName <> '') AS ModelName,
                      any_value(DeploymentName) FILTER (WHERE DeploymentName <> '') AS DeploymentName,
                      max(IsStreamCompletion::INTEGER) AS IsStream,
                      sum(PromptTokens) AS PromptTokens, sum(CompletionTokens) AS CompletionTokens,
                      sum(TotalTokens) AS TotalTokens
               FROM llm WHERE TimeGenerated > ${since(v)} GROUP BY CorrelationId),
         g AS (SELECT CorrelationId, ApimSubscriptionId, OperationId,
                      TraceRecords ILIKE '%IncludeUsageInjected%' AS Injected
               FROM gw WHERE TimeGenerated > ${since(v)} AND ${BU}
                         AND OperationId IN ('chat-completions-create', 'responses-create'))
    SELECT substr(ApimSubscriptionId, 4) AS BusinessUnit, ${MODEL} AS Model,
           CASE WHEN OperationId = 'chat-completions-create' THEN 'Chat Completions' ELSE 'Responses' END AS ApiSurface,
           CASE WHEN IsStream = 1 THEN 'Streaming' ELSE 'Non-streaming' END AS DeliveryMode,
           CASE WHEN IsStream <> 1 THEN 'response body' WHEN TotalTokens = 0 THEN 'no usage'
                WHEN Injected THEN 'policy-injected' ELSE 'client-supplied' END AS UsageSource,
           count(*) AS Requests, sum(PromptTokens) AS PromptTokens,
           sum(CompletionTokens) AS CompletionTokens, sum(TotalTokens) AS TotalTokens
    FROM g JOIN l ON g.CorrelationId = l.CorrelationId
    GROUP BY ALL ORDER BY BusinessUnit, Model, ApiSurface, DeliveryMode, UsageSource`,
  'budget-alert-threshold (filter+summarize)': (v) => `
    SELECT substr(ApimSubscriptionId, 4) AS BusinessUnit, count(*) AS Requests, ${Number(v.threshold)}::BIGINT AS Threshold
    FROM gw WHERE TimeGenerated > ${since(v)} AND ${BU}
              AND (${sqlString(v.businessUnit)} = '' OR ApimSubscriptionId = ${sqlString(v.businessUnit)})
    GROUP BY ApimSubscriptionId HAVING count(*) > ${Number(v.threshold)} ORDER BY Requests DESC`,
  'budget-burn-rate (leftouter join, day bins)': (v) => `
    WITH l AS (${llmPerRequest(`WHERE TimeGenerated >= ${sqlTime(v.monthStart)}`)})
    SELECT date_trunc('day', g.TimeGenerated) AS Day, g.ApimSubscriptionId AS Subscription, ${MODEL} AS Model,
           count(*) AS Requests, sum(coalesce(l.PromptTokens, 0)) AS PromptTokens,
           sum(coalesce(l.CompletionTokens, 0)) AS CompletionTokens
    FROM gw g LEFT JOIN l ON g.CorrelationId = l.CorrelationId
    WHERE g.TimeGenerated >= ${sqlTime(v.monthStart)} AND g.${BU}
    GROUP BY Day, Subscription, Model ORDER BY Day, Subscription, Model`,
  'budget-forecast-alert (joins, day costs)': (v) => {
    // The query's scalars (month start, days in the month and elapsed, burn window) from asOf.
    const asOf = new Date(v.asOf);
    const day = 86_400_000;
    const monthStart = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), 1);
    const daysInMonth =
      (Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() + 1, 1) - monthStart) / day;
    const startOfDay = Math.floor(asOf.getTime() / day) * day;
    const daysElapsed = (startOfDay - monthStart) / day + 1;
    const window = Math.min(v.windowDays, daysElapsed);
    const inMonth = `TimeGenerated >= ${sqlTime(monthStart)} AND TimeGenerated <= ${sqlTime(asOf)}`;
    const budget = sqlReal(v.budgetUsd);
    return `
    WITH l AS (${llmPerRequest(`WHERE ${inMonth}`)}),
         requests AS (SELECT CorrelationId, ApimSubscriptionId, date_trunc('day', TimeGenerated) AS Day
                      FROM gw WHERE ${inMonth} AND ${BU}),
         dayTotals AS (SELECT Day, count(*) AS DayRequests FROM requests GROUP BY Day),
         perDay AS (SELECT r.Day, count(*) AS Requests,
                           sum(coalesce(l.PromptTokens, 0) / 1000.0::DOUBLE * coalesce(prices.PromptRate, 0.0::DOUBLE)
                               + coalesce(l.CompletionTokens, 0) / 1000.0::DOUBLE * coalesce(prices.CompletionRate, 0.0::DOUBLE)) AS TokenCost
                    FROM requests r LEFT JOIN l ON r.CorrelationId = l.CorrelationId
                         LEFT JOIN ${prices(v)} ON prices.Model = ${MODEL}
                    WHERE r.ApimSubscriptionId = ${sqlString(v.businessUnit)} GROUP BY r.Day),
         costs AS (SELECT p.Day, ${sqlReal(v.baseMonthlyCost)} / ${daysInMonth} * Requests / DayRequests
                                 + Requests * ${sqlReal(v.perKRate)} / 1000.0::DOUBLE + TokenCost AS Cost
                   FROM perDay p JOIN dayTotals t ON p.Day = t.Day),
         totals AS (SELECT coalesce(sum(Cost), 0) AS MonthToDate,
                           coalesce(sum(Cost) FILTER (WHERE Day > ${sqlTime(startOfDay - window * day)}), 0) / ${window} AS BurnPerDay
                    FROM costs)
    SELECT substr(${sqlString(v.businessUnit)}, 4) AS BusinessUnit, MonthToDate, BurnPerDay,
           MonthToDate + BurnPerDay * ${daysInMonth - daysElapsed} AS Projected, ${budget} AS Budget
    FROM totals WHERE Projected >= ${budget} AND MonthToDate < ${budget}`;
  },
  'caller-metrics-breakdown (dynamic, toscalar)': (v) => `
    WITH m AS (SELECT ${dim('CallerId')} AS CallerId, ${dim('API')} AS Api, ${dim('Operation')} AS Operation, valueSum
               FROM metrics WHERE timestamp > ${since(v)} AND name = ${sqlString(v.metricName)})
    SELECT CallerId, Api, Operation, sum(valueSum) AS Requests,
           round(100.0::DOUBLE * sum(valueSum) / (SELECT sum(valueSum) FROM m), 2) AS SharePct
    FROM m GROUP BY CallerId, Api, Operation ORDER BY Requests DESC, CallerId`,
  'cost-allocation-caller (dynamic, toscalar)': (v) => `
    WITH m AS (SELECT ${dim('CallerId')} AS CallerId, valueSum
               FROM metrics WHERE timestamp > ${since(v)} AND name = ${sqlString(v.metricName)}),
         r AS (SELECT CallerId, sum(valueSum) AS Requests FROM m GROUP BY CallerId),
         t AS (SELECT sum(valueSum) AS Total FROM m),
         c AS (SELECT CallerId, Requests, round(100.0::DOUBLE * Requests / Total, 2) AS SharePct,
                      round(${sqlReal(v.baseMonthlyCost)} * Requests / Total, 4) AS BaseCost,
                      round(Requests * ${sqlReal(v.perKRate)} / 1000.0::DOUBLE, 4) AS VariableCost
               FROM r, t)
    SELECT *, round(BaseCost + VariableCost, 4) AS TotalCost FROM c ORDER BY TotalCost DESC, CallerId`,
  'cost-allocation-subscription (filter+summarize)': (v) => `
    WITH r AS (SELECT ApimSubscriptionId, count(*) AS Requests FROM gw
               WHERE TimeGenerated > ${since(v)} AND ${BU} GROUP BY ApimSubscriptionId),
         t AS (SELECT sum(Requests) AS Total FROM r),
         c AS (SELECT substr(ApimSubscriptionId, 4) AS BusinessUnit, Requests,
                      round(100.0::DOUBLE * Requests / Total, 2) AS SharePct,
                      round(${sqlReal(v.baseMonthlyCost)} * Requests / Total, 4) AS BaseCost,
                      round(Requests * ${sqlReal(v.perKRate)} / 1000.0::DOUBLE, 4) AS VariableCost
               FROM r, t)
    SELECT *, round(BaseCost + VariableCost, 4) AS TotalCost FROM c ORDER BY TotalCost DESC, BusinessUnit`,
  'cost-allocation-tokens (CorrelationId join)': (v) => `
    WITH l AS (${llmPerRequest(`WHERE TimeGenerated > ${since(v)}`)}
               HAVING sum(PromptTokens) IS NOT NULL OR sum(CompletionTokens) IS NOT NULL),
         a AS (SELECT substr(g.ApimSubscriptionId, 4) AS BusinessUnit, ${MODEL} AS Model, count(*) AS Requests,
                      sum(l.PromptTokens) AS PromptTokens, sum(l.CompletionTokens) AS CompletionTokens
               FROM gw g JOIN l ON g.CorrelationId = l.CorrelationId
               WHERE g.TimeGenerated > ${since(v)} AND g.${BU} GROUP BY BusinessUnit, Model),
         c AS (SELECT a.*, round(PromptTokens / 1000.0::DOUBLE * PromptRate, 8) AS PromptCost,
                      round(CompletionTokens / 1000.0::DOUBLE * CompletionRate, 8) AS CompletionCost
               FROM a LEFT JOIN ${prices(v)} ON a.Model = prices.Model)
    SELECT *, round(PromptCost + CompletionCost, 8) AS TotalCost FROM c
    ORDER BY TotalCost DESC, BusinessUnit, Model`,
  'log-ingestion-check (union, dcount)': (v) => `
    SELECT 'ApiManagementGatewayLogs' AS Source, count(*) AS Rows,
           count(*) FILTER (WHERE ${BU}) AS BuRequests,
           count(DISTINCT CorrelationId) FILTER (WHERE OperationId IN ('chat-completions-create', 'responses-create')) AS AiRequests,
           max(TimeGenerated) AS Latest
    FROM gw WHERE TimeGenerated > ${since(v)}
    UNION ALL
    SELECT 'ApiManagementGatewayLlmLog', count(*), NULL, count(DISTINCT CorrelationId), max(TimeGenerated)
    FROM llm WHERE TimeGenerated > ${since(v)}
    ORDER BY Source`,
  'metric-ingestion-check (dcount of dynamic)': (v) => `
    SELECT count(*) AS Rows, coalesce(sum(valueSum), 0) AS Requests, count(DISTINCT ${dim('CallerId')}) AS Callers,
           max(timestamp) AS Latest
    FROM metrics WHERE timestamp > ${since(v)} AND name = ${sqlString(v.metricName)}`,
  'token-ingestion-check (join, countif)': (v) => `
    WITH pr AS (SELECT CorrelationId, count(TotalTokens) > 0 AS HasTokens,
                       coalesce(sum(PromptTokens), 0) AS PromptTokens, coalesce(sum(CompletionTokens), 0) AS CompletionTokens,
                       coalesce(sum(TotalTokens), 0) AS TotalTokens, max(TimeGenerated) AS Latest
                FROM llm WHERE TimeGenerated > ${since(v)} GROUP BY CorrelationId),
         ops AS (SELECT CorrelationId, OperationId FROM gw WHERE TimeGenerated > ${since(v)})
    SELECT CASE OperationId WHEN 'chat-completions-create' THEN 'Chat Completions'
                            WHEN 'responses-create' THEN 'Responses' ELSE 'Other' END AS ApiSurface,
           count(*) AS AiRequests, count(*) FILTER (WHERE HasTokens) AS WithTokens,
           sum(PromptTokens) AS PromptTokens, sum(CompletionTokens) AS CompletionTokens,
           sum(TotalTokens) AS TotalTokens, max(Latest) AS Latest
    FROM pr JOIN ops ON pr.CorrelationId = ops.CorrelationId
    GROUP BY ApiSurface ORDER BY ApiSurface`,
  'token-metric-ingestion-check (in dynamic list)': (v) => `
    WITH m AS (SELECT ${dim('API')} AS Api, ${dim('Operation')} AS Operation, ${dim('CallerId')} AS CallerId,
                      valueSum, timestamp
               FROM metrics WHERE timestamp > ${since(v)} AND name = ${sqlString(v.metricName)})
    SELECT Api, Operation, count(*) AS Rows, sum(valueSum) AS Requests, count(DISTINCT CallerId) AS Callers,
           max(timestamp) AS Latest
    FROM m WHERE ${v.aiApis.length ? `Api IN (${v.aiApis.map(sqlString).join(', ')})` : 'false'}
    GROUP BY Api, Operation ORDER BY Api, Operation`,
};

/**
 * The KQL queries the SQL above mirrors: `[query name, parameters bound on top of
 * benchParameters (every value the SQL reads is bound, none left to a default), the column
 * whose total both engines must agree on]`.
 */
export const MIRRORS = {
  'bill-billed-size-by-bu (union+leftouter join)': ['bill-billed-size-by-bu', {}, 'Bytes'],
  'bill-requests-by-hour (1h bins)': ['bill-requests-by-hour', {}, 'Requests'],
  'bill-tokens-by-bu (per-request leftouter join)': ['bill-tokens-by-bu', {}, 'PromptTokens'],
  'bu-token-usage (join, case)': ['bu-token-usage', {}, 'TotalTokens'],
  // Threshold 0, so the bench's BU (businessUnit) returns its row.
  'budget-alert-threshold (filter+summarize)': [
    'budget-alert-threshold',
    { threshold: 0, lookback: { timespanMs: 30 * 86_400_000 } },
    'Requests',
  ],
  'budget-burn-rate (leftouter join, day bins)': ['budget-burn-rate', {}, 'Requests'],
  'budget-forecast-alert (joins, day costs)': [
    'budget-forecast-alert',
    { windowDays: 7 },
    'MonthToDate',
  ],
  'caller-metrics-breakdown (dynamic, toscalar)': [
    'caller-metrics-breakdown',
    { metricName: 'caller-requests' },
    'Requests',
  ],
  'cost-allocation-caller (dynamic, toscalar)': [
    'cost-allocation-caller',
    { metricName: 'caller-requests' },
    'Requests',
  ],
  'cost-allocation-subscription (filter+summarize)': [
    'cost-allocation-subscription',
    {},
    'Requests',
  ],
  'cost-allocation-tokens (CorrelationId join)': ['cost-allocation-tokens', {}, 'PromptTokens'],
  'log-ingestion-check (union, dcount)': ['log-ingestion-check', {}, 'AiRequests'],
  'metric-ingestion-check (dcount of dynamic)': [
    'metric-ingestion-check',
    { metricName: 'caller-requests' },
    'Rows',
  ],
  'token-ingestion-check (join, countif)': ['token-ingestion-check', {}, 'WithTokens'],
  // The generated metrics are all the Entra ID API's: bound as the AI API, the query has rows.
  'token-metric-ingestion-check (in dynamic list)': [
    'token-metric-ingestion-check',
    { metricName: 'caller-requests', aiApis: ['Entra ID API'] },
    'Requests',
  ],
};

/**
 * Each mirror bound for one run: its KQL text and its SQL from the same parameter values (and
 * prices for `config`), with `nowMs` the instant the SQL takes for the KQL's now().
 */
export function boundMirrors(kql, config, nowMs) {
  const { loadPricedQuery, priceParameters } = require('../../dist/pricing/query-prices.js');
  return Object.entries(MIRRORS).map(([label, [name, extra, checkColumn]]) => {
    const params = { ...benchParameters(kql, name), ...extra };
    const kqlText = loadPricedQuery(name, config, params).text;
    const sql = SQL[label]({ nowMs, ...priceParameters(config), ...params });
    return { label, name, kqlText, sql, checkColumn };
  });
}
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
    const loadTables = duckDbLoader(dir, {
      gw: gen.result.gateway,
      llm: gen.result.llm,
      metrics: gen.result.metrics,
    });
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const load = await timeAsync(() => loadTables(con));
    console.log(
      `\nDuckDB (in-memory, loaded from CSV in ${load.ms.toFixed(0)} ms) vs the KQL engine, runs interleaved (KQL, DuckDB, KQL, ...) so both see the same machine load; median of 5 each:`,
    );
    let kSum = 0;
    let dSum = 0;
    for (const { label, kqlText, sql, checkColumn } of boundMirrors(kql, priceConfig, nowMs)) {
      const kqlRuns = [];
      const duckRuns = [];
      let rows = 0;
      let kqlRows = 0;
      let agree = false;
      for (let i = 0; i < 5; i++) {
        const k = time(() => kql.executeQuery(kqlText, src));
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
      kSum += ours;
      dSum += duck;
      console.log(
        `  ${label.padEnd(50)} DuckDB ${duck.toFixed(1).padStart(7)} ms (${rows} rows)   KQL ${ours.toFixed(1).padStart(7)} ms (${kqlRows} rows)   ratio ${ratio.toFixed(1)}x ${ratio <= 5 ? '(within 5x goal)' : '(over 5x goal)'}   same ${checkColumn} total: ${agree ? 'yes' : 'NO'}`,
      );
    }
    console.log(
      `  all ${Object.keys(MIRRORS).length} mirrored queries: KQL ${kSum.toFixed(0)} ms, DuckDB ${dSum.toFixed(0)} ms, KQL/DuckDB ${(kSum / dSum).toFixed(1)}x`,
    );
    con.closeSync?.();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
