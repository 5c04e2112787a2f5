// Scale benchmark: the kit's kql/ queries and the workbook's queries over the local log store
// (the store the local target writes), at several sizes of the kql bench's generated logs
// (gateway rows; 10% are AI requests with two LLM rows each), first run and warm (median of
// 3), peak RSS, and DuckDB (2 threads) on the kql bench's SQL mirrors of the kql/ queries over
// the same rows, interleaved in the same run, with the ratios. The rows reach the store in chunks,
// as a gateway appends them, so no size ever exists as row objects at once.
// Sizes: `SCALE_SIZES` (comma list, e.g. `100k,1m,3m,10m`), default 100k,1m. Each size runs in a
// fresh process with the kernel's environment (`KERNEL_ENV`, its malloc settings), so its peak
// RSS and heap are its own, not what the sizes before it left.
// `SCALE_STORE=1` also writes the rows through a store on disk (a temp dir) and times a fresh
// store's first answer (the restart) and its disk size.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import {
  benchParameters,
  boundMirrors,
  csvField,
  DUCKDB_TABLES,
  generateChunks,
  loadCsvTables,
} from './kql.mjs';

const require = createRequire(import.meta.url);
const { KERNEL_ENV } = require('../../dist/artifacts/kernel-env.js');
const TABLES = {
  gateway: 'ApiManagementGatewayLogs',
  llm: 'ApiManagementGatewayLlmLog',
  metrics: 'customMetrics',
};
const DUCK = { gateway: 'gw', llm: 'llm', metrics: 'metrics' };
const CHUNK = 50_000;

function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`Bad size '${s}': use e.g. 100k, 1m, 3m.`);
  return Math.round(Number(m[1]) * (m[2].toLowerCase() === 'm' ? 1e6 : m[2] ? 1e3 : 1));
}

const ms = (t0) => performance.now() - t0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMb = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
const fmt = (x) => x.toFixed(0).padStart(7);

/** Appends CSV lines for DuckDB, one file per mirrored table. */
function csvSink(dir) {
  const files = {};
  for (const [table, columns] of Object.entries(DUCKDB_TABLES)) {
    const fd = openSync(path.join(dir, `${table}.csv`), 'w');
    writeSync(fd, Object.keys(columns).join(',') + '\n');
    files[table] = { fd, columns: Object.keys(columns) };
  }
  return {
    write(table, rows) {
      const f = files[table];
      if (!f || rows.length === 0) return;
      writeSync(
        f.fd,
        rows.map((r) => f.columns.map((c) => csvField(r[c])).join(',')).join('\n') + '\n',
      );
    },
    close() {
      for (const f of Object.values(files)) closeSync(f.fd);
    },
  };
}

export default async function bench() {
  const sizes = (process.env.SCALE_SIZES ?? '100k,1m').split(',').map(parseSize);
  if (process.env.SCALE_ROW_FILE) {
    // One size, for the parent: its figures go back through the file.
    const [row] = await benchSizes(sizes);
    writeFileSync(process.env.SCALE_ROW_FILE, JSON.stringify(row));
    return;
  }
  const summary = [];
  const tmp = mkdtempSync(path.join(tmpdir(), 'scale-rows-'));
  try {
    for (const n of sizes) {
      const file = path.join(tmp, `${n}.json`);
      const r = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(new URL('../bench.mjs', import.meta.url)), 'scale'],
        {
          stdio: 'inherit',
          // The kernel's own environment (malloc settings): the figures are a notebook's.
          env: { ...process.env, ...KERNEL_ENV, SCALE_SIZES: String(n), SCALE_ROW_FILE: file },
        },
      );
      if (r.status !== 0)
        throw new Error(`The scale bench at ${n} rows failed (exit ${r.status}).`);
      summary.push(JSON.parse(readFileSync(file, 'utf8')));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log('\nsummary (warm sums; growth against the first size; each size its own process):');
  for (const r of summary) {
    console.log(
      `  ${String(r.n).padStart(9)} rows: kql/ ${r.warmSum.toFixed(0)} ms (${(r.warmSum / summary[0].warmSum).toFixed(1)}x for ${(r.n / summary[0].n).toFixed(0)}x rows), workbook ${r.wbWarm.toFixed(0)} ms, KQL/DuckDB ${r.ratio.toFixed(1)}x, peak RSS ${r.peakRssMb} MB before DuckDB, CPU loop ${r.loopMs.toFixed(0)} ms` +
        (r.restartMs !== undefined
          ? `, restart ${r.restartMs.toFixed(0)} ms, disk ${r.diskMb.toFixed(1)} MB`
          : ''),
    );
  }
}

