// Writes the tslab kernelspec. `--local` (default): into `.jupyter/kernels/tslab` of this kit,
// which the kit's scripts put on JUPYTER_PATH (the user's Jupyter is left alone). `--user`: into
// the user's Jupyter data folder, for their own JupyterLab or VS Code.
// The spec starts tslab with the absolute path of the Node that runs this script, so a Jupyter
// launched from another environment still runs the kernel on this (22+) Node.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv.includes('--user') ? 'user' : 'local';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `Node ${process.versions.node} is too old for this kit: use Node 22 or newer (24 LTS recommended).`,
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

const base = mode === 'user' ? userDataDir() : path.join(root, '.jupyter');
const dir = path.join(base, 'kernels', 'tslab');
mkdirSync(dir, { recursive: true });
const spec = {
  argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
  display_name: 'TypeScript',
  language: 'typescript',
};
writeFileSync(path.join(dir, 'kernel.json'), `${JSON.stringify(spec, null, 2)}\n`);
console.log(`tslab kernelspec (Node ${process.versions.node}) written to ${dir}`);
