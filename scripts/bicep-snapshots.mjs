/**
 * `bicep snapshot` (the compiler's local what-if) over the configuration matrix in
 * bicep/snapshots/matrix.json: for each configuration and template it writes the parameters the
 * azure target sends (computed by the built library, dist/), a .bicepparam that loads them, and
 * the predicted resources (<name>.<template>.snapshot.json), all committed. In check mode it
 * fails when a parameters file or a snapshot differs from a fresh one.
 *
 * Used by scripts/bicep.mjs (--write / --check).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/**
 * Runs the matrix; returns the number of problems (stale or failing snapshots).
 * @param {{ root: string, compiler: string, mode: 'write' | 'check', parallel?: number, only?: string[] }} options
 *   `only`: snapshot just these file bases (e.g. `rerun.infra`), after checking all parameters.
 */
export async function runSnapshots({ root, compiler, mode, parallel = 2, only }) {
  const dir = path.join(root, 'bicep', 'snapshots');
  const matrix = JSON.parse(readFileSync(path.join(dir, 'matrix.json'), 'utf8'));
  const lib = loadLibrary(root);
  const jobs = [];
  for (const entry of matrix.configurations) {
    const config = lib.loadConfig(
      {
        ...entry.config,
        target: 'azure',
        azure: { subscriptionId: matrix.subscriptionId, tenantId: matrix.tenantId },
      },
      {},
    );
    const names = lib.azureResourceNames(config, matrix.subscriptionId);
    const plan = { ...lib.defaultPlan(config), ...entry.plan };
    for (const template of entry.templates) {
      const parameters =
        template === 'infra'
          ? lib.infraParameters(config, names, plan)
          : lib.mainParameters(config, names, plan);
      jobs.push({
        base: `${entry.name}.${template}`,
        template,
        values: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, v.value])),
        args: [
          '--subscription-id',
          matrix.subscriptionId,
          '--tenant-id',
          matrix.tenantId,
          '--resource-group',
          // main.json is deployed to the APIM's resource group (lib/azure/azure-deploy.ts).
          template === 'main' ? names.apimResourceGroup : names.resourceGroup,
          '--location',
          config.deployment.location,
          '--deployment-name',
          template === 'infra' ? names.infraDeploymentName : names.mainDeploymentName,
        ],
      });
    }
  }
  const exportEntry = matrix.costExport;
  jobs.push({
    base: exportEntry.name,
    template: 'cost-export',
    values: exportEntry.parameters,
    args: [
      '--subscription-id',
      matrix.subscriptionId,
      '--tenant-id',
      matrix.tenantId,
      '--location',
      'eastus2',
      '--deployment-name',
      'apim-costing-cost-export',
    ],
  });

  let problems = 0;
  for (const job of jobs) {
    const valuesFile = path.join(dir, `${job.base}.parameters.json`);
    const valuesText = `${JSON.stringify(job.values, null, 2)}\n`;
    const paramFile = path.join(dir, `${job.base}.bicepparam`);
    const paramText = bicepparam(
      job.template,
      `${job.base}.parameters.json`,
      Object.keys(job.values),
    );
    for (const [file, text] of [
      [valuesFile, valuesText],
      [paramFile, paramText],
    ]) {
      if (mode === 'write') writeFileSync(file, text);
      else if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
        problems += 1;
        console.error(
          `STALE ${path.relative(root, file)}: differs from what the library sends now; run npm run build:bicep and commit it`,
        );
      }
    }
  }
  if (problems > 0) return problems;

  // Two snapshots at a time: each is a separate compiler process (about 7 s of mostly CPU).
  const queue = jobs.filter((j) => only === undefined || only.includes(j.base));
  const workers = Array.from({ length: parallel }, async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const paramFile = path.join(dir, `${job.base}.bicepparam`);
      const result = await run(compiler, [
        'snapshot',
        paramFile,
        '--mode',
        mode === 'write' ? 'overwrite' : 'validate',
        ...job.args,
      ]);
      const snapshot = path.relative(root, path.join(dir, `${job.base}.snapshot.json`));
      if (result.status !== 0) {
        problems += 1;
        console.error(
          `FAIL snapshot ${snapshot}${mode === 'check' ? ' differs from a fresh one (run npm run build:bicep and commit it)' : ''}:`,
        );
        console.error(
          `  ${`${result.stdout}\n${result.stderr}`.trim().split('\n').slice(0, 20).join('\n  ')}`,
        );
      } else {
        console.log(`${mode === 'write' ? 'wrote' : 'ok'} ${snapshot}`);
      }
    }
  });
  await Promise.all(workers);
  return problems;
}

/** A .bicepparam that takes every value from the JSON file beside it. */
function bicepparam(template, valuesFile, names) {
  return [
    '// Generated by scripts/bicep-snapshots.mjs (npm run build:bicep): do not edit.',
    `using '../${template}.bicep'`,
    '',
    `var values = loadJsonContent('${valuesFile}')`,
    '',
    ...names.map((n) => `param ${n} = values.${n}`),
    '',
  ].join('\n');
}

function loadLibrary(root) {
  const require = createRequire(path.join(root, 'package.json'));
  const dist = path.join(root, 'dist');
  if (!existsSync(path.join(dist, 'azure', 'azure-deploy.js'))) {
    console.error('dist/ is missing: run npm run build first (npm ci does it).');
    process.exit(1);
  }
  const { loadConfig } = require(path.join(dist, 'config', 'load-config.js'));
  const { azureResourceNames } = require(path.join(dist, 'azure', 'resource-names.js'));
  const { infraParameters, mainParameters } = require(path.join(dist, 'azure', 'azure-deploy.js'));
  const { defaultPlan } = require(path.join(dist, 'azure', 'preflight.js'));
  return { loadConfig, azureResourceNames, infraParameters, mainParameters, defaultPlan };
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', DOTNET_NOLOGO: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? 1, stdout, stderr }));
  });
}
