/**
 * The steps of the Azure clean-up that are not a plain delete by id: reading who made what from
 * the kit's main deployment record, purging soft-deleted services, the subscription-scoped Cost
 * Management export, and the resource group (only when the kit made it and it is empty).
 */
import type { ResourceManagementClient } from '@azure/arm-resources';
import type { CostManagementClient } from '@azure/arm-costmanagement';
import type { KitConfig } from '../config/types.js';
import type { CleanUpItem, CleanUpOptions } from '../target.js';
import { hasStatus, toKitError } from './azure-errors.js';
import {
  apimScope,
  hasKitTag,
  idForSdk,
  resourceId,
  type AzureResourceNames,
} from './resource-names.js';

/** One thing clean-up looks for. */
export interface Candidate {
  kind: string;
  name: string;
  id: string;
  apiVersion: string;
  /** Top-level resources must carry the kit tag; APIM child entities have no tags. */
  tagged: boolean;
  /** APIM entities delete only with an `If-Match` header (`*` = unconditional). */
  ifMatch?: boolean;
  /** Never delete, with this reason (an APIM the user brought). */
  keep?: string;
  /** A note for the report when deleted. */
  note?: string;
  /**
   * The entity cannot be tagged: delete it only when its description starts with the kit
   * marker (a user's logger or fragment of the same name is kept).
   */
  marker?: boolean;
  /** Delete only when the kit's main deployment record sets this parameter to true. */
  deployedWhen?: string;
  /** Soft-deleted by Azure when deleted: where the deleted entry lives, for the purge. */
  softDeleted?: { id: string; apiVersion: string };
}

/** What the clean-up works with. */
export interface CleanUpContext {
  config: KitConfig;
  names: AzureResourceNames;
  resources: ResourceManagementClient;
  costManagement: CostManagementClient;
}

/** Parameters of the kit's last main deployment (who made what), empty when there is none. */
export async function mainDeploymentParameters(
  context: CleanUpContext,
  abort: { abortSignal?: AbortSignal },
): Promise<Record<string, unknown>> {
  // main.json is deployed to the APIM's resource group (lib/azure/azure-deploy.ts).
  const recordId = resourceId(
    apimScope(context.names),
    'Microsoft.Resources/deployments',
    context.names.mainDeploymentName,
  );
  try {
    const record = await context.resources.resources.getById(
      idForSdk(recordId),
      '2025-04-01',
      abort,
    );
    const parameters = (record.properties as { parameters?: unknown } | undefined)?.parameters;
    if (parameters === null || typeof parameters !== 'object') return {};
    return Object.fromEntries(
      Object.entries(parameters as Record<string, { value?: unknown }>).map(([k, v]) => [
        k,
        v.value,
      ]),
    );
  } catch (error) {
    if (hasStatus(error, 404)) return {};
    throw toKitError(error, `reading deployment '${context.names.mainDeploymentName}'`);
  }
}

/**
 * APIM and AI Services stay soft-deleted for 48 hours, and their names cannot be created again
 * meanwhile (the next create.ipynb fails): purge them only when asked to.
 */
