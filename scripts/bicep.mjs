#!/usr/bin/env node
/**
 * Builds the Bicep entry points with the official, pinned Bicep compiler.
 *
 *   node scripts/bicep.mjs --write   rebuild bicep/<entry>.json and the snapshot matrix
 *                                    (bicep/snapshots/, scripts/bicep-snapshots.mjs) (npm run build:bicep)
 *   add --only=<base>[,<base>] to snapshot just those (e.g. --only=rerun.infra) while editing
 *   node scripts/bicep.mjs --check   fail on any error or linter warning, or when a committed
 *                                    bicep/<entry>.json or snapshot differs from a fresh one (CI)
 *
 * The compiler comes from the NuGet package Azure.Bicep.CommandLine.linux-x64 (version pinned in
 * bicep/tools/bicep-cli.csproj); `dotnet restore` puts it under bicep/.tools/ (git-ignored) the
 * first time, so no other download path is involved.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSnapshots } from './bicep-snapshots.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BICEP_DIR = path.join(ROOT, 'bicep');
const PROJECT = path.join(BICEP_DIR, 'tools', 'bicep-cli.csproj');
const ENTRY_POINTS = ['infra.bicep', 'main.bicep', 'cost-export.bicep'];
const PACKAGE = 'azure.bicep.commandline.linux-x64';

const mode = process.argv.includes('--write')
  ? 'write'
  : process.argv.includes('--check')
    ? 'check'
    : undefined;
if (mode === undefined) {
  console.error('Usage: node scripts/bicep.mjs --write | --check');
  process.exit(2);
}

const compiler = ensureCompiler();
const version = run(compiler, ['--version']).stdout.trim();
console.log(`${version} (${path.relative(ROOT, compiler)})`);

const outDir = mkdtempSync(path.join(tmpdir(), 'bicep-build-'));
let problems = 0;
let stale = 0;
try {
  for (const entry of ENTRY_POINTS) {
    const source = path.join(BICEP_DIR, entry);
    const result = run(compiler, ['build', source, '--outdir', outDir], { allowFailure: true });
    const diagnostics = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .map((line) => line.trim())
      .filter(
        (line) => / : (Error|Warning|Info) /.test(line) || /\) : (Error|Warning) /.test(line),
      );
    const errors = diagnostics.filter((d) => / : Error /.test(d));
    const warnings = diagnostics.filter((d) => / : Warning /.test(d));
    if (result.status !== 0 || errors.length > 0 || warnings.length > 0) {
      problems += Math.max(1, errors.length + warnings.length);
      console.error(`FAIL ${entry}: ${errors.length} error(s), ${warnings.length} warning(s)`);
      for (const d of diagnostics) console.error(`  ${d.replaceAll(`${ROOT}${path.sep}`, '')}`);
      if (diagnostics.length === 0) console.error(result.stderr.trim() || result.stdout.trim());
      continue;
    }
    const built = readFileSync(path.join(outDir, entry.replace(/\.bicep$/, '.json')), 'utf8');
    const committedPath = path.join(BICEP_DIR, entry.replace(/\.bicep$/, '.json'));
    if (mode === 'write') {
      writeFileSync(committedPath, built);
      console.log(`wrote ${path.relative(ROOT, committedPath)} (${built.length} bytes)`);
    } else {
      const committed = existsSync(committedPath) ? readFileSync(committedPath, 'utf8') : undefined;
      if (committed !== built) {
        stale += 1;
        console.error(
          `STALE ${path.relative(ROOT, committedPath)}: ${committed === undefined ? 'missing' : 'differs from a fresh build'}; run npm run build:bicep and commit it`,
        );
      } else {
        console.log(
          `ok ${entry}: 0 errors, 0 warnings, ${path.relative(ROOT, committedPath)} up to date`,
        );
      }
    }
  }
} finally {
  rmSync(outDir, { recursive: true, force: true });
}

if (problems > 0 || stale > 0) {
  console.error(`bicep ${mode}: ${problems} diagnostic(s), ${stale} stale template(s)`);
  process.exit(1);
}
console.log(`bicep ${mode}: ${ENTRY_POINTS.length} entry points, 0 errors, 0 warnings`);

// The templates evaluated, not only compiled: bicep snapshot over the configuration matrix.
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const snapshotProblems = await runSnapshots({
  root: ROOT,
  compiler,
  mode,
  ...(only ? { only } : {}),
});
if (snapshotProblems > 0) {
  console.error(`bicep ${mode}: ${snapshotProblems} snapshot problem(s)`);
  process.exit(1);
}
console.log(`bicep ${mode}: snapshot matrix up to date`);

/** Path of the pinned compiler, restored with `dotnet restore` when it is not there yet. */
function ensureCompiler() {
  const pinned = readFileSync(PROJECT, 'utf8').match(
    /<BicepCliVersion>([^<]+)<\/BicepCliVersion>/,
  )?.[1];
  if (pinned === undefined) throw new Error(`No <BicepCliVersion> in ${PROJECT}`);
  const exe = path.join(BICEP_DIR, '.tools', 'packages', PACKAGE, pinned, 'tools', 'bicep');
  if (!existsSync(exe)) {
    console.log(`Restoring Azure.Bicep.CommandLine.linux-x64 ${pinned} with dotnet restore...`);
    const restore = run('dotnet', ['restore', PROJECT, '--nologo'], {
      allowFailure: true,
      inherit: true,
    });
    if (restore.status !== 0 || !existsSync(exe)) {
      console.error(
        `dotnet restore did not produce ${exe}; is the .NET SDK installed and NuGet reachable?`,
      );
      process.exit(1);
    }
  }
  // NuGet extraction does not always keep the execute bit.
  chmodSync(exe, 0o755);
  return exe;
}

function run(cmd, args, { allowFailure = false, inherit = false } = {}) {
  const result = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: inherit ? 'inherit' : 'pipe',
    env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
  });
  if (result.error) throw result.error;
  if (!allowFailure && result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}
