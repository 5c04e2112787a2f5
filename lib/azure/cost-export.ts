/**
 * Cells B2/B3 on Azure: the Cost Management export (create-or-recreate, system-assigned
 * identity), Storage Blob Data Contributor for that identity on the storage account (retried
 * while the new identity propagates), and a run now.
 */
import type { CostManagementClient } from '@azure/arm-costmanagement';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { ActionOutcome, OperationOptions } from '../target.js';
import type { RoleRetryOptions } from './azure-options.js';
import { AzurePendingError, AzureRequestError, CostExportRunError } from '../errors.js';
import { armJson, COST_MANAGEMENT_API_VERSION, type ArmSender } from './azure-clients.js';
import { armErrorOf, hasStatus, parseArmError, toKitError } from './azure-errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { focusExportBody } from '../common/cost-export-definition.js';
import {
  deterministicGuid,
  idForSdk,
  STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE,
  type AzureResourceNames,
} from './resource-names.js';

/** How often the export runs (`governance.costExportFrequency`). */
export interface CostExportOptions extends OperationOptions {
  frequency: 'Daily' | 'Weekly' | 'Monthly';
}

/** What the export step needs from the deployment. */
export interface CostExportContext {
  names: AzureResourceNames;
  storageResourceId: string;
  container: string;
}

/** The export body (PROTOCOLS 7.6): the FOCUS dataset, month to date, daily CSV, system-assigned identity. */
export function costExportBody(
  context: CostExportContext,
  frequency: CostExportOptions['frequency'],
  now: Date,
): Record<string, unknown> {
  return focusExportBody(
    { storageResourceId: context.storageResourceId, container: context.container },
    frequency,
    now,
  );
}

/**
 * Creates (or deletes and recreates) the export, then grants its identity Storage Blob Data Contributor.
 * @returns `done` with the export id and principal id.
 */
export async function createCostExport(
  costManagement: CostManagementClient,
  authorization: AuthorizationManagementClient,
  context: CostExportContext,
  options: CostExportOptions & { now?: Date; roleRetry?: RoleRetryOptions },
): Promise<ActionOutcome> {
  // The SDK's URL template is `/{scope}/providers/...`: the scope has no leading slash.
  const scope = `subscriptions/${context.names.subscriptionId}`;
  const name = context.names.costExportName;
  const path = `/${scope}/providers/Microsoft.CostManagement/exports/${name}`;
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  let recreated = false;
  try {
    await costManagement.exports.get(scope, name, abort);
    options.onProgress?.({ message: `Export ${name} exists: deleting it to recreate it` });
    await costManagement.exports.delete(scope, name, abort);
    recreated = true;
  } catch (error) {
    if (!hasStatus(error, 404)) throw toKitError(error, `reading Cost Management export '${name}'`);
  }
  options.onProgress?.({
    message: `Creating Cost Management export ${name} (${options.frequency})`,
  });
  // The SDK's export model has no `identity`; the REST body needs it, so this PUT goes through
  // the SDK client's pipeline with the body of PROTOCOLS 7.6.
  const created = await armJson(
    costManagement,
    'PUT',
    path,
    COST_MANAGEMENT_API_VERSION,
    costExportBody(context, options.frequency, options.now ?? new Date()),
    options.signal,
  );
  if (created.status !== 200 && created.status !== 201) {
    const arm = parseArmError(created.body);
    throw new AzureRequestError(
      `Creating Cost Management export '${name}' failed (${created.status}${arm !== undefined ? `, ${arm.code}: ${arm.message}` : ''}). ` +
        'You need Cost Management Contributor on the subscription, and Microsoft.CostManagementExports must be registered.',
      created.status,
      arm?.code,
    );
  }
  const principalId = principalOf(created.body);
  if (principalId === undefined)
    throw new AzureRequestError(
      `Cost Management export '${name}' came back without a system-assigned identity; run cell B2 again.`,
      created.status,
      'NoIdentity',
    );

  const assignment = await assignBlobContributor(
    authorization,
    context.storageResourceId,
    principalId,
    options,
  );
  return {
    status: 'done',
    summary: `Cost Management export ${name} ${recreated ? 'recreated' : 'created'} (FOCUS ${options.frequency}, CSV to ${context.container}); ${assignment}.`,
    details: { exportId: path, principalId, storageAccount: context.names.storageAccountName },
  };
}