export async function purgeSoftDeleted(
  context: CleanUpContext,
  candidates: readonly { candidate: Candidate; deletedNow: boolean }[],
  options: CleanUpOptions,
  dryRun: boolean,
  abort: { abortSignal?: AbortSignal },
): Promise<CleanUpItem[]> {
  const items: CleanUpItem[] = [];
  for (const { candidate, deletedNow } of candidates) {
    const target = candidate.softDeleted;
    if (target === undefined) continue;
    const kind = `soft-deleted ${candidate.kind}`;
    let until: string | undefined;
    try {
      const entry = await context.resources.resources.getById(
        idForSdk(target.id),
        target.apiVersion,
        abort,
      );
      const date = (entry.properties as { scheduledPurgeDate?: unknown } | undefined)
        ?.scheduledPurgeDate;
      until = typeof date === 'string' ? date : 'its purge date';
    } catch (error) {
      if (!hasStatus(error, 404))
        throw toKitError(error, `reading the soft-deleted ${candidate.kind} '${candidate.name}'`);
      // Not soft-deleted: in a dry run with the purge asked for, what would be deleted will be.
      if (!(dryRun && deletedNow && options.purgeSoftDeleted === true)) continue;
    }
    if (options.purgeSoftDeleted !== true) {
      items.push({
        kind,
        name: candidate.name,
        action: 'kept',
        reason: `Azure keeps it until ${until ?? 'its purge date'}, and the name cannot be reused meanwhile; clean up with purgeSoftDeleted: true to purge it`,
      });
      continue;
    }
    if (dryRun) {
      items.push({
        kind,
        name: candidate.name,
        action: 'would-delete',
        reason: 'purge: frees the name at once',
      });
      continue;
    }
    try {
      await context.resources.resources.deleteById(idForSdk(target.id), target.apiVersion, abort);
      items.push({
        kind,
        name: candidate.name,
        action: 'deleted',
        reason: 'purged: the name can be used again',
      });
    } catch (error) {
      if (hasStatus(error, 404)) items.push({ kind, name: candidate.name, action: 'already-gone' });
      else
        throw toKitError(error, `purging the soft-deleted ${candidate.kind} '${candidate.name}'`);
    }
  }
  return items;
}

export async function cleanUpExport(
  context: CleanUpContext,
  dryRun: boolean,
  options: CleanUpOptions,
): Promise<CleanUpItem> {
  const { names, costManagement } = context;
  const scope = `subscriptions/${names.subscriptionId}`;
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const item = { kind: 'Cost Management export', name: names.costExportName };
  try {
    await costManagement.exports.get(scope, names.costExportName, abort);
  } catch (error) {
    if (hasStatus(error, 404)) return { ...item, action: 'already-gone' };
    throw toKitError(error, `reading Cost Management export '${names.costExportName}'`);
  }
  if (dryRun) return { ...item, action: 'would-delete' };
  try {
    await costManagement.exports.delete(scope, names.costExportName, abort);
  } catch (error) {
    if (hasStatus(error, 404)) return { ...item, action: 'already-gone' };
    throw toKitError(error, `deleting Cost Management export '${names.costExportName}'`);
  }
  return { ...item, action: 'deleted' };
}

/** The resource group goes only when the kit created it and nothing else is left in it. */
export async function cleanUpResourceGroup(
  context: CleanUpContext,
  rgTags: Record<string, string>,
  scheduled: Set<string>,
  dryRun: boolean,
  abort: { abortSignal?: AbortSignal },
): Promise<CleanUpItem> {
  const { config, names, resources } = context;
  const item = { kind: 'resource group', name: names.resourceGroup };
  if (!hasKitTag(rgTags, config))
    return { ...item, action: 'kept', reason: 'the kit did not create this resource group' };
  const others: string[] = [];
  try {
    for await (const r of resources.resources.listByResourceGroup(names.resourceGroup, abort)) {
      const id = (r.id ?? '').toLowerCase();
      // In a dry run, what is scheduled still exists; after deletion, soft-deleted leftovers do not list.
      if (!(dryRun && scheduled.has(id))) others.push(r.name ?? id);
    }
  } catch (error) {
    throw toKitError(error, `listing resource group '${names.resourceGroup}'`);
  }
  if (others.length > 0) {
    return {
      ...item,
      action: 'kept',
      reason: `it still holds ${others.length} resource(s) the kit did not delete: ${others.slice(0, 5).join(', ')}`,
    };
  }
  if (dryRun)
    return {
      ...item,
      action: 'would-delete',
      reason: 'the kit created it and nothing else is in it',
    };
  try {
    await resources.resourceGroups.delete(names.resourceGroup, abort);
  } catch (error) {
    if (hasStatus(error, 404)) return { ...item, action: 'already-gone' };
    throw toKitError(error, `deleting resource group '${names.resourceGroup}'`);
  }
  return { ...item, action: 'deleted' };
}
