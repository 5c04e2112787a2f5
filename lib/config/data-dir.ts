/**
 * The data folder must be one the kit may fill and clean up: never the project itself, a folder
 * holding it, the home directory or a filesystem root (clean-up would then be asked to empty it).
 */
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { ConfigProblem } from '../errors.js';

// The kit's own folder: lib/config or dist/config, two levels up.
const KIT_ROOT = path.resolve(__dirname, '..', '..');

function within(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A problem when `dataDir` is refused, else `undefined`. */
export function dataDirProblem(dataDir: string, cwd = process.cwd()): ConfigProblem | undefined {
  const abs = path.resolve(dataDir);
  const roots = [KIT_ROOT, path.resolve(cwd)];
  let why: string | undefined;
  if (path.parse(abs).root === abs) why = 'is a filesystem root';
  else if (abs === path.resolve(homedir())) why = 'is your home directory';
  else if (roots.some((r) => within(r, abs)))
    why =
      abs === KIT_ROOT || abs === path.resolve(cwd)
        ? 'is the project folder'
        : 'holds the project folder';
  if (why === undefined) return undefined;
  return {
    field: 'local.dataDir',
    received: JSON.stringify(dataDir),
    expected: `${why} (${abs}); clean-up empties the data folder, so use a folder of its own, such as '.data' (the default)`,
  };
}
