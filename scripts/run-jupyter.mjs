// `npm run create`: runs a notebook (default create.ipynb) through real Jupyter with the tslab
// kernel on the local target, and writes the executed notebook and its HTML export to
// build/notebooks/. The export gets the plotly.js bundle inlined once, so its charts draw offline.
// `--open` also opens the HTML export and the workbook preview in the default browser
// (`$BROWSER` when set). `--build` first brings dist/ up to date (an incremental `tsc -b`: a
// no-op when lib/ has not changed) and writes the kit's kernelspec, in this one process:
// `npm run create` uses it instead of a nested `npm run build`, whose npm start-up alone is
// most of a second.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, enableCompileCache } from 'node:module';
import { platform } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { jupyterEnv, jupyterPython, root, INSTALL_HINT } from './jupyter-env.mjs';

const args = process.argv.slice(2);
const open = args.includes('--open');
const build = args.includes('--build');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--open' && a !== '--build');
if (unknown.length > 0) {
  console.error(`Unknown option ${unknown.join(', ')}: the options are --open and --build.`);
  process.exit(1);
}
if (build) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // The compile cache of this Node (when it keeps one) spares tsc compiling TypeScript itself.
  const cache = enableCompileCache?.()?.directory;
  const built = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
    env: cache ? { ...process.env, NODE_COMPILE_CACHE: cache } : process.env,
  });
  if (built.status !== 0) {
    console.error('The build failed (see above): fix lib/ and run this again.');
    process.exit(1);
  }
  await import('./kernel.mjs');
}
const notebook = path.resolve(root, args.find((a) => !a.startsWith('--')) ?? 'create.ipynb');
const outDir = path.resolve(process.env.COSTING_BUILD_DIR ?? path.join(root, 'build'), 'notebooks');
const name = path.basename(notebook, '.ipynb');

const python = jupyterPython();
if (!python) {
  console.error(INSTALL_HINT);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const env = jupyterEnv();
const started = Date.now();
// One Python process executes the notebook and writes its HTML export (scripts/run-notebook.py).
const exec = spawnSync(
  python,
  [path.join(root, 'scripts', 'run-notebook.py'), notebook, outDir, name, root],
  { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] },
);
if (exec.error || exec.status === 3) {
  console.error(INSTALL_HINT);
  process.exit(1);
}
if (exec.status !== 0) {
  // The failing cell's source and the kernel's error; keep the tail readable.
  console.error(exec.stderr.split('\n').slice(-60).join('\n'));
  console.error(`\n${path.basename(notebook)} failed under Jupyter (see the cell error above).`);
  process.exit(1);
}
const executed = path.join(outDir, `${name}.ipynb`);
const requireDist = createRequire(import.meta.url);
const { embedPlotlyOnce } = requireDist(path.join(root, 'dist', 'artifacts', 'plotly-bundle.js'));
const { defaultPreviewPath } = requireDist(
  path.join(root, 'dist', 'workbook', 'render-preview.js'),
);
const htmlFile = path.join(outDir, `${name}.html`);
writeFileSync(htmlFile, embedPlotlyOnce(readFileSync(htmlFile, 'utf8')));

const preview = defaultPreviewPath();
// The preview is the one cell F wrote during this run, if it ran.
const hasPreview = existsSync(preview) && statSync(preview).mtimeMs >= started;
console.log(`Executed notebook: ${path.relative(process.cwd(), executed)}`);
console.log(`HTML export:       ${path.relative(process.cwd(), htmlFile)}`);
if (hasPreview) console.log(`Workbook preview:  ${path.relative(process.cwd(), preview)}`);
console.log(`Run All took ${((Date.now() - started) / 1000).toFixed(1)} s`);

if (open) {
  const files = hasPreview ? [htmlFile, preview] : [htmlFile];
  for (const file of files) {
    const url = pathToFileURL(file).href;
    console.log(`Opening ${url}`);
    const [cmd, ...pre] = process.env.BROWSER
      ? [process.env.BROWSER]
      : platform() === 'darwin'
        ? ['open']
        : platform() === 'win32'
          ? ['cmd', '/c', 'start', '']
          : ['xdg-open'];
    const child = spawn(cmd, [...pre, url], { stdio: 'ignore', detached: true });
    child.on('error', () =>
      console.log(`Could not start ${cmd}: open ${url} in a browser yourself.`),
    );
    // Let this script end while the browser keeps running.
    child.on('spawn', () => child.unref());
  }
}
