// tslab's converter (the TypeScript watch program that type-checks and compiles each cell) on a
// worker thread. Building it reads lib.d.ts and @types/node, about 2 s of CPU at every kernel
// start; on its own thread that runs beside the kernel's other start-up work (the kit, the KQL
// parser) instead of before it. tslab calls the converter synchronously, so each call posts to
// the worker and blocks on a shared flag until the answer is on the port.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

const WORKER = new URL('./tslab-converter-worker.mjs', import.meta.url);
/** A call that has not answered by then has lost its worker (a crash cannot be observed while blocked). */
const CALL_TIMEOUT_MS = 120_000;

/**
 * A tslab `Converter` whose work runs on a worker thread.
 * @param tslabDir - the tslab package folder (its dist/converter.js is loaded in the worker)
 * @param options - tslab's converter options; `isJS` and `isBrowser` are passed on
 *   (`_fileWatcher`, a test hook, is a function and cannot cross threads)
 */
export function workerConverter(tslabDir, options = {}) {
  const { port1, port2 } = new MessageChannel();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, {
    workerData: {
      tslabDir,
      options: { isJS: options.isJS === true, isBrowser: options.isBrowser === true },
      port: port2,
      flag,
    },
    transferList: [port2],
  });
  // The kernel's process must be able to exit with the worker idle.
  worker.unref();
  let closed = false;

  function call(method, args) {
    if (closed) throw new Error(`tslab converter: ${method} after close()`);
    Atomics.store(flag, 0, 0);
    port1.postMessage({ method, args });
    const started = Date.now();
    for (;;) {
      const message = receiveMessageOnPort(port1);
      if (message) {
        const { value, error } = message.message;
        if (error) throw Object.assign(new Error(error.message), { stack: error.stack });
        return value;
      }
      if (Date.now() - started > CALL_TIMEOUT_MS)
        throw new Error(
          `tslab converter: the TypeScript worker did not answer ${method} within ${CALL_TIMEOUT_MS / 1000} s; restart the kernel.`,
        );
      Atomics.wait(flag, 0, 0, 1_000);
    }
  }

  return {
    convert: (prevDecl, src) => call('convert', [prevDecl, src]),
    inspect: (prevDecl, src, position) => call('inspect', [prevDecl, src, position]),
    complete: (prevDecl, src, position) => call('complete', [prevDecl, src, position]),
    addModule: (name, content, meta) => call('addModule', [name, content, meta]),
    close() {
      if (closed) return;
      try {
        call('close', []);
      } finally {
        closed = true;
        port1.close();
        void worker.terminate();
      }
    },
  };
}