/**
 * Grants Storage Blob Data Contributor on the storage account; a new identity may not be
 * visible to RBAC for a while (PrincipalNotFound), and an existing assignment is fine.
 * @returns one line saying what happened.
 */
export async function assignBlobContributor(
  authorization: AuthorizationManagementClient,
  storageResourceId: string,
  principalId: string,
  options: OperationOptions & { roleRetry?: RoleRetryOptions } = {},
): Promise<string> {
  const subscriptionId = storageResourceId.split('/')[2] ?? '';
  const attempts = options.roleRetry?.attempts ?? 10;
  const delayMs = options.roleRetry?.delayMs ?? 10_000;
  const name = deterministicGuid(
    storageResourceId.toLowerCase(),
    principalId,
    STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE,
  );
  for (let attempt = 1; ; attempt += 1) {
    try {
      await authorization.roleAssignments.create(
        idForSdk(storageResourceId),
        name,
        {
          roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE}`,
          principalId,
          principalType: 'ServicePrincipal',
        },
        options.signal !== undefined ? { abortSignal: options.signal } : {},
      );
      return 'Storage Blob Data Contributor granted to the export identity';
    } catch (error) {
      const { statusCode, body } = armErrorOf(error);
      if (statusCode === 409 && body?.code === 'RoleAssignmentExists')
        return 'Storage Blob Data Contributor was already granted';
      const propagating = statusCode === 400 && body?.code === 'PrincipalNotFound';
      if (!propagating || attempt >= attempts) {
        if (propagating) {
          throw new AzurePendingError(
            `The export identity ${principalId} was still unknown to Azure RBAC after ${attempts} attempts; wait a minute and run cell B2 again.`,
            { cause: error },
          );
        }
        throw toKitError(error, 'granting Storage Blob Data Contributor to the export identity');
      }
      options.onProgress?.({
        message: `Waiting for the export identity to propagate (attempt ${attempt}/${attempts})`,
      });
      await sleep(delayMs, undefined, { signal: options.signal });
    }
  }
}

/** Options of {@link runCostExport}. */
export interface RunCostExportOptions extends OperationOptions {
  /** Interval between reads of the run history. @default 15000 */
  pollIntervalMs?: number;
  /** Clock (tests). @default `() => new Date()` */
  now?: () => Date;
}

/** Run statuses that end a run (ExportRunProperties.status, 2025-03-01 definition). */
const FINISHED = new Set([
  'Completed',
  'Failed',
  'Timeout',
  'NewDataNotAvailable',
  'DataNotAvailable',
]);

/**
 * Runs the export once now (cell B3) and waits until that run finishes: the run request is
 * accepted at once even when the run later fails (for example while the new identity's role
 * is still propagating), so success is only what the run history says.
 * @throws KitError when the run fails, times out in Azure, or is still running at `timeoutMs` (default 20 min).
 */
export async function runCostExport(
  costManagement: CostManagementClient,
  names: AzureResourceNames,
  options: RunCostExportOptions = {},
): Promise<ActionOutcome> {
  const scope = `subscriptions/${names.subscriptionId}`;
  const now = options.now ?? (() => new Date());
  // Azure's clock and ours differ a little: a run submitted just before "now" is still ours.
  const since = now().getTime() - 5 * 60_000;
  try {
    await costManagement.exports.execute(
      scope,
      names.costExportName,
      options.signal !== undefined ? { abortSignal: options.signal } : {},
    );
  } catch (error) {
    if (hasStatus(error, 404))
      throw new AzureRequestError(
        `Cost Management export '${names.costExportName}' does not exist yet: run cell B2 first.`,
        404,
        'NotFound',
        { cause: error },
      );
    throw toKitError(error, `running Cost Management export '${names.costExportName}'`);
  }
  const path = `/${scope}/providers/Microsoft.CostManagement/exports/${names.costExportName}/runHistory`;
  const deadline = Date.now() + (options.timeoutMs ?? 20 * 60_000);
  for (;;) {
    const run = await newestRun(costManagement, path, since, options.signal);
    const status = run?.status ?? 'Queued';
    if (FINISHED.has(status)) return finishedRun(names.costExportName, status, run);
    options.onProgress?.({ message: `Export run ${status.toLowerCase()}` });
    if (Date.now() >= deadline) {
      throw new AzurePendingError(
        `The Cost Management export run is still ${status} after ${Math.round((options.timeoutMs ?? 20 * 60_000) / 60_000)} min; it goes on in Azure: run cell B3 again later to see how it ended.`,
      );
    }
    await sleep(options.pollIntervalMs ?? 15_000, undefined, { signal: options.signal });
  }
}

interface ExportRunInfo {
  status: string;
  fileName?: string;
  error?: { code?: string; message?: string };
}

/** The newest on-demand run submitted since `since`, from the run history (raw REST, 2025-03-01). */
async function newestRun(
  sender: ArmSender,
  path: string,
  since: number,
  signal: AbortSignal | undefined,
): Promise<ExportRunInfo | undefined> {
  const { status, body } = await armJson(
    sender,
    'GET',
    path,
    COST_MANAGEMENT_API_VERSION,
    undefined,
    signal,
  );
  if (status !== 200) {
    const arm = parseArmError(body);
    throw new AzureRequestError(
      `Reading the run history of the Cost Management export failed (${status}${arm !== undefined ? `, ${arm.code}: ${arm.message}` : ''}); run cell B3 again.`,
      status,
      arm?.code,
    );
  }
  const runs = ((body as { value?: unknown } | undefined)?.value ?? []) as {
    properties?: {
      executionType?: string;
      status?: string;
      submittedTime?: string;
      fileName?: string;
      error?: { code?: string; message?: string };
    };
  }[];
  const ours = runs
    .map((r) => r.properties ?? {})
    .filter((p) => p.executionType !== 'Scheduled' && Date.parse(p.submittedTime ?? '') >= since)
    .sort((a, b) => Date.parse(b.submittedTime ?? '') - Date.parse(a.submittedTime ?? ''))[0];
  return ours === undefined
    ? undefined
    : {
        status: ours.status ?? 'Queued',
        ...(ours.fileName !== undefined ? { fileName: ours.fileName } : {}),
        ...(ours.error !== undefined ? { error: ours.error } : {}),
      };
}

function finishedRun(name: string, status: string, run: ExportRunInfo | undefined): ActionOutcome {
  if (status === 'Completed')
    return {
      status: 'done',
      summary: `Cost Management export ${name} ran: completed${run?.fileName !== undefined ? `, file ${run.fileName}` : ''}.`,
    };
  if (status === 'NewDataNotAvailable' || status === 'DataNotAvailable')
    return {
      status: 'done',
      summary: `Cost Management export ${name} ran, but Azure had no ${status === 'NewDataNotAvailable' ? 'new ' : ''}cost data for the period yet (${status}); run cell B3 again later.`,
    };
  const why =
    run?.error !== undefined
      ? `: ${run.error.code ?? ''}${run.error.code !== undefined ? ': ' : ''}${run.error.message ?? ''}`
      : '';
  throw new CostExportRunError(
    status,
    `The Cost Management export run ${status === 'Timeout' ? 'timed out' : 'failed'} (${status}${why}). If cell B2 ran just now, the export identity's Storage Blob Data Contributor role may still be propagating: wait a few minutes and run cell B3 again.`,
  );
}

function principalOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const identity = (body as { identity?: { principalId?: unknown } }).identity;
  return typeof identity?.principalId === 'string' ? identity.principalId : undefined;
}
