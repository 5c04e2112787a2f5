/**
 * Conversion functions: tostring, toint, tolong, todouble/toreal, todecimal, tobool,
 * todatetime, totimespan, toguid, parse_json/todynamic.
 */
import {
  dynamicOf,
  parseDatetime,
  parseTimespan,
  toKustoString,
  type Value,
} from '../engine/values.js';
import { registerScalar, type ScalarCompiler } from './registry.js';

registerScalar(
  'tostring',
  ([a]) => {
    const f = a!.fn;
    const t = a!.type;
    return (r) => toKustoString(f(r), t);
  },
  1,
);

function toNumber(v: Value): number | null {
  if (v === null) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return null;
    const n = Number(t);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

registerScalar(
  ['toint', 'tolong'],
  ([a]) => {
    const f = a!.fn;
    return (r) => {
      const n = toNumber(f(r));
      // Conversion of a real to an integer truncates toward zero.
      return n === null || !Number.isFinite(n) ? null : Math.trunc(n);
    };
  },
  1,
);

registerScalar(
  ['todouble', 'toreal', 'todecimal'],
  ([a]) => {
    const f = a!.fn;
    return (r) => toNumber(f(r));
  },
  1,
);

registerScalar(
  ['tobool', 'toboolean'],
  ([a]) => {
    const f = a!.fn;
    return (r) => {
      const v = f(r);
      if (v === null) return null;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true' || t === '1') return true;
        if (t === 'false' || t === '0') return false;
      }
      return null;
    };
  },
  1,
);

/**
 * `todatetime` / `totimespan`: a value already of the type passes, another number converts
 * with `fromNumber`, a string is parsed, anything else is null.
 */
function temporalConversion(
  type: 'datetime' | 'timespan',
  fromNumber: (v: number) => Value,
  fromString: (v: string) => Value,
): ScalarCompiler {
  return ([a]) => {
    const f = a!.fn;
    const same = a!.type === type;
    return (r) => {
      const v = f(r);
      if (v === null) return null;
      if (typeof v === 'number') return same ? v : fromNumber(v);
      return typeof v === 'string' ? fromString(v) : null;
    };
  };
}

registerScalar(
  ['todatetime'],
  temporalConversion('datetime', () => null, parseDatetime),
  1,
);

registerScalar(
  ['totimespan', 'totime'],
  // A number is ticks (100 ns).
  temporalConversion(
    'timespan',
    (v) => v / 10_000,
    (v) => parseTimespan(v) ?? null,
  ),
  1,
);

registerScalar(
  'toguid',
  ([a]) => {
    const f = a!.fn;
    return (r) => {
      const v = f(r);
      return typeof v === 'string' && /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(v)
        ? v.toLowerCase()
        : null;
    };
  },
  1,
);

registerScalar(
  ['parse_json', 'todynamic', 'toobject'],
  ([a]) => {
    const f = a!.fn;
    const t = a!.type;
    return (r) => {
      const v = f(r);
      if (t !== 'string' || typeof v !== 'string') return dynamicOf(v, t);
      // Documented (isnull/isempty tables): parse_json("") is null.
      if (v.trim() === '') return null;
      try {
        return JSON.parse(v) as Value;
      } catch {
        // Documented: text that is not valid JSON stays a dynamic string holding the text.
        return v;
      }
    };
  },
  1,
);
