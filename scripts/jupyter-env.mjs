// Shared by the Jupyter scripts: finds Jupyter and puts the kit's own kernelspec on JUPYTER_PATH.
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * The Python that runs Jupyter (the interpreter named by `jupyter-nbconvert`'s first line on
 * PATH), found without starting it; `undefined` when Jupyter is not on PATH.
 */
export function jupyterPython() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, 'jupyter-nbconvert');
    if (!existsSync(file)) continue;
    const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
    const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
    if (!m) continue;
    // `#!/usr/bin/env python3` names the interpreter in its second word.
    return path.basename(m[1]) === 'env' && m[2] ? m[2] : m[1];
  }
  return undefined;
}
