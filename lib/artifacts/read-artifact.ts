/**
 * Where the plain-file artifacts live. Both targets read them from here; names, headers and
 * metric names come from these files, not from constants in TypeScript.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The kit's root folder (the one holding `package.json`), from `lib/` or from `dist/`. */
export const KIT_ROOT: string = path.resolve(__dirname, '..', '..');

/** Absolute path of an artifact, e.g. `artifactPath('kql', 'bu-token-usage.kql')`. */
export function artifactPath(...segments: string[]): string {
  return path.join(KIT_ROOT, ...segments);
}

/** Reads an artifact as UTF-8 text. */
export function readArtifact(...segments: string[]): string {
  return readFileSync(artifactPath(...segments), 'utf8');
}
