// The kit's kernel: tslab (the kit's own copy in node_modules/) with two changes. Its converter
// (the TypeScript program every cell is checked and compiled with) is built on a worker thread
// (scripts/tslab-converter.mjs) while this thread loads the kit that cell A1 imports. And one fix
// to its Jupyter protocol: tslab 1.0 answers each execute_request with its execution count but
// never publishes the `execute_input` message on IOPub, which is where nbclient (nbconvert
// --execute) and other clients read the count from: without it every exported cell shows
// `In [ ]:`. The kernelspec written by scripts/kernel.mjs starts this file with tslab's own
// arguments.
import { existsSync } from 'node:fs';
import { createRequire, enableCompileCache } from 'node:module';
import * as path from 'node:path';
import { setImmediate } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { workerConverter } from './tslab-converter.mjs';

// V8's code cache on disk (in the OS temp folder): a kernel start then skips compiling
// TypeScript, tslab and the kit's dependencies again (Node 22.1+; a no-op where unavailable).
enableCompileCache?.();

const require = createRequire(import.meta.url);
const tslabDir = path.dirname(require.resolve('tslab/package.json'));
const jupyter = require(path.join(tslabDir, 'dist', 'jupyter.js'));
const kitRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// tslab creates its converters through this export (main.js reads it at call time).
const converterModule = require(path.join(tslabDir, 'dist', 'converter.js'));
if (typeof converterModule.createConverter === 'function') {
  converterModule.createConverter = (options) => workerConverter(tslabDir, options);
}

const server = jupyter.ZmqServer?.prototype;
const handler = jupyter.JupyterHandlerImpl?.prototype;
if (
  typeof server?.handleExecute !== 'function' ||
  typeof handler?.handleExecuteImpl !== 'function'
) {
  // A tslab upgrade moved its internals: run it unpatched (the Jupyter tests check the counts).
  console.error(
    'tslab-kernel: tslab internals changed; execute_input is not published (exports show In [ ]).',
  );
} else {
  // Keyed by the request content object, which tslab passes from the socket to its executor.
  const publishers = new WeakMap();
  const handleExecute = server.handleExecute;
  server.handleExecute = function (sock, msg) {
    publishers.set(msg.content, (count) => {
      const input = msg.createReply();
      input.header.msg_type = 'execute_input';
      input.content = { code: msg.content.code, execution_count: count };
      input.signAndSend(this.connInfo.key, this.iopub);
    });
    return handleExecute.call(this, sock, msg);
  };
  const handleExecuteImpl = handler.handleExecuteImpl;
  handler.handleExecuteImpl = function (req, ...rest) {
    // Runs inside tslab's execution queue, right before it takes the next count.
    const publish = publishers.get(req);
    publishers.delete(req);
    if (publish && !req.silent) publish(this.execCount + 1);
    return handleExecuteImpl.call(this, req, ...rest);
  };
}

require(path.join(tslabDir, 'dist', 'main.js')).main();

// While the worker builds the TypeScript program (about 2 s), load the kit: cell A1 imports this
// same file, so it then comes from the module cache instead of costing A1 most of a second.
// Without a built dist/ there is nothing to load; cell A1 then says so itself. (Warming the KQL
// parser here as well was measured slower: it outlasts the worker and delays A1.)
setImmediate(() => {
  const kit = path.join(kitRoot, 'dist', 'index.js');
  if (!existsSync(kit)) return;
  try {
    require(kit);
  } catch (err) {
    console.error(
      `tslab-kernel: the kit was not preloaded (${err instanceof Error ? err.message : err}); cell A1 loads it.`,
    );
  }
});
