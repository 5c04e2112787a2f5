/**
 * `clean-up.ipynb` on Azure: deletes exactly what `create.ipynb` made, found by name (and, for
 * top-level resources, by the kit tag), with a dry-run listing first. It never deletes an APIM
 * service or resource group the kit did not create.
 */
import type { CleanUpItem, CleanUpOptions } from '../target.js';
import { cleanUpCandidates } from './clean-up-candidates.js';
import { hasStatus, toKitError } from './azure-errors.js';
import { KIT_MARKER } from './preflight.js';
import { hasKitTag, idForSdk, KIT_TAG } from './resource-names.js';
import {
  cleanUpExport,
  cleanUpResourceGroup,
  mainDeploymentParameters,
  purgeSoftDeleted,
  type Candidate,
  type CleanUpContext,
} from './clean-up-steps.js';

export type { CleanUpContext } from './clean-up-steps.js';
export { cleanUpCandidates } from './clean-up-candidates.js';

/**
 * Lists (dry run, the default) or deletes what the kit made.
 * @returns one item per thing found: `would-delete`, `deleted`, `already-gone` or `kept` (with the reason).
 */
export async function cleanUpAzure(
  context: CleanUpContext,
  options: CleanUpOptions = {},
): Promise<CleanUpItem[]> {
  const dryRun = options.dryRun ?? true;
  const { config, names, resources } = context;
  const abort = options.signal !== undefined ? { abortSignal: options.signal } : {};
  const items: CleanUpItem[] = [];

  let rgTags: Record<string, string> | undefined;
  try {
    const rg = await resources.resourceGroups.get(names.resourceGroup, abort);
    rgTags = rg.tags ?? {};
  } catch (error) {
    if (!hasStatus(error, 404))
      throw toKitError(error, `reading resource group '${names.resourceGroup}'`);
  }

  items.push(await cleanUpExport(context, dryRun, options));
  if (rgTags === undefined) {
    items.push({
      kind: 'resource group',
      name: names.resourceGroup,
      action: 'already-gone',
      reason: 'the resource group does not exist',
    });
    return items;
  }

  const scheduled = new Set<string>();
  const candidates = cleanUpCandidates(config, names);
  const kitParameters = await mainDeploymentParameters(context, abort);
  const softDeleted: { candidate: Candidate; deletedNow: boolean }[] = [];
  for (const [i, candidate] of candidates.entries()) {
    options.onProgress?.({
      message: `${dryRun ? 'Checking' : 'Removing'} ${candidate.kind} ${candidate.name}`,
      done: i,
      total: candidates.length,
    });
    let tags: Record<string, string> | undefined;
    let description: string;
    try {
      const found = await resources.resources.getById(
        idForSdk(candidate.id),
        candidate.apiVersion,
        abort,
      );
      tags = found.tags;
      const props = found.properties as { description?: unknown } | undefined;
      description = typeof props?.description === 'string' ? props.description : '';
    } catch (error) {
      if (hasStatus(error, 404)) {
        if (candidate.softDeleted !== undefined) softDeleted.push({ candidate, deletedNow: false });
        items.push({ kind: candidate.kind, name: candidate.name, action: 'already-gone' });
        continue;
      }
      throw toKitError(error, `reading ${candidate.kind} '${candidate.name}'`);
    }
    if (candidate.keep !== undefined) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: candidate.keep,
      });
      continue;
    }
    if (candidate.marker === true && !description.startsWith(KIT_MARKER)) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: `its description does not start with '${KIT_MARKER}', so the kit did not make it`,
      });
      continue;
    }
    if (candidate.deployedWhen !== undefined && kitParameters[candidate.deployedWhen] !== true) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: 'it was there before the kit (its deployment did not create it)',
      });
      continue;
    }
    if (candidate.tagged && !hasKitTag(tags, config)) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'kept',
        reason: `it has no '${KIT_TAG}=${config.deployment.index}' tag, so the kit did not create it`,
      });
      continue;
    }
    scheduled.add(candidate.id.toLowerCase());
    if (candidate.softDeleted !== undefined) softDeleted.push({ candidate, deletedNow: true });
    if (dryRun) {
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'would-delete',
        ...(candidate.note !== undefined ? { reason: candidate.note } : {}),
      });
      continue;
    }
    try {
      await resources.resources.deleteById(idForSdk(candidate.id), candidate.apiVersion, {
        ...abort,
        ...(candidate.ifMatch === true ? { requestOptions: { headers: { 'If-Match': '*' } } } : {}),
      });
      items.push({
        kind: candidate.kind,
        name: candidate.name,
        action: 'deleted',
        ...(candidate.note !== undefined ? { reason: candidate.note } : {}),
      });
    } catch (error) {
      if (hasStatus(error, 404))
        items.push({ kind: candidate.kind, name: candidate.name, action: 'already-gone' });
      else throw toKitError(error, `deleting ${candidate.kind} '${candidate.name}'`);
    }
  }

  items.push(...(await purgeSoftDeleted(context, softDeleted, options, dryRun, abort)));
  items.push(await cleanUpResourceGroup(context, rgTags, scheduled, dryRun, abort));
  return items;
}
