/**
 * The local target's subscription keys (the BUs' and the APIs' own): kept in the data folder so
 * a kernel restart (or a second A2) keeps the same keys, generated the way APIM shapes them
 * (32 hex characters).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DATA_FILES } from '../artifacts/names.js';
import { trackDataFile } from '../ledger/data-folder.js';
import { LocalEmulatorError } from '../errors.js';
import type { BuSubscription } from '../target.js';

/** A subscription that needs a key: its id (name) and display name. */
export interface KeyedSubscription {
  id: string;
  displayName: string;
}

/**
 * The subscriptions with keys from the data folder, generating (and saving) missing ones.
 * @example const [hr] = loadOrCreateKeys(dataDir, [{ id: 'bu-hr', displayName: 'HR' }]);
 */
export function loadOrCreateKeys(
  dataDir: string,
  subscriptions: readonly KeyedSubscription[],
): BuSubscription[] {
  const file = path.join(dataDir, DATA_FILES.keys);
  const saved = readSavedKeys(file);
  let changed = false;
  const subs = subscriptions.map((s) => {
    let key = saved[s.id];
    if (typeof key !== 'string' || !/^[0-9a-f]{32}$/.test(key)) {
      // APIM keys are 32 hex characters.
      key = randomBytes(16).toString('hex');
      saved[s.id] = key;
      changed = true;
    }
    return { id: s.id, displayName: s.displayName, primaryKey: key };
  });
  sharedKeyCheck(file, subs);
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    trackDataFile(dataDir, file);
    writeFileSync(file, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  }
  return subs;
}

const REMEDY = 'delete it (or run clean-up) and run cell A2 again to generate new keys';

function readSavedKeys(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // First start: new keys are generated.
    if (code === 'ENOENT') return {};
    throw new LocalEmulatorError(
      `The subscription keys file ${file} cannot be read (${code === 'EISDIR' ? 'it is a folder' : (err as Error).message}): ${REMEDY}.`,
      { cause: err },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LocalEmulatorError(
      `The subscription keys file ${file} is not valid JSON (${(err as Error).message}): ${REMEDY}.`,
      { cause: err },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new LocalEmulatorError(
      `The subscription keys file ${file} is not an object of subscription names to keys: ${REMEDY}.`,
    );
  return parsed as Record<string, string>;
}

/** One key opening two subscriptions would log one BU's traffic under the other's name. */
function sharedKeyCheck(file: string, subs: readonly BuSubscription[]): void {
  const owner = new Map<string, string>();
  for (const s of subs) {
    const first = owner.get(s.primaryKey);
    if (first !== undefined)
      throw new LocalEmulatorError(
        `The subscription keys file ${file} gives ${first} and ${s.id} the same key: each subscription needs its own (the gateway could not tell them apart). Remove one of the two entries, or ${REMEDY}.`,
      );
    owner.set(s.primaryKey, s.id);
  }
}
