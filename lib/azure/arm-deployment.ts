/**
 * Resource group create-if-missing and ARM template deployments with progress from the
 * deployment operations and, on failure, the failing resource and ARM's message.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeploymentsClient, DeploymentOperation } from '@azure/arm-resourcesdeployments';
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { OperationOptions } from '../target.js';
import { ArtifactError, AzurePendingError, type KitError } from '../errors.js';
import {
  armErrorOf,
  AzureDeploymentError,
  describeArmError,
  hasStatus,
  parseArmError,
  toKitError,
  type ArmErrorBody,
  type DeploymentFailure,
} from './azure-errors.js';

/** An ARM template parameter value as the deployment body carries it. */
export type TemplateParameters = Record<string, { value: unknown }>;

/** Options of {@link deployTemplate}. */
export interface DeployTemplateOptions extends OperationOptions {
  /** Interval between polls of the deployment and its operations. @default 5000 */
  pollIntervalMs?: number;
  /** What to tell the user to check when ARM rejects the template (the config fields). */
  rejectionHint?: string;
  /** What to tell the user when a resource fails during the deployment. */
  failureHint?: string;
  /** Tags of the deployment resource itself. */
  tags?: Record<string, string>;
}

/** A template output: ARM's `{ type, value }`. */
export type TemplateOutputs = Record<string, { type?: string; value: unknown }>;

/**
 * Creates the resource group when it does not exist (tagged as the kit's) and reports whether it did.
 * @returns `true` when the kit created it now.
 */
export async function ensureResourceGroup(
  resources: ResourceManagementClient,
  name: string,
  location: string,
  tags: Record<string, string>,
  options: OperationOptions = {},
): Promise<boolean> {
  try {
    await resources.resourceGroups.get(name, abortOptions(options));
    return false;
  } catch (error) {
    if (!hasStatus(error, 404)) throw toKitError(error, `reading resource group '${name}'`);
  }
  options.onProgress?.({ message: `Creating resource group ${name} in ${location}` });
  try {
    await resources.resourceGroups.createOrUpdate(name, { location, tags }, abortOptions(options));
  } catch (error) {
    throw toKitError(error, `creating resource group '${name}' in ${location}`);
  }
  return true;
}

/**
 * Deploys a compiled ARM template into a resource group (incremental mode) and returns its outputs.
 * Progress lines name the resources done so far; a failure names each failing resource.
 * @throws {@link AzureDeploymentError} when ARM rejects the template or a resource fails.
 */
export async function deployTemplate(
  client: DeploymentsClient,
  resourceGroup: string,
  deploymentName: string,
  template: unknown,
  parameters: TemplateParameters,
  options: DeployTemplateOptions = {},
): Promise<TemplateOutputs> {
  const pollIntervalMs = options.pollIntervalMs ?? 5000;
  const hint = options.rejectionHint ?? 'Fix the cause and run the cell again.';
  const failureHint = options.failureHint ?? 'Fix the cause above and run the cell again.';
  options.onProgress?.({
    message: `Deploying ${deploymentName} to resource group ${resourceGroup}`,
  });
  let rawError: ArmErrorBody | undefined;
  const poller = client.deployments.createOrUpdate(
    resourceGroup,
    deploymentName,
    {
      properties: { mode: 'Incremental', template, parameters },
      ...(options.tags !== undefined ? { tags: options.tags } : {}),
    },
    {
      updateIntervalInMs: pollIntervalMs,
      ...abortOptions(options),
      // The LRO error drops ARM's `details` (which say why validation failed); keep the raw body.
      onResponse: (raw) => {
        if (raw.status >= 400) rawError = parseArmError(raw.parsedBody ?? raw.bodyAsText);
      },
    },
  );
  let lastLine = '';
  const report = async (): Promise<void> => {
    if (options.onProgress === undefined) return;
    const ops = await listOperations(client, resourceGroup, deploymentName).catch(() => []);
    const resourcesOps = ops.filter(
      (op) => op.properties?.targetResource?.resourceType !== undefined,
    );
    const done = resourcesOps.filter(
      (op) => op.properties?.provisioningState === 'Succeeded',
    ).length;
    const running = resourcesOps
      .filter((op) => !['Succeeded', 'Failed'].includes(op.properties?.provisioningState ?? ''))
      .map((op) => op.properties?.targetResource?.resourceName ?? '?');
    const line = `${deploymentName}: ${done} resource(s) done${running.length > 0 ? `, running: ${running.slice(0, 3).join(', ')}` : ''}`;
    if (line !== lastLine) {
      lastLine = line;
      options.onProgress({ message: line, done, total: resourcesOps.length });
    }
  };
  try {
    await poller.submitted();
  } catch (error) {
    throw rejected(error, rawError, deploymentName, hint);
  }
  let result;
  try {
    while (!poller.isDone) {
      await poller.poll(abortOptions(options));
      if (!poller.isDone) {
        await report();
        await sleep(pollIntervalMs, undefined, { signal: options.signal });
      }
    }
    result = await poller;
  } catch (error) {
    if (options.signal?.aborted === true) throw error;
    throw await failed(client, resourceGroup, deploymentName, failureHint, error);
  }
  const state = result.properties?.provisioningState;
  if (state !== undefined && state !== 'Succeeded') {
    throw await failed(client, resourceGroup, deploymentName, failureHint, undefined);
  }
  await report();
  options.onProgress?.({ message: `${deploymentName}: succeeded` });
  return (result.properties?.outputs ?? {}) as TemplateOutputs;
}

