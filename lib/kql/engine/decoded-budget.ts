/**
 * How many decoded values of store columns the engine keeps between queries. A store column
 * is typed (codes, Float64Array); a query that reads it value by value decodes it once into
 * an array of values, which the cached source frame keeps for the next query. At a million
 * rows that is a few arrays and saves the next query the decoding; at ten million each is
 * hundreds of megabytes of pointers the garbage collector walks on every full collection.
 * So they are kept up to a budget of cells, the least recently read dropped first, and never
 * one the running query has read (its code may hold the array, or read it again).
 */
import type { Value } from './values.js';

/** Cells (values) of decoded store columns kept across queries. */
export const DECODED_CELLS_BUDGET = 1 << 24;

interface Decoded {
  cells: number;
  /** The query that last read it. */
  query: number;
  drop: () => void;
}

let query = 0;
let kept = 0;
const entries = new Set<Decoded>();

/** Marks the start of a query: what earlier queries decoded may be dropped from now on. */
export function beginDecodedQuery(): void {
  query++;
}

/** Cells of decoded store columns held now (for tests and benchmarks). */
export function decodedCells(): number {
  return kept;
}

/** A store column's decoded values within the budget. */
export interface BudgetedValues {
  /** The values, decoded on first read, and again after being dropped. */
  read(): Value[];
  /** Lets them go now (the column's table changed, so no query reads them again). */
  forget(): void;
}

/** Decoded values of `cells` cells, made by `decode` when read. */
export function budgetedValues(cells: number, decode: () => Value[]): BudgetedValues {
  let data: Value[] | undefined;
  const entry: Decoded = {
    cells,
    query,
    drop: () => {
      data = undefined;
    },
  };
  return {
    read() {
      entry.query = query;
      if (data) return data;
      data = decode();
      entries.add(entry);
      kept += cells;
      if (kept > DECODED_CELLS_BUDGET) evict();
      return data;
    },
    forget() {
      if (!entries.delete(entry)) return;
      entry.drop();
      kept -= cells;
    },
  };
}

function evict(): void {
  const older = [...entries].filter((e) => e.query < query).sort((a, b) => a.query - b.query);
  for (const e of older) {
    if (kept <= DECODED_CELLS_BUDGET) break;
    e.drop();
    entries.delete(e);
    kept -= e.cells;
  }
}
