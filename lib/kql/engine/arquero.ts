/**
 * arquero (ESM-only, loaded through Node's require(esm)) behind a small typed surface: the
 * engine uses it to remove duplicate rows (`distinct`).
 */
import { createRequire } from 'node:module';

/** The parts of an arquero table the engine uses. */
export interface AqTable {
  numRows(): number;
  array(name: string): ArrayLike<unknown>;
  groupby(...keys: string[]): AqTable;
  groups(): { keys: Uint32Array; rows: number[]; size: number } | null;
  dedupe(...keys: (string | string[])[]): AqTable;
  join(
    other: AqTable,
    on: [string[], string[]],
    values: [string[], string[]],
    options?: { left?: boolean; right?: boolean },
  ): AqTable;
  semijoin(other: AqTable, on: [string[], string[]]): AqTable;
  antijoin(other: AqTable, on: [string[], string[]]): AqTable;
  reify(): AqTable;
}

interface Arquero {
  table(columns: Record<string, ArrayLike<unknown>>): AqTable;
}

let loaded: Arquero | undefined;

/** The arquero module (7.2.x). */
export function aq(): Arquero {
  if (!loaded) loaded = createRequire(__filename)('arquero') as Arquero;
  return loaded;
}
