// The worker side of scripts/tslab-converter.mjs: builds tslab's converter as soon as it starts,
// then answers one call at a time on the port, raising the shared flag after each answer.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { workerData } from 'node:worker_threads';

const { tslabDir, options, port, flag } = workerData;
const require = createRequire(import.meta.url);

let converter;
let failure;
try {
  converter = require(path.join(tslabDir, 'dist', 'converter.js')).createConverter(options);
} catch (err) {
  failure = err;
}

function answer(message) {
  port.postMessage(message);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

port.on('message', ({ method, args }) => {
  try {
    if (failure) throw failure;
    let value = converter[method](...args);
    // The raw TypeScript completion is exposed by tslab for debugging only; it is not plain data.
    if (method === 'complete' && value) value = { ...value, original: undefined };
    answer({ value });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    answer({ error: { message: e.message, stack: e.stack } });
  }
});
