/**
 * The data folder's bookkeeping: which files the kit wrote there (the manifest clean-up removes,
 * and nothing else), and which kernel holds it (one kernel per data folder, so two kernels never
 * interleave their runs in one ledger).
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { DATA_FILES } from '../artifacts/names.js';
import { DataFolderLockedError, LedgerError } from '../errors.js';

interface Manifest {
  version: 1;
  /** Paths relative to the data folder, `/`-separated. */
  files: string[];
}

const known = new Map<string, Set<string>>();

function manifestFile(dataDir: string): string {
  return path.join(dataDir, DATA_FILES.manifest);
}

function relative(dataDir: string, file: string): string {
  const rel = path.relative(dataDir, path.resolve(dataDir, file));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel))
    throw new LedgerError(
      `The kit tried to track ${file}, which is not inside the data folder ${dataDir}.`,
    );
  return rel.split(path.sep).join('/');
}

/**
 * The files the manifest lists (relative to the data folder), or `[]` when there is none.
 * @throws {@link LedgerError} naming the manifest when it is not one.
 */
export function trackedFiles(dataDirIn: string): string[] {
  const dataDir = path.resolve(dataDirIn);
  const file = manifestFile(dataDir);
  if (!existsSync(file)) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LedgerError(
      `The kit's file list ${file} cannot be read (${(err as Error).message}): clean-up only removes files it lists; delete the data folder by hand if you are sure nothing else is in it.`,
      { cause: err },
    );
  }
  const m = parsed as Partial<Manifest> | null;
  if (
    !m ||
    m.version !== 1 ||
    !Array.isArray(m.files) ||
    m.files.some((f) => typeof f !== 'string')
  )
    throw new LedgerError(
      `The kit's file list ${file} is not a version-1 list of file names: clean-up only removes files it lists; delete the data folder by hand if you are sure nothing else is in it.`,
    );
  return m.files;
}

/**
 * Records that the kit wrote `file` (absolute, or relative to the data folder). Cheap after the
 * first call for a file: the list is kept in memory and rewritten only when it grows.
 */
export function trackDataFile(dataDirIn: string, file: string): void {
  const dataDir = path.resolve(dataDirIn);
  const rel = relative(dataDir, file);
  let set = known.get(dataDir);
  if (!set) {
    set = new Set(existsSync(manifestFile(dataDir)) ? safeTracked(dataDir) : []);
    known.set(dataDir, set);
  }
  if (set.has(rel)) return;
  set.add(rel);
  writeManifest(dataDir, set);
}

/**
 * Records that a whole folder of the data folder is the kit's (one another program writes for
 * it, such as Azurite's account data): clean-up removes every file below it.
 */
export function trackDataFolder(dataDirIn: string, folder: string): void {
  const dataDir = path.resolve(dataDirIn);
  trackDataFile(dataDir, path.join(dataDir, `${relative(dataDir, folder)}${FOLDER_MARK}`));
}

/** Suffix of a manifest entry that stands for a whole folder. */
const FOLDER_MARK = '/*';

/** The manifest's entries with every folder entry replaced by the files below it now. */
function expandFolders(dataDir: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const rel of entries) {
    if (!rel.endsWith(FOLDER_MARK)) {
      out.push(rel);
      continue;
    }
    const folder = rel.slice(0, -FOLDER_MARK.length);
    out.push(...filesBelow(path.join(dataDir, folder), folder));
  }
  return out;
}

function filesBelow(dir: string, prefix: string): string[] {
  const out: string[] = [];
  for (const name of readdirNames(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...filesBelow(full, `${prefix}/${name}`));
    else if (st) out.push(`${prefix}/${name}`);
  }
  return out;
}

function safeTracked(dataDir: string): string[] {
  try {
    return trackedFiles(dataDir);
  } catch {
    // A broken list is rebuilt from what this kernel writes; clean-up reports the broken one.
    return [];
  }
}

