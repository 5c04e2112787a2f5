#!/usr/bin/env node
/**
 * npm run check:policies: compiles every APIM policy expression in policies/ with Roslyn
 * (tools/policy-check, NuGet Microsoft.CodeAnalysis.CSharp + Newtonsoft.Json) and lints the
 * policies, per configuration, against the committed bicep snapshots.
 *
 *   node scripts/policy-check.mjs [--policies <dir>] [--snapshots <dir> | --no-snapshots]
 *
 * The tool is built with `dotnet build` (packages restored from NuGet) the first time, and again
 * only when its sources changed. Exits with the tool's status: 0 clean, 1 problems, 2 usage.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PROJECT_DIR = path.join(ROOT, 'tools', 'policy-check');
const OUT = path.join(PROJECT_DIR, 'bin', 'out');
const DLL = path.join(OUT, 'policy-check.dll');
const env = { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' };

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? path.resolve(args[i + 1]) : fallback;
};
const policies = value('--policies', path.join(ROOT, 'policies'));
const snapshots = args.includes('--no-snapshots')
  ? undefined
  : value('--snapshots', path.join(ROOT, 'bicep', 'snapshots'));

if (!existsSync(DLL) || newestSource(PROJECT_DIR) > statSync(DLL).mtimeMs) {
  console.log('Building tools/policy-check (dotnet build; NuGet restore the first time)...');
  const build = spawnSync(
    'dotnet',
    [
      'build',
      path.join(PROJECT_DIR, 'policy-check.csproj'),
      '-c',
      'Release',
      '-o',
      OUT,
      '--nologo',
      '-v',
      'q',
    ],
    { stdio: 'inherit', env },
  );
  if (build.error !== undefined || build.status !== 0 || !existsSync(DLL)) {
    console.error(
      'dotnet build of tools/policy-check failed; is the .NET SDK installed and NuGet reachable?',
    );
    process.exit(2);
  }
}
const run = spawnSync(
  'dotnet',
  [DLL, '--policies', policies, ...(snapshots !== undefined ? ['--snapshots', snapshots] : [])],
  { stdio: 'inherit', env },
);
process.exit(run.status ?? 2);

/** Newest modification time of the tool's sources (not bin/ or obj/). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'bin' || entry.name === 'obj') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}
