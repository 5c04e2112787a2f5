// `npm run create`: runs a notebook (default create.ipynb) through real Jupyter with the tslab
// kernel on the local target, and writes the executed notebook and its HTML export to build/notebooks/.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { hasJupyter, jupyterEnv, root, INSTALL_HINT } from './jupyter-env.mjs';

const notebook = path.resolve(root, process.argv[2] ?? 'create.ipynb');
const outDir = path.resolve(process.env.COSTING_BUILD_DIR ?? path.join(root, 'build'), 'notebooks');
const name = path.basename(notebook, '.ipynb');

if (!hasJupyter()) {
  console.error(INSTALL_HINT);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const env = jupyterEnv();
const started = Date.now();
const exec = spawnSync(
  'jupyter',
  [
    'nbconvert',
    '--to',
    'notebook',
    '--execute',
    '--ExecutePreprocessor.kernel_name=tslab',
    '--ExecutePreprocessor.timeout=900',
    '--output-dir',
    outDir,
    '--output',
    name,
    notebook,
  ],
  { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
);
if (exec.status !== 0) {
  // nbconvert prints the failing cell's source and the kernel's stderr; keep the tail readable.
  console.error(exec.stderr.split('\n').slice(-60).join('\n'));
  console.error(`\n${path.basename(notebook)} failed under Jupyter (see the cell error above).`);
  process.exit(1);
}
const executed = path.join(outDir, `${name}.ipynb`);
const html = spawnSync(
  'jupyter',
  ['nbconvert', '--to', 'html', '--output-dir', outDir, '--output', name, executed],
  {
    cwd: root,
    env,
    encoding: 'utf8',
  },
);
if (html.status !== 0) {
  console.error(html.stderr);
  process.exit(1);
}
console.log(`Executed notebook: ${path.relative(process.cwd(), executed)}`);
console.log(
  `HTML export:       ${path.relative(process.cwd(), path.join(outDir, `${name}.html`))}`,
);
console.log(`Run All took ${((Date.now() - started) / 1000).toFixed(1)} s`);