/** ARM turned the template down before deploying anything (validation: SKU, region, quota...). */
function rejected(
  error: unknown,
  raw: ArmErrorBody | undefined,
  deploymentName: string,
  hint: string,
): KitError {
  const { statusCode, body: parsed } = armErrorOf(error);
  const body = raw ?? parsed;
  if (statusCode === 400 && body !== undefined) {
    const failure: DeploymentFailure = {
      resourceType: 'Microsoft.Resources/deployments',
      resourceName: deploymentName,
      code: body.code,
      message: describeDetails(body),
    };
    return new AzureDeploymentError(
      deploymentName,
      [failure],
      `ARM rejected the template before deploying. ${hint}`,
      { cause: error },
    );
  }
  if (statusCode === 409 && body?.code === 'DeploymentActive') {
    // An earlier run (cancelled here, or from another kernel) is still deploying in Azure.
    return new AzurePendingError(
      `Deployment '${deploymentName}' is still running in Azure from an earlier run; wait until it finishes (resource group > Deployments in the portal), then run cell A2 again.`,
      { cause: error },
    );
  }
  return toKitError(error, `starting deployment '${deploymentName}'`);
}

async function failed(
  client: DeploymentsClient,
  resourceGroup: string,
  deploymentName: string,
  hint: string,
  error: unknown,
): Promise<KitError> {
  const failures = await collectFailures(client, resourceGroup, deploymentName, 0);
  if (failures.length === 0) {
    const { body } = armErrorOf(error);
    if (body === undefined && error !== undefined)
      return toKitError(error, `deploying '${deploymentName}'`);
    failures.push({
      resourceType: 'Microsoft.Resources/deployments',
      resourceName: deploymentName,
      code: body?.code ?? 'DeploymentFailed',
      message: body !== undefined ? describeDetails(body) : 'the deployment did not succeed',
    });
  }
  return new AzureDeploymentError(deploymentName, failures, hint, { cause: error });
}

/** Failed operations of a deployment; a failed nested deployment (module) is opened one level. */
async function collectFailures(
  client: DeploymentsClient,
  resourceGroup: string,
  deploymentName: string,
  depth: number,
): Promise<DeploymentFailure[]> {
  const ops = await listOperations(client, resourceGroup, deploymentName).catch(() => []);
  const out: DeploymentFailure[] = [];
  for (const op of ops) {
    const props = op.properties;
    if (props?.provisioningState !== 'Failed') continue;
    const target = props.targetResource;
    const type = target?.resourceType ?? 'unknown';
    const name = target?.resourceName ?? 'unknown';
    if (type === 'Microsoft.Resources/deployments' && depth < 2) {
      const inner = await collectFailures(client, resourceGroup, name, depth + 1);
      if (inner.length > 0) {
        out.push(...inner);
        continue;
      }
    }
    const error = parseArmError(props.statusMessage?.error ?? props.statusMessage);
    out.push({
      resourceType: type,
      resourceName: name,
      code: error?.code ?? props.statusCode ?? 'Failed',
      message: error !== undefined ? describeDetails(error) : 'no message from ARM',
    });
  }
  return out;
}

function describeDetails(body: {
  code: string;
  message: string;
  details?: { code: string; message: string }[];
}): string {
  const described = describeArmError(body);
  return described.startsWith(`${body.code}: `) ? described.slice(body.code.length + 2) : described;
}

async function listOperations(
  client: DeploymentsClient,
  resourceGroup: string,
  deploymentName: string,
): Promise<DeploymentOperation[]> {
  const out: DeploymentOperation[] = [];
  for await (const op of client.deploymentOperations.list(resourceGroup, deploymentName))
    out.push(op);
  return out;
}

/** Reads one output value, or throws naming the missing output. */
export function outputValue(outputs: TemplateOutputs, name: string): unknown {
  const entry = outputs[name];
  if (entry === undefined)
    throw new ArtifactError(
      `The deployment has no output '${name}': the committed template is out of date; run npm run build:bicep.`,
    );
  return entry.value;
}

function abortOptions(options: OperationOptions): { abortSignal?: AbortSignal } {
  return options.signal !== undefined ? { abortSignal: options.signal } : {};
}