function writeManifest(dataDir: string, set: ReadonlySet<string>): void {
  mkdirSync(dataDir, { recursive: true });
  const file = manifestFile(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  const body: Manifest = { version: 1, files: [...set].sort() };
  writeFileSync(temp, `${JSON.stringify(body, null, 1)}\n`, 'utf8');
  renameSync(temp, file);
}

/** Forgets the manifest (after clean-up removed it). */
export function forgetTrackedFiles(dataDir: string): void {
  known.delete(path.resolve(dataDir));
}

/** What {@link removeTrackedFiles} did with one file. */
export interface RemovedFile {
  name: string;
  action: 'would-delete' | 'deleted' | 'already-gone' | 'kept';
  reason?: string;
}

/**
 * Removes (or, on a dry run, lists) the files the manifest names, then the folders they leave
 * empty and the data folder itself when nothing else is in it. Foreign files stay, listed as kept.
 */
export function removeTrackedFiles(dataDirIn: string, dryRun: boolean): RemovedFile[] {
  const dataDir = path.resolve(dataDirIn);
  if (!existsSync(dataDir)) return [];
  const files = [...expandFolders(dataDir, trackedFiles(dataDir)), DATA_FILES.manifest];
  const out: RemovedFile[] = [];
  for (const rel of files) {
    const full = path.join(dataDir, rel);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) {
      if (rel !== DATA_FILES.manifest) out.push({ name: rel, action: 'already-gone' });
      continue;
    }
    if (!st.isFile()) {
      out.push({ name: rel, action: 'kept', reason: 'not a file the kit wrote (a folder now)' });
      continue;
    }
    out.push({ name: rel, action: dryRun ? 'would-delete' : 'deleted' });
    if (!dryRun) rmSync(full, { force: true });
  }
  for (const rel of foreignFiles(dataDir, new Set(files)))
    out.push({ name: rel, action: 'kept', reason: 'the kit did not write it' });
  if (!dryRun) {
    forgetTrackedFiles(dataDir);
    removeEmptyFolders(dataDir);
  }
  return out;
}

function foreignFiles(dir: string, mine: ReadonlySet<string>, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirNames(dir)) {
    const rel = prefix ? `${prefix}/${name}` : name;
    const full = path.join(dir, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...foreignFiles(full, mine, rel));
    else if (st && !mine.has(rel) && !/\.\d+(\.\d+)?\.tmp$/.test(name)) out.push(rel);
  }
  return out;
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Removes `dir`'s empty sub-folders, then `dir` when it is empty; never anything with a file. */
function removeEmptyFolders(dir: string): boolean {
  let empty = true;
  for (const name of readdirNames(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (st?.isDirectory() && removeEmptyFolders(full)) continue;
    empty = false;
  }
  if (empty) rmdirSync(dir);
  return empty;
}

interface LockBody {
  pid: number;
  startedAt: string;
}

const held = new Set<string>();

/** Whether a process with this pid is alive (EPERM: alive, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder for this process: writes the lock file with this pid, or throws when a
 * live process holds it. A lock whose holder is gone (a killed kernel) is taken over.
 * @throws {@link DataFolderLockedError} naming the folder and how to pick another.
 */
export function acquireDataFolder(dataDirIn: string): void {
  const dataDir = path.resolve(dataDirIn);
  if (held.has(dataDir)) return;
  const file = path.join(dataDir, DATA_FILES.lock);
  mkdirSync(dataDir, { recursive: true });
  for (let tries = 0; tries < 3; tries += 1) {
    const body: LockBody = { pid: process.pid, startedAt: new Date().toISOString() };
    try {
      writeFileSync(file, `${JSON.stringify(body)}\n`, { flag: 'wx' });
      held.add(dataDir);
      trackDataFile(dataDir, DATA_FILES.lock);
      installRelease();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(file);
    if (holder === process.pid) {
      held.add(dataDir);
      installRelease();
      return;
    }
    if (holder !== undefined && pidAlive(holder)) throw new DataFolderLockedError(dataDir, holder);
    // The holder is gone (or the file is unreadable): the lock is stale.
    rmSync(file, { force: true });
  }
  throw new DataFolderLockedError(dataDir, lockHolder(file) ?? 0);
}

function lockHolder(file: string): number | undefined {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockBody>;
    return typeof body.pid === 'number' ? body.pid : undefined;
  } catch {
    return undefined;
  }
}

/** Gives the data folder up (target close, clean-up, process exit). */
export function releaseDataFolder(dataDirIn: string): void {
  const dataDir = path.resolve(dataDirIn);
  if (!held.delete(dataDir)) return;
  const file = path.join(dataDir, DATA_FILES.lock);
  if (lockHolder(file) === process.pid) rmSync(file, { force: true });
}

let releaseInstalled = false;
function installRelease(): void {
  if (releaseInstalled) return;
  releaseInstalled = true;
  process.once('exit', () => {
    for (const dir of [...held]) releaseDataFolder(dir);
  });
}
