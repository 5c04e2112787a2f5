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
  let saved: Record<string, string> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      saved = parsed as Record<string, string>;
  } catch {
    // First start (or an unreadable file): new keys are generated below.
  }
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
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    trackDataFile(dataDir, file);
    writeFileSync(file, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  }
  return subs;
}
