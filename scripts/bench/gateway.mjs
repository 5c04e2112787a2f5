// Requests per second of the same non-streaming Chat Completions requests sent straight to the
// Azure OpenAI emulator and through the APIM gateway emulator (one run each, same target), and
// their ratio (goal: the gateway keeps >= 70% of direct). The load generator runs in a worker
// thread so it does not share the event loop with the servers it measures, and the two paths
// alternate in short rounds so a change in machine load hits both alike; the median of the
// per-round ratios is the figure least moved by load bursts on a shared machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WARMUP = 300;
const ROUNDS = 10;
const PER_ROUND = 300;
const REQUESTS = ROUNDS * PER_ROUND;
const CONCURRENCY = 16;

// The load generator: keep-alive HTTP, fixed concurrency, reports elapsed ms and statuses.
const LOADER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.concurrency });
function one(url, headers, body) {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}
async function run(count) {
  const statuses = new Map();
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: workerData.concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const body = JSON.stringify({ model: workerData.model, messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Request ' + i + ': summarise the showback for this business unit.' }], max_completion_tokens: 64 });
      const s = await one(workerData.url, workerData.headers, body);
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
  }));
  return { elapsedMs: performance.now() - started, statuses: Object.fromEntries(statuses) };
}
parentPort.on('message', async (count) => {
  if (count === 0) {
    agent.destroy();
    parentPort.close();
    return;
  }
  parentPort.postMessage(await run(count));
});
`;

/** A load generator for one URL; `run(n)` sends n requests and resolves with the timing. */
function loader(url, headers, model) {
  const w = new Worker(LOADER, {
    eval: true,
    workerData: { url, headers, model, concurrency: CONCURRENCY },
  });
  let pending;
  w.on('message', (m) => pending?.resolve(m));
  w.on('error', (e) => pending?.reject(e));
  return {
    run: (n) =>
      new Promise((resolve, reject) => {
        pending = { resolve, reject };
        w.postMessage(n);
      }),
    stop: () => w.postMessage(0),
  };
}

function add(total, r) {
  total.elapsedMs += r.elapsedMs;
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
    const toDirect = loader(
      `${d.aoai.backendUrl}/deployments/${model}/chat/completions${query}`,
      { 'api-key': 'direct' },
      model,
    );
    const toGateway = loader(
      `${d.apis.aoai.url}/deployments/${model}/chat/completions${query}`,
      { 'api-key': sub.primaryKey, authorization: `Bearer ${jwt}` },
      model,
    );
    await toDirect.run(WARMUP);
    await toGateway.run(WARMUP);
    const direct = { elapsedMs: 0, statuses: {} };
    const gateway = { elapsedMs: 0, statuses: {} };
    const ratios = [];
    for (let round = 0; round < ROUNDS; round++) {
      const a = await toDirect.run(PER_ROUND);
      const b = await toGateway.run(PER_ROUND);
      add(direct, a);
      add(gateway, b);
      ratios.push(a.elapsedMs / b.elapsedMs);
    }
    ratios.sort((x, y) => x - y);
    const median = (ratios[ROUNDS / 2 - 1] + ratios[ROUNDS / 2]) / 2;
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    toDirect.stop();
    toGateway.stop();
    const rps = (r) => (REQUESTS / r.elapsedMs) * 1000;
    const rowCount = target.store.rowCount('ApiManagementGatewayLogs');
    console.log(
      `  ${REQUESTS} non-streaming chat requests each (${ROUNDS} alternating rounds of ${PER_ROUND}), concurrency ${CONCURRENCY}, after ${WARMUP} warm-up requests each`,
    );
    console.log(
      `  direct to the AOAI emulator: ${rps(direct).toFixed(0)} req/s  statuses ${JSON.stringify(direct.statuses)}`,
    );
    console.log(
      `  through the gateway:         ${rps(gateway).toFixed(0)} req/s  statuses ${JSON.stringify(gateway.statuses)}  (gateway log rows written: ${rowCount})`,
    );
    console.log(
      `gateway / direct throughput: ${pct(rps(gateway) / rps(direct))} over all requests; median of ${ROUNDS} paired rounds ${pct(median)} (range ${pct(ratios[0])} to ${pct(ratios[ROUNDS - 1])}) (goal >= 70%)`,
    );
  } finally {
    await target.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