/** Milliseconds for a fixed integer loop: compare it between the sizes and runs of a bench. */
function cpuLoopMs() {
  const t = performance.now();
  let x = 0;
  for (let i = 0; i < 3e8; i++) x += i % 7;
  if (x < 0) throw new Error('unreachable');
  return ms(t);
}

/** The figures of each size, in this process. */
async function benchSizes(sizes) {
  const kql = require('../../dist/kql/index.js');
  const wb = require('../../dist/workbook/list-queries.js');
  const { loadWorkbook, fillPlaceholders } = require('../../dist/workbook/workbook-json.js');
  const { workbookPlaceholders } = require('../../dist/pricing/pricing.js');
  const { createLogStore } = require('../../dist/local/log-store.js');
  const { DuckDBInstance } = require('@duckdb/node-api');
  const { loadPricedQuery } = require('../../dist/pricing/query-prices.js');
  const { loadConfig } = require('../../dist/config/load-config.js');
  const config = loadConfig({ target: 'local' });
  const params = (name) => benchParameters(kql, name);
  const load = (name, extra = {}) => loadPricedQuery(name, config, { ...params(name), ...extra });
  const workbook = fillPlaceholders(
    loadWorkbook(),
    workbookPlaceholders(config, {
      appInsightsId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/components/appi',
    }),
  );
  const summary = [];
  for (const n of sizes) {
    const nowMs = Date.now();
    const dir = mkdtempSync(path.join(tmpdir(), 'scale-bench-'));
    try {
      let store = createLogStore({});
      const csv = csvSink(dir);
      const disk = process.env.SCALE_STORE === '1' ? path.join(dir, 'data') : undefined;
      const onDisk = disk ? createLogStore({ dataDir: disk }) : undefined;
      let t0 = performance.now();
      let writeMs = 0;
      generateChunks(nowMs, n, CHUNK, (table, rows) => {
        store.appendRows(TABLES[table], rows);
        if (DUCK[table]) csv.write(DUCK[table], rows);
        if (onDisk) {
          const t = performance.now();
          onDisk.appendRows(TABLES[table], rows);
          writeMs += ms(t);
        }
      });
      csv.close();
      if (onDisk) {
        const t = performance.now();
        await onDisk.seal();
        writeMs += ms(t);
        onDisk.close();
      }
      const genMs = ms(t0);
      const counts = Object.values(TABLES).map((t) => store.rowCount(t));
      // The machine's speed just before the queries: a shared machine's neighbours move every
      // figure, and the growth ratio compares figures taken minutes apart.
      const loopMs = cpuLoopMs();
      console.log(
        `\n--- ${n} gateway rows (${counts[1]} LLM, ${counts[2]} metric), generated into the store in ${genMs.toFixed(0)} ms, peak RSS ${rssMb()} MB; CPU loop before the queries ${loopMs.toFixed(0)} ms`,
      );
      let firstSum = 0;
      let warmSum = 0;
      for (const name of kql.listQueryNames()) {
        const q = load(name);
        t0 = performance.now();
        kql.executeQuery(q.text, store);
        const first = ms(t0);
        const warm = median(
          [0, 1, 2].map(() => {
            const t = performance.now();
            kql.executeQuery(q.text, store);
            return ms(t);
          }),
        );
        firstSum += first;
        warmSum += warm;
        console.log(`  ${name.padEnd(30)} first ${fmt(first)} ms  warm ${fmt(warm)} ms`);
      }
      console.log(
        `  all ${kql.listQueryNames().length} kql/ queries: first ${firstSum.toFixed(0)} ms, warm ${warmSum.toFixed(0)} ms; peak RSS ${rssMb()} MB`,
      );
      const queries = wb.listWorkbookQueries(workbook, { now: new Date(nowMs) });
      // One refresh of the workbook (as the preview runs it): one batch, fresh each run, so a
      // run shares sub-queries between its tiles but never reuses an earlier run's results.
      const runAll = (batched = true) => {
        const t = performance.now();
        const failed = [];
        const batch = batched ? kql.createQueryBatch(new Date(nowMs)) : undefined;
        for (const q of queries) {
          try {
            kql.executeQuery(q.query, store, batch ? { batch } : { now: new Date(nowMs) });
          } catch (e) {
            failed.push(`${q.name}: ${e.message.split('\n')[0]}`);
          }
        }
        return { ms: ms(t), failed };
      };
      const wbFirst = runAll();
      const wbWarm = median([0, 1, 2].map(() => runAll().ms));
      const wbAlone = median([0, 1, 2].map(() => runAll(false).ms));
      console.log(
        `  workbook (${queries.length} queries, ${wbFirst.failed.length} failed): first ${wbFirst.ms.toFixed(0)} ms, warm ${wbWarm.toFixed(0)} ms as one refresh; each query alone ${wbAlone.toFixed(0)} ms; peak RSS ${rssMb()} MB`,
      );
      for (const f of wbFirst.failed) console.log(`    failed ${f}`);
      // The engine's own peak at this size: DuckDB's copy of the rows comes after.
      const enginePeakMb = rssMb();

      const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      const con = await instance.connect();
      await loadCsvTables(con, dir);
      let kSum = 0;
      let dSum = 0;
      const mirrors = boundMirrors(kql, config, nowMs);
      for (const { label, kqlText, sql } of mirrors) {
        const kr = [];
        const dr = [];
        for (let i = 0; i < 3; i++) {
          let t = performance.now();
          kql.executeQuery(kqlText, store);
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
      console.log(`  ${mirrors.length} mirrored queries: KQL/DuckDB ${(kSum / dSum).toFixed(1)}x`);
      con.closeSync?.();
      instance.closeSync?.();
      const row = { n, warmSum, wbWarm, ratio: kSum / dSum, peakRssMb: enginePeakMb, loopMs };
      if (disk) {
        // The memory store's answers, kept as text, and the store itself let go: a restart
        // holds one store, and two at 10M rows do not fit Node's default heap together.
        const now = new Date(nowMs);
        const expected = new Map(
          kql.listQueryNames().map((name) => {
            const t = kql.executeQuery(load(name).text, store, { now }).table;
            return [name, { json: JSON.stringify(t), rows: t.rows.length }];
          }),
        );
        store = undefined;
        Object.assign(
          row,
          await storeFigures(kql, createLogStore, disk, writeMs, expected, load, nowMs),
        );
      }
      summary.push(row);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return summary;
}

/**
 * The on-disk store's size, and a fresh store's first answer after a restart (what a kernel
 * restart pays: open the columnar file, read what the query needs, run it), then the kit's
 * queries on it, checked against the in-memory store's answers (`expected`, by query name).
 */
async function storeFigures(kql, createLogStore, dataDir, writeMs, expected, load, nowMs) {
  const { queryStore } = require('../../dist/local/store-query.js');
  const logs = path.join(dataDir, 'logs');
  const bytes = readdirSync(logs).reduce((s, f) => s + statSync(path.join(logs, f)).size, 0);
  const t0 = performance.now();
  try {
    const fresh = createLogStore({ dataDir });
    const first = await queryStore(fresh, 'ApiManagementGatewayLogs | count');
    const restartMs = ms(t0);
    let t = performance.now();
    const q = load('cost-allocation-subscription');
    await queryStore(fresh, q.text);
    const firstKitMs = ms(t);
    let mismatched = 0;
    t = performance.now();
    for (const name of kql.listQueryNames()) {
      const text = load(name).text;
      const now = new Date(nowMs);
      const a = await queryStore(fresh, text, { now });
      const b = expected.get(name);
      // The memory store has no _BilledSize (it writes no JSON): that query is compared on rows only.
      if (name !== 'bill-billed-size-by-bu' && JSON.stringify(a.table) !== b.json) mismatched++;
      if (a.table.rows.length !== b.rows) mismatched++;
    }
    const allMs = ms(t);
    console.log(
      `  store: written in ${writeMs.toFixed(0)} ms; disk ${(bytes / 1e6).toFixed(1)} MB; restart to first answer (${first.table.rows[0][0]} rows) ${restartMs.toFixed(0)} ms; first kit query after it ${firstKitMs.toFixed(0)} ms; all ${kql.listQueryNames().length} kql/ queries from disk ${allMs.toFixed(0)} ms, ${mismatched} differing from memory; peak RSS ${rssMb()} MB`,
    );
    fresh.close();
    return { restartMs, diskMb: bytes / 1e6 };
  } catch (e) {
    console.log(`  store: disk ${(bytes / 1e6).toFixed(1)} MB; restart FAILED: ${e.message}`);
    return {};
  }
}
