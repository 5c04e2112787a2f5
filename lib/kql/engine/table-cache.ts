/**
 * Converts log store tables into engine frames. Columns convert lazily (a query reading 5 of
 * 59 columns converts 5), and the result is cached per table until its `version` or visible
 * row count changes, so repeated queries over the same data skip the conversion.
 */
import type { LogTable, LogTableSource, StoredColumn } from '../log-tables.js';
import type { KColumnSchema } from '../types.js';
import { lazyColumn, type Column, type Frame, type NumberBounds } from './frame.js';
import { budgetedValues } from './decoded-budget.js';
import { fromStored, normaliseType, nullOf, type Value } from './values.js';
import { decodeCodes } from '../packed-strings.js';

interface Entry {
  key: string;
  frame: Frame;
}

const cache = new WeakMap<LogTableSource, Map<string, Entry>>();
/** How a store column lets its decoded values go when its table's frame is replaced. */
const forgetters = new WeakMap<Column, () => void>();

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

function isPlainValues(values: ArrayLike<unknown>, n: number): values is Value[] {
  return Array.isArray(values) && values.length === n && !values.includes(undefined);
}

/**
 * An engine column over a columnar source's column, read from the source on first use
 * (strings hand their codes to joins and groupings without decoding).
 */
function columnarColumn(
  name: string,
  type: string,
  read: () => StoredColumn | undefined,
  n: number,
): Column {
  let got: StoredColumn | undefined;
  const storedOf = (): StoredColumn => {
    got ??= read() ?? { kind: 'values', values: new Array<null>(n).fill(null) };
    return got;
  };
  const values = budgetedValues(n, () => {
    const stored = storedOf();
    // A dynamic column's stored values are already what the engine reads (parsed JSON, null
    // where missing): the array is handed over rather than copied (10M references at 10M rows).
    if (stored.kind === 'values' && type === 'dynamic' && isPlainValues(stored.values, n))
      return stored.values;
    const out = new Array<Value>(n);
    switch (stored.kind) {
      case 'dict':
        decodeCodes(stored.dict, stored.codes, out, n);
        if (type !== 'string') for (let i = 0; i < n; i++) out[i] = fromStored(out[i], type);
        break;
      case 'number': {
        const { values, nulls } = stored;
        if (type === 'bool')
          for (let i = 0; i < n; i++) out[i] = nulls?.[i] === 1 ? null : values[i] !== 0;
        else for (let i = 0; i < n; i++) out[i] = nulls?.[i] === 1 ? null : values[i]!;
        break;
      }
      case 'bool':
        for (let i = 0; i < n; i++) {
          const b = stored.values[i]!;
          out[i] = b === -1 ? null : b === 1;
        }
        break;
      default:
        for (let i = 0; i < n; i++) out[i] = fromStored(stored.values[i], type);
    }
    return out;
  });
  let assigned: Value[] | undefined;
  const col: Column = {
    name,
    type,
    get data(): Value[] {
      return assigned ?? values.read();
    },
    set data(v: Value[]) {
      assigned = v;
    },
  };
  forgetters.set(col, values.forget);
  if (type !== 'string' && type !== 'bool') {
    col.numeric = () => {
      const stored = storedOf();
      if (stored.kind !== 'number') return undefined;
      const { values, nulls } = stored;
      return values.length === n
        ? { values, nulls }
        : { values: values.subarray(0, n), nulls: nulls?.subarray(0, n) };
    };
    let bounds: NumberBounds | null | undefined;
    col.bounds = () => {
      if (bounds === undefined) {
        const stored = storedOf();
        bounds = stored.kind === 'number' ? numberBounds(stored.values, stored.nulls) : null;
      }
      return bounds ?? undefined;
    };
  }
  if (type === 'bool') {
    col.bools = () => {
      const stored = storedOf();
      return stored.kind === 'bool' ? stored.values.subarray(0, n) : undefined;
    };
  }
  if (type === 'string') {
    col.encode = () => {
      const stored = storedOf();
      return stored.kind === 'dict' ? { codes: stored.codes, dict: stored.dict } : undefined;
    };
    col.cheapEncoding = true;
  }
  return col;
}

function numberBounds(values: Float64Array, nulls: Uint8Array | undefined): NumberBounds | null {
  let min = Infinity;
  let max = -Infinity;
  let hasNulls = false;
  for (let i = 0; i < values.length; i++) {
    if (nulls?.[i] === 1) {
      hasNulls = true;
      continue;
    }
    const v = values[i]!;
    if (Number.isNaN(v)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max, hasNulls } : null;
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
  const columnar = table.column?.bind(table);
  const n = columnar ? (table.length ?? 0) : table.rows.length;
  const key = `${table.version}:${n}`;
  const hit = perSource.get(name);
  if (hit && hit.key === key) return hit.frame;
  // Rows came or went: the old frame's decoded values are never read again.
  if (hit) for (const c of hit.frame.columns) forgetters.get(c)?.();
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const c of table.columns) {
    seen.add(c.name);
    const type = normaliseType(c.type);
    columns.push(
      columnar
        ? columnarColumn(c.name, type, () => columnar(c.name), n)
        : storedColumn(c.name, type, table.rows as readonly Record<string, unknown>[], n),
    );
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
