// Scale benchmark: the kit's kql/ queries and the workbook's queries over the kql bench's
// generated logs at several sizes (gateway rows; 10% are AI requests with two LLM rows each),
// first run and warm (median of 3), peak RSS, and DuckDB (2 threads) on the kql bench's SQL
// mirrors of three queries, interleaved in the same run, with the ratios. Sizes: `SCALE_SIZES`
// (comma list, e.g. `100k,1m,3m,10m`), default 100k,1m. The store's restart time and disk size
// are measured by `SCALE_STORE=1` (writes the rows through the local log store to a temp dir).
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { benchParameters, duckDbLoader, generate, source, SQL, MIRRORS } from './kql.mjs';

const require = createRequire(import.meta.url);

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`Bad size '${s}': use e.g. 100k, 1m, 3m.`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'm' ? 1e6 : m[2] ? 1e3 : 1));
}

const ms = (t0) => performance.now() - t0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);

export default async function bench() {
  const kql = require('../../dist/kql/index.js');
  const wb = require('../../dist/workbook/list-queries.js');
  const { DuckDBInstance } = require('@duckdb/node-api');
  const { loadPricedQuery } = require('../../dist/pricing/query-prices.js');
  const { loadConfig } = require('../../dist/config/load-config.js');
  const config = loadConfig({ target: 'local' });
  const load = (name, extra = {}) => loadPricedQuery(name, config, { ...params(name), ...extra });
  const sizes = (process.env.SCALE_SIZES ?? '100k,1m').split(',').map(parseSize);
  const params = (name) => benchParameters(kql, name);
  for (const n of sizes) {
    const nowMs = Date.now();
    let t0 = performance.now();
    const gen = generate(nowMs, n);
    console.log(
      `\n--- ${n} gateway rows (${gen.llm.length} LLM, ${gen.metrics.length} metric), generated in ${ms(t0).toFixed(0)} ms, peak RSS ${rssMb()} MB`,
    );
    const src = source(gen);
    let firstSum = 0;
    let warmSum = 0;
    for (const name of kql.listQueryNames()) {
      const q = load(name);
      t0 = performance.now();
      kql.executeQuery(q.text, src);
      const first = ms(t0);
      const warm = median(
        [0, 1, 2].map(() => {
          const t = performance.now();
          kql.executeQuery(q.text, src);
          return ms(t);
        }),
      );
      firstSum += first;
      warmSum += warm;
      console.log(
        `  ${name.padEnd(30)} first ${first.toFixed(0).padStart(7)} ms  warm ${warm.toFixed(0).padStart(7)} ms`,
      );
    }
    console.log(
      `  all ${kql.listQueryNames().length} kql/ queries: first ${firstSum.toFixed(0)} ms, warm ${warmSum.toFixed(0)} ms; peak RSS ${rssMb()} MB`,
    );
    const queries = wb.listWorkbookQueries(undefined, { now: new Date(nowMs) });
    const runAll = () => {
      const t = performance.now();
      let failed = 0;
      for (const q of queries) {
        try {
          kql.executeQuery(q.query, src, { now: new Date(nowMs) });
        } catch {
          failed++;
        }
      }
      return { ms: ms(t), failed };
    };
    const wbFirst = runAll();
    const wbWarm = median([0, 1, 2].map(() => runAll().ms));
    console.log(
      `  workbook (${queries.length} queries, ${wbFirst.failed} failed): first ${wbFirst.ms.toFixed(0)} ms, warm ${wbWarm.toFixed(0)} ms; peak RSS ${rssMb()} MB`,
    );

    const dir = mkdtempSync(path.join(tmpdir(), 'scale-bench-'));
    try {
      const loadTables = duckDbLoader(dir, { gw: gen.gateway, llm: gen.llm });
      const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      const con = await instance.connect();
      await loadTables(con);
      let kSum = 0;
      let dSum = 0;
      for (const [label, sql] of Object.entries(SQL)) {
        const [kqlName, kqlParams] = MIRRORS[label];
        const q = load(kqlName, kqlParams);
        const kr = [];
        const dr = [];
        for (let i = 0; i < 3; i++) {
          let t = performance.now();
          kql.executeQuery(q.text, src);
          kr.push(ms(t));
          t = performance.now();
          await con.runAndReadAll(sql);
          dr.push(ms(t));
        }
        kSum += median(kr);
        dSum += median(dr);
        console.log(
          `  vs DuckDB ${label.padEnd(48)} KQL ${median(kr).toFixed(0).padStart(6)} ms  DuckDB ${median(dr).toFixed(0).padStart(5)} ms  ratio ${(median(kr) / median(dr)).toFixed(1)}x`,
        );
      }
      console.log(`  three mirrored queries: KQL/DuckDB ${(kSum / dSum).toFixed(1)}x`);
      con.closeSync?.();
      if (process.env.SCALE_STORE === '1') await storeFigures(kql, gen, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Writes the rows through the local log store, then times a fresh store's first answer. */
async function storeFigures(kql, gen, dir) {
  const { createLogStore } = require('../../dist/local/log-store.js');
  const dataDir = path.join(dir, 'data');
  const store = createLogStore({ dataDir });
  const chunk = 10_000;
  for (const [table, rows] of [
    ['ApiManagementGatewayLogs', gen.gateway],
    ['ApiManagementGatewayLlmLog', gen.llm],
    ['customMetrics', gen.metrics],
  ]) {
    for (let i = 0; i < rows.length; i += chunk) store.appendRows(table, rows.slice(i, i + chunk));
    store.flush();
  }
  store.close();
  const logs = path.join(dataDir, 'logs');
  const bytes = readdirSync(logs).reduce((s, f) => s + statSync(path.join(logs, f)).size, 0);
  const t0 = performance.now();
  try {
    const fresh = createLogStore({ dataDir });
    kql.executeQuery('ApiManagementGatewayLogs | count', fresh);
    console.log(
      `  store: disk ${(bytes / 1e6).toFixed(1)} MB; restart to first answer ${ms(t0).toFixed(0)} ms; peak RSS ${rssMb()} MB`,
    );
  } catch (e) {
    console.log(`  store: disk ${(bytes / 1e6).toFixed(1)} MB; restart FAILED: ${e.message}`);
  }
}
