// The default traffic phase (C1 BU, C2 Entra ID, D1 six-mode AOAI, D2 mock AI; D2 skips because
// D1 ran, as in the notebook) on the local target, default configuration: wall time at
// concurrency 1 and at the default concurrency, in one run, and their ratio. Each pass gets a
// fresh target and data folder so neither sees the other's logs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (...p) => import(path.join(root, 'dist', ...p));

export default async function bench() {
  const { loadConfig, createLocalTarget, sendTraffic } = await dist('index.js');

  async function pass(concurrency) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'costing-bench-traffic-'));
    const config = loadConfig({ local: { dataDir } }, {});
    const target = createLocalTarget(config);
    try {
      await target.deploy();
      const options = { concurrency };
      const t0 = performance.now();
      const results = [
        await sendTraffic(target, 'bu', options),
        await sendTraffic(target, 'entra', options),
        await sendTraffic(target, 'ai', options),
        await sendTraffic(target, 'mock-ai', options),
      ];
      const ms = performance.now() - t0;
      const sent = results.reduce((s, r) => s + r.sent, 0);
      const detail = results
        .map(
          (r) =>
            `${r.cell} ${r.status === 'skipped' ? 'skipped' : `${r.sent} in ${(r.elapsedMs / 1000).toFixed(2)} s`}`,
        )
        .join(', ');
      console.log(
        `  concurrency ${String(concurrency).padStart(2)}: ${(ms / 1000).toFixed(2)} s for ${sent} requests (${((sent / ms) * 1000).toFixed(0)} req/s): ${detail}`,
      );
      return ms;
    } finally {
      await target.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  // The machine is shared and one process plays client, gateway and model, so single passes are
  // noisy: three alternating rounds, and the median of each.
  const defaults = loadConfig({}, {}).traffic.concurrency;
  const serial = [];
  const parallel = [];
  for (let round = 0; round < 3; round += 1) {
    serial.push(await pass(1));
    parallel.push(await pass(defaults));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const s = median(serial);
  const p = median(parallel);
  console.log(
    `default traffic phase on the local target (median of 3): ${(s / 1000).toFixed(2)} s at concurrency 1, ${(p / 1000).toFixed(2)} s at concurrency ${defaults}; ` +
      `ratio (concurrency 1 / concurrency ${defaults}) ${(s / p).toFixed(2)}`,
  );
}
