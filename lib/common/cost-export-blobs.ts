/**
 * Where a Cost Management export puts its files and how a reader finds the newest complete run:
 * `<container>/<rootFolderPath>/<exportName>/<YYYYMMDD-YYYYMMDD>/<runId>/part_<i>_<nnnn>.csv` plus
 * `manifest.json` in the run folder, written last (a run folder without a manifest is still
 * being written). The same code reads Azurite (local) and Azure Storage (azure).
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { CostExportRunFiles } from '../target.js';
import { CostExportAccessError } from '../errors.js';

/** `YYYYMMDD-YYYYMMDD` of a period (the date-range folder). */
export function dateRangeFolder(start: Date, end: Date): string {
  const d = (x: Date) => x.toISOString().slice(0, 10).replaceAll('-', '');
  return `${d(start)}-${d(end)}`;
}

/** The folder every run of an export lives under. */
export function exportFolder(rootFolderPath: string, exportName: string): string {
  return `${rootFolderPath.replace(/^\/+|\/+$/g, '')}/${exportName}/`;
}

/** Name of the `index`-th data file of a run (1-based), as partitioned exports name them. */
export function partFileName(index: number): string {
  return `part_0_${String(index).padStart(4, '0')}.csv`;
}

/** True when the error is Storage's 403 (no data role) or 401. */
function isDenied(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return status === 403 || status === 401;
}

/**
 * Reads the newest complete run of an export: lists the export's folder, keeps the run folders
 * that hold a `manifest.json`, picks the newest by `runInfo.submittedTime`, then downloads the
 * data files the manifest lists (and only those).
 * @returns the run, or `undefined` when no complete run exists; `inProgress` names run folders without a manifest.
 * @throws CostExportAccessError when Storage answers 401/403 (the reader needs Storage Blob Data Reader).
 */
export async function readNewestExportRun(
  container: ContainerClient,
  folder: string,
  account: string,
  signal?: AbortSignal,
): Promise<{ run: CostExportRunFiles | undefined; inProgress: string[] }> {
  const manifests: string[] = [];
  const runFolders = new Set<string>();
  try {
    for await (const blob of container.listBlobsFlat({
      prefix: folder,
      ...(signal ? { abortSignal: signal } : {}),
    })) {
      const parts = blob.name.slice(folder.length).split('/');
      if (parts.length < 3) continue;
      const runFolder = `${folder}${parts[0]}/${parts[1]}/`;
      runFolders.add(runFolder);
      if (parts.length === 3 && parts[2] === 'manifest.json') manifests.push(blob.name);
    }
  } catch (error) {
    if (isDenied(error)) throw new CostExportAccessError(account, container.containerName, error);
    if ((error as { statusCode?: unknown }).statusCode === 404)
      return { run: undefined, inProgress: [] };
    throw error;
  }
  const withManifest = new Set(manifests.map((m) => m.slice(0, -'manifest.json'.length)));
  const inProgress = [...runFolders].filter((f) => !withManifest.has(f));
  const parsed: { path: string; manifest: unknown; submitted: number }[] = [];
  for (const path of manifests) {
    const text = await download(container, path, account, signal);
    let manifest: unknown;
    try {
      manifest = JSON.parse(text);
    } catch {
      manifest = { unreadable: text.slice(0, 200) };
    }
    const submitted = Date.parse(
      String((manifest as { runInfo?: { submittedTime?: unknown } }).runInfo?.submittedTime ?? ''),
    );
    parsed.push({ path, manifest, submitted: Number.isNaN(submitted) ? 0 : submitted });
  }
  parsed.sort((a, b) => b.submitted - a.submitted || b.path.localeCompare(a.path));
  const newest = parsed[0];
  if (newest === undefined) return { run: undefined, inProgress };
  const listed = (newest.manifest as { blobs?: { blobName?: unknown }[] }).blobs ?? [];
  const blobs: { name: string; text: string }[] = [];
  for (const b of Array.isArray(listed) ? listed : []) {
    if (typeof b?.blobName !== 'string') continue;
    blobs.push({ name: b.blobName, text: await download(container, b.blobName, account, signal) });
  }
  return {
    run: {
      account,
      container: container.containerName,
      manifestPath: newest.path,
      manifest: newest.manifest,
      blobs,
    },
    inProgress,
  };
}

async function download(
  container: ContainerClient,
  name: string,
  account: string,
  signal: AbortSignal | undefined,
): Promise<string> {
  try {
    const buf = await container
      .getBlobClient(name)
      .downloadToBuffer(undefined, undefined, signal ? { abortSignal: signal } : {});
    return buf.toString('utf8');
  } catch (error) {
    if (isDenied(error)) throw new CostExportAccessError(account, container.containerName, error);
    throw error;
  }
}
