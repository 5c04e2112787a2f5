/**
 * Work a batch's queries repeat on the same columns, done once per batch: a workbook's tiles
 * group the same LLM log by `CorrelationId`, sum the same `TotalTokens` per group and test the
 * same `ResponseCode >= 500`, each over a million rows. A source table's frame (and so its
 * columns) is the same object for every query of the batch while the table does not change
 * (table-cache.ts), and a filter every row passes hands its input on, so a column object
 * names its values exactly. Results live as long as the batch: a later refresh recomputes.
 */
import type { ExecContext } from './context.js';
import type { QueryBatch } from './shared-results.js';

const memos = new WeakMap<QueryBatch, WeakMap<object, Map<string, unknown>>>();
const ids = new WeakMap<object, number>();
let nextId = 1;

/** A number naming an object (a column) in memo keys. */
export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

/**
 * `compute()` once per batch for `owner` and `key` (the result must never be mutated by its
 * readers); without a batch, computed each time.
 */
export function batchMemo<T>(ctx: ExecContext, owner: object, key: string, compute: () => T): T {
  const batch = ctx.batch;
  if (!batch) return compute();
  let perBatch = memos.get(batch);
  if (!perBatch) {
    perBatch = new WeakMap();
    memos.set(batch, perBatch);
  }
  let perOwner = perBatch.get(owner);
  if (!perOwner) {
    perOwner = new Map();
    perBatch.set(owner, perOwner);
  }
  if (perOwner.has(key)) return perOwner.get(key) as T;
  const value = compute();
  perOwner.set(key, value);
  return value;
}
