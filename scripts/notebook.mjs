// `npm run notebook`: opens create.ipynb (or the notebook named first) in Jupyter Notebook with
// the kit's own kernelspec on JUPYTER_PATH, to press Run All yourself; nothing is installed into
// your Jupyter. Other arguments go to `jupyter notebook` (e.g. `--port=9999`, `--no-browser`).
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { jupyterEnv, root } from './jupyter-env.mjs';

const args = process.argv.slice(2);
const named = args[0]?.endsWith('.ipynb') ? args.shift() : undefined;
const notebook = path.relative(root, path.resolve(root, named ?? 'create.ipynb'));
const env = jupyterEnv();

if (spawnSync('jupyter', ['notebook', '--version'], { env, encoding: 'utf8' }).status !== 0) {
  console.error(
    'Jupyter Notebook is not installed: on Debian/Ubuntu run `sudo apt-get install jupyter-notebook`, ' +
      'elsewhere `pip install notebook`, then run this again.',
  );
  process.exit(1);
}
console.log(
  `Opening ${notebook} with the kit's TypeScript kernel; press Run All (Cell > Run All).`,
);
const child = spawn('jupyter', ['notebook', notebook, ...args], {
  cwd: root,
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
