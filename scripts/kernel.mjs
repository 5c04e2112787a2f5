// Writes the tslab kernelspec. `--local` (default): into `.jupyter/kernels/tslab` of this kit,
// which the kit's scripts put on JUPYTER_PATH (the user's Jupyter is left alone). `--user`: into
// the user's Jupyter data folder, for their own JupyterLab or VS Code.
// The spec starts tslab (through scripts/tslab-kernel.mjs, which adds the execution counts) with
// the absolute path of the Node that runs this script, so a Jupyter launched from another
// environment still runs the kernel on this Node (the engines minimum or newer). Next to kernel.json goes the plotly.js
// bundle: Jupyter serves a kernelspec's folder at <base>/kernelspecs/<name>/, which is where the
// chart outputs load it from (lib/output/chart-html.ts).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, platform } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv.includes('--user') ? 'user' : 'local';

// The minimum comes from package.json's engines field (".nvmrc" names the version we develop on).
const engines =
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines?.node ?? '';
const minimum = Number(/>=\s*(\d+)/.exec(engines)?.[1] ?? 0);
const [major] = process.versions.node.split('.').map(Number);
if (major < minimum) {
  console.error(
    `Node ${process.versions.node} is too old for this kit: use Node ${minimum} or newer (\`nvm use\` picks the version in .nvmrc).`,
  );
  process.exit(1);
}
const tslabBin = path.join(root, 'node_modules', 'tslab', 'bin', 'tslab');
if (!existsSync(tslabBin)) {
  console.error(`tslab is not installed at ${tslabBin}: run \`npm ci\` in ${root} first.`);
  process.exit(1);
}

function userDataDir() {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (platform() === 'darwin') return path.join(homedir(), 'Library', 'Jupyter');
  if (platform() === 'win32') return path.join(process.env.APPDATA ?? homedir(), 'jupyter');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(homedir(), '.local', 'share'), 'jupyter');
}

const bundleModule = path.join(root, 'dist', 'artifacts', 'plotly-bundle.js');
if (!existsSync(bundleModule)) {
  console.error(
    `${bundleModule} is missing: run \`npm run build\` (or \`npm ci\`) in ${root} first.`,
  );
  process.exit(1);
}
const requireDist = createRequire(import.meta.url);
const { KERNELSPEC_NAME, PLOTLY_BUNDLE_FILE, plotlyBundlePath } = requireDist(bundleModule);
const { KERNEL_ENV } = requireDist(path.join(root, 'dist', 'artifacts', 'kernel-env.js'));

const base = mode === 'user' ? userDataDir() : path.join(root, '.jupyter');
const dir = path.join(base, 'kernels', KERNELSPEC_NAME);
mkdirSync(dir, { recursive: true });
const spec = {
  argv: [
    process.execPath,
    path.join(root, 'scripts', 'tslab-kernel.mjs'),
    'kernel',
    '--config-path',
    '{connection_file}',
  ],
  display_name: 'TypeScript',
  language: 'typescript',
  env: { ...KERNEL_ENV, COSTING_KERNELSPEC: KERNELSPEC_NAME },
};
writeFileSync(path.join(dir, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
copyFileSync(plotlyBundlePath(), path.join(dir, PLOTLY_BUNDLE_FILE));
console.log(
  `tslab kernelspec (Node ${process.versions.node}) and ${PLOTLY_BUNDLE_FILE} written to ${dir}`,
);
