/**
 * Converts log store tables into engine frames. Columns convert lazily (a query reading 5 of
 * 59 columns converts 5), and the result is cached per table until its `version` or visible
 * row count changes, so repeated queries over the same data skip the conversion.
 */
import type { LogTable, LogTableSource } from '../log-tables.js';
import type { KColumnSchema } from '../types.js';
import { lazyColumn, type Column, type Frame } from './frame.js';
import { fromStored, normaliseType, nullOf, type Value } from './values.js';

interface Entry {
  key: string;
  frame: Frame;
}

const cache = new WeakMap<LogTableSource, Map<string, Entry>>();

function storedColumn(
  name: string,
  type: string,
  rows: readonly Record<string, unknown>[],
  n: number,
): Column {
  // `n` is fixed when the frame is made: the store may append to the same array afterwards.
  return lazyColumn(name, type, () => {
    const out = new Array<Value>(n);
    if (type === 'string') {
      for (let i = 0; i < n; i++) {
        const v = rows[i]![name];
        out[i] = typeof v === 'string' ? v : fromStored(v, type);
      }
    } else {
      for (let i = 0; i < n; i++) out[i] = fromStored(rows[i]![name], type);
    }
    return out;
  });
}

/** The frame of a source table; `schema` adds columns the store does not list (as nulls). */
export function sourceFrame(
  source: LogTableSource,
  name: string,
  schema: readonly KColumnSchema[] | undefined,
): Frame | undefined {
  const table: LogTable | undefined = source.getTable(name);
  if (!table) {
    if (!schema) return undefined;
    return {
      columns: schema.map((c) => ({ name: c.name, type: normaliseType(c.type), data: [] })),
      length: 0,
    };
  }
  let perSource = cache.get(source);
  if (!perSource) {
    perSource = new Map();
    cache.set(source, perSource);
  }
  const key = `${table.version}:${table.rows.length}`;
  const hit = perSource.get(name);
  if (hit && hit.key === key) return hit.frame;
  const rows = table.rows as readonly Record<string, unknown>[];
  const n = rows.length;
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const c of table.columns) {
    seen.add(c.name);
    columns.push(storedColumn(c.name, normaliseType(c.type), rows, n));
  }
  for (const c of schema ?? []) {
    if (seen.has(c.name)) continue;
    const type = normaliseType(c.type);
    columns.push({ name: c.name, type, data: new Array<Value>(n).fill(nullOf(type)) });
  }
  const frame: Frame = { columns, length: n };
  perSource.set(name, { key, frame });
  return frame;
}
