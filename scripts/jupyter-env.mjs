// Shared by the Jupyter scripts: finds Jupyter and puts the kit's own kernelspec on JUPYTER_PATH.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const INSTALL_HINT =
  'Jupyter is not installed: on Debian/Ubuntu run `sudo apt-get install jupyter-nbconvert python3-nbclient jupyter-client`, ' +
  'elsewhere `pip install nbconvert nbclient`, then run this again.';

/** Environment for Jupyter with the kit's `.jupyter` first on JUPYTER_PATH. */
export function jupyterEnv(extra = {}) {
  const local = path.join(root, '.jupyter');
  const jp = process.env.JUPYTER_PATH
    ? `${local}${path.delimiter}${process.env.JUPYTER_PATH}`
    : local;
  return { ...process.env, JUPYTER_PATH: jp, ...extra };
}

/** True when `jupyter nbconvert` runs. */
export function hasJupyter() {
  const r = spawnSync('jupyter', ['nbconvert', '--version'], {
    encoding: 'utf8',
    env: jupyterEnv(),
  });
  return r.status === 0;
}
