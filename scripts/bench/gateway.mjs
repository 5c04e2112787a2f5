// Requests per second of the same non-streaming Chat Completions requests sent straight to the
// Azure OpenAI emulator and through the APIM gateway emulator (one run, same target), and their
// ratio (goal: the gateway keeps >= 70% of direct). The load generator is a child process, so
// this process's CPU time is the servers' alone: server CPU per request is reported beside the
// wall-clock rates. The two paths alternate in short rounds so a change in machine load hits
// both alike; the median of the per-round ratios is the figure least moved by load bursts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WARMUP = 500;
const ROUNDS = 10;
const PER_ROUND = 400;
const REQUESTS = ROUNDS * PER_ROUND;
const CONCURRENCY = 16;

// The load generator: keep-alive HTTP at fixed concurrency; prints elapsed ms and statuses.
const LOADER = `
const http = require('node:http');
const [url, headersJson, countText, concurrencyText, model] = process.argv.slice(1);
const headers = JSON.parse(headersJson);
const count = Number(countText);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyText) });
function one(body) {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}
(async () => {
  const statuses = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(concurrencyText) }, async () => {
    while (next < count) {
      const i = next++;
      const body = JSON.stringify({ model, messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Request ' + i + ': summarise the showback for this business unit.' }], max_completion_tokens: 64 });
      const s = await one(body);
      statuses[s] = (statuses[s] ?? 0) + 1;
    }
  }));
  process.stdout.write(JSON.stringify({ elapsedMs: performance.now() - started, statuses }));
  agent.destroy();
})();
`;

/** Runs one round in a child process; resolves with its timing and this process's CPU time. */
function round(url, headers, model, count) {
  return new Promise((resolve, reject) => {
    const cpu0 = process.cpuUsage();
    const child = spawn(
      process.execPath,
      ['-e', LOADER, url, JSON.stringify(headers), String(count), String(CONCURRENCY), model],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const cpu = process.cpuUsage(cpu0);
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve({ ...JSON.parse(out), cpuMs: (cpu.user + cpu.system) / 1000 });
    });
  });
}

function add(total, r) {
  total.elapsedMs += r.elapsedMs;
  total.cpuMs += r.cpuMs;
  for (const [k, v] of Object.entries(r.statuses)) total.statuses[k] = (total.statuses[k] ?? 0) + v;
}

export default async function bench() {
  const { loadConfig } = await import(path.join(root, 'dist', 'config.js'));
  const { createLocalTarget } = await import(path.join(root, 'dist', 'local', 'local-target.js'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'costing-bench-gw-'));
  const config = loadConfig({ target: 'local', local: { dataDir } });
  const target = createLocalTarget(config);
  try {
    const d = await target.deploy();
    const model = config.models[0].name;
    const sub = d.subscriptions[0];
    const query = '?api-version=2024-10-21';
    const jwt = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ appid: config.callers[0].appId })).toString('base64url')}.`;
    const direct = [
      `${d.aoai.backendUrl}/deployments/${model}/chat/completions${query}`,
      { 'api-key': 'direct' },
      model,
    ];
    const gateway = [
      `${d.apis.aoai.url}/deployments/${model}/chat/completions${query}`,
      { 'api-key': sub.primaryKey, authorization: `Bearer ${jwt}` },
      model,
    ];
    await round(...direct, WARMUP);
    await round(...gateway, WARMUP);
    const totals = {
      direct: { elapsedMs: 0, cpuMs: 0, statuses: {} },
      gateway: { elapsedMs: 0, cpuMs: 0, statuses: {} },
    };
    const ratios = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await round(...direct, PER_ROUND);
      const b = await round(...gateway, PER_ROUND);
      add(totals.direct, a);
      add(totals.gateway, b);
      ratios.push(a.elapsedMs / b.elapsedMs);
    }
    ratios.sort((x, y) => x - y);
    const median = (ratios[ROUNDS / 2 - 1] + ratios[ROUNDS / 2]) / 2;
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    const rps = (t) => (REQUESTS / t.elapsedMs) * 1000;
    const cpuUs = (t) => (t.cpuMs / REQUESTS) * 1000;
    const line = (label, t) =>
      console.log(
        `  ${label} ${rps(t).toFixed(0).padStart(5)} req/s, server CPU ${cpuUs(t).toFixed(0)} us/request, statuses ${JSON.stringify(t.statuses)}`,
      );
    console.log(
      `  ${REQUESTS} non-streaming chat requests per path (${ROUNDS} alternating rounds of ${PER_ROUND}), concurrency ${CONCURRENCY}, after ${WARMUP} warm-up requests each`,
    );
    line('direct to the AOAI emulator:', totals.direct);
    line('through the gateway:        ', totals.gateway);
    console.log(`  gateway log rows written: ${target.store.rowCount('ApiManagementGatewayLogs')}`);
    console.log(
      `gateway / direct throughput: ${pct(rps(totals.gateway) / rps(totals.direct))} over all requests; median of ${ROUNDS} paired rounds ${pct(median)} (range ${pct(ratios[0])} to ${pct(ratios[ROUNDS - 1])}); by server CPU per request ${pct(cpuUs(totals.direct) / cpuUs(totals.gateway))} (goal >= 70%)`,
    );
  } finally {
    await target.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
