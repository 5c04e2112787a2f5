/**
 * How the engine holds Kusto values: strings as strings (never null: Kusto strings are empty
 * instead), numbers (int, long, real, decimal) as numbers, datetimes as epoch milliseconds,
 * timespans as milliseconds, bools as booleans, dynamic as parsed JSON; `null` is null.
 */

/** One cell as the engine holds it. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** Kusto scalar type names the engine distinguishes. */
export type KustoType =
  | 'string'
  | 'long'
  | 'int'
  | 'real'
  | 'decimal'
  | 'bool'
  | 'datetime'
  | 'timespan'
  | 'dynamic'
  | 'guid';

const INTEGER_TYPES = new Set(['int', 'long']);

/** Whether values of this type are integers (division truncates). */
export function isIntegerType(type: string): boolean {
  return INTEGER_TYPES.has(type);
}

/** Normalises a Kusto type name (`boolean` to `bool`, `double` to `real`...). */
export function normaliseType(type: string): KustoType {
  switch (type) {
    case 'boolean':
      return 'bool';
    case 'double':
      return 'real';
    case 'date':
      return 'datetime';
    case 'time':
      return 'timespan';
    case 'uniqueid':
      return 'guid';
    case 'string':
    case 'long':
    case 'int':
    case 'real':
    case 'decimal':
    case 'bool':
    case 'datetime':
    case 'timespan':
    case 'dynamic':
    case 'guid':
      return type;
    default:
      return 'dynamic';
  }
}

/** The default (null) value of a type: `''` for strings, null otherwise. */
export function nullOf(type: string): Value {
  return type === 'string' ? '' : null;
}

const MS = {
  tick: 1e-4,
  microsecond: 1e-3,
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

const UNIT_ALIASES: Record<string, number> = {
  d: MS.day,
  day: MS.day,
  days: MS.day,
  h: MS.hour,
  hr: MS.hour,
  hrs: MS.hour,
  hour: MS.hour,
  hours: MS.hour,
  m: MS.minute,
  min: MS.minute,
  minute: MS.minute,
  minutes: MS.minute,
  s: MS.second,
  sec: MS.second,
  second: MS.second,
  seconds: MS.second,
  ms: MS.millisecond,
  milli: MS.millisecond,
  millis: MS.millisecond,
  millisecond: MS.millisecond,
  milliseconds: MS.millisecond,
  microsecond: MS.microsecond,
  microseconds: MS.microsecond,
  tick: MS.tick,
  ticks: MS.tick,
};

/** Parses a timespan literal body (`1h`, `1.5d`, `01:02:03`, `2.01:00:00.5`); `undefined` if not one. */
export function parseTimespan(text: string): number | null | undefined {
  const t = text.trim();
  if (t === 'null') return null;
  const unit = /^(-?\d+(?:\.\d+)?)\s*([a-zA-Z]+)$/.exec(t);
  if (unit) {
    const factor = UNIT_ALIASES[unit[2]!.toLowerCase()];
    return factor === undefined ? undefined : Number(unit[1]) * factor;
  }
  const clock = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d+))?)?$/.exec(t);
  if (clock) {
    const [, neg, d, h, m, s, f] = clock;
    const ms =
      Number(d ?? 0) * MS.day +
      Number(h) * MS.hour +
      Number(m) * MS.minute +
      Number(s ?? 0) * MS.second +
      (f ? Number(`0.${f}`) * 1000 : 0);
    return neg ? -ms : ms;
  }
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * MS.day;
  return undefined;
}

/** Parses a datetime text as UTC (a text without zone is UTC in Kusto); null when invalid. */
export function parseDatetime(text: string): number | null {
  // Fast path for what the log store writes: `2024-01-01T10:00:00.000Z`.
  if (text.length === 24 && text.charCodeAt(23) === 90 && text.charCodeAt(10) === 84) {
    const fast = Date.parse(text);
    if (!Number.isNaN(fast)) return fast;
  }
  let t = text.trim();
  if (t === '' || t === 'null') return null;
  if (/^\d{4}-\d{2}-\d{2}[ T]\d/.test(t)) t = t.replace(' ', 'T');
  // Kusto keeps 7 fractional digits; JavaScript parses at most 3.
  t = t.replace(/(\.\d{3})\d+/, '$1');
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$/.test(t)) t = t.includes('T') ? `${t}Z` : `${t}T00:00:00Z`;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

/** Kusto's text form of a datetime: `2024-01-15T10:00:00Z` or with 7 fractional digits. */
export function formatDatetime(ms: number): string {
  const iso = new Date(ms).toISOString();
  const frac = ms - Math.floor(ms / 1000) * 1000;
  if (frac === 0) return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso.replace(/\.(\d{3})Z$/, (_m, d: string) => `.${d}0000Z`);
}

/** Kusto's text form of a timespan: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespan(ms: number): string {
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const days = Math.floor(rest / MS.day);
  rest -= days * MS.day;
  const h = Math.floor(rest / MS.hour);
  rest -= h * MS.hour;
  const m = Math.floor(rest / MS.minute);
  rest -= m * MS.minute;
  const s = Math.floor(rest / MS.second);
  rest -= s * MS.second;
  const pad = (n: number): string => String(n).padStart(2, '0');
  let out = `${neg ? '-' : ''}${days > 0 ? `${days}.` : ''}${pad(h)}:${pad(m)}:${pad(s)}`;
  const ticks = Math.round(rest * 10_000);
  if (ticks > 0) out += `.${String(ticks).padStart(7, '0')}`;
  return out;
}

/** Kusto `tostring()`: null becomes `''`, datetimes and timespans use Kusto's text forms. */
export function toKustoString(v: Value, type?: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (type === 'datetime') return formatDatetime(v);
    if (type === 'timespan') return formatTimespan(v);
    return formatNumber(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return String(n);
}

/** Whether two values are equal for grouping, `distinct` and `in`. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'object' || typeof b === 'object')
    return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** A string key for hashing a value (type-tagged so `1` and `'1'` differ). */
export function valueKey(v: Value): string {
  if (v === null) return '\u0000n';
  switch (typeof v) {
    case 'string':
      return `s${v}`;
    case 'number':
      return `n${v}`;
    case 'boolean':
      return v ? 'b1' : 'b0';
    default:
      return `j${JSON.stringify(v)}`;
  }
}

/** Orders two non-null values of the same kind (numbers numerically, strings ordinally). */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Converts a stored cell (ISO datetime strings, JSON text in dynamic columns) to the engine's form. */
export function fromStored(v: unknown, type: string): Value {
  if (v === undefined || v === null) return nullOf(type);
  switch (type) {
    case 'string':
    case 'guid':
      return typeof v === 'string' ? v : toKustoString(v as Value);
    case 'datetime':
      if (typeof v === 'number') return v;
      if (v instanceof Date) return v.getTime();
      return typeof v === 'string' ? parseDatetime(v) : null;
    case 'timespan':
      if (typeof v === 'number') return v;
      return typeof v === 'string' ? (parseTimespan(v) ?? null) : null;
    case 'int':
    case 'long':
    case 'real':
    case 'decimal': {
      const n = typeof v === 'number' ? v : Number(v);
      return Number.isNaN(n) && typeof v !== 'number' ? null : n;
    }
    case 'bool':
      return typeof v === 'boolean'
        ? v
        : v === 'true' || v === 1
          ? true
          : v === 'false' || v === 0
            ? false
            : null;
    default:
      return v as Value;
  }
}

/** Converts an engine value to what a `KqlTable` carries (datetimes as ISO strings). */
export function toOutput(v: Value, type: string): Value {
  if (v === null) return type === 'string' ? '' : null;
  if (type === 'datetime' && typeof v === 'number') return new Date(v).toISOString();
  if (type === 'timespan' && typeof v === 'number') return formatTimespan(v);
  return v;
}

/**
 * A typed value as it is held inside a dynamic value (an element of `pack_array`, `make_list`,
 * a property of `bag_pack`): a datetime becomes its ISO text (as the engine writes datetimes
 * everywhere) and a timespan its Kusto text (`01:00:00`), so neither turns into a bare number.
 */
export function dynamicOf(v: Value, type: string): Value {
  if (v === null || typeof v !== 'number') return v;
  if (type === 'datetime') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  if (type === 'timespan') return formatTimespan(v);
  return v;
}
