/**
 * Date and time functions, all in UTC: now, ago, datetime_diff, datetime_add, format_datetime,
 * format_timespan, unixtime_*_todatetime. Calendar parts (startof*, endof*, datetime_part, the
 * ISO week) are in datetime-parts.ts.
 */
import { KqlRuntimeError } from '../errors.js';
import type { Value } from '../engine/values.js';
import { registerScalar, unary } from './registry.js';
import { startOfDay, startOfWeek } from './datetime-parts.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

registerScalar(
  'now',
  ([offset], _t, _n, scope) => {
    const base = scope.ctx.now;
    if (!offset) return () => base;
    const fo = offset.fn;
    return (r) => {
      const o = fo(r);
      return o === null ? null : base + (o as number);
    };
  },
  1,
);

registerScalar(
  'ago',
  ([span], _t, _n, scope) => {
    const base = scope.ctx.now;
    const fs = span!.fn;
    return (r) => {
      const s = fs(r);
      return s === null ? null : base - (s as number);
    };
  },
  1,
);

registerScalar(
  'unixtime_milliseconds_todatetime',
  unary((v) => v as number),
  1,
);
registerScalar(
  'unixtime_seconds_todatetime',
  unary((v) => (v as number) * 1000),
  1,
);

function diff(part: string, a: number, b: number): number {
  const da = new Date(a);
  const db = new Date(b);
  switch (part) {
    case 'year':
      return da.getUTCFullYear() - db.getUTCFullYear();
    case 'quarter':
      return (
        (da.getUTCFullYear() - db.getUTCFullYear()) * 4 +
        Math.floor(da.getUTCMonth() / 3) -
        Math.floor(db.getUTCMonth() / 3)
      );
    case 'month':
      return (da.getUTCFullYear() - db.getUTCFullYear()) * 12 + da.getUTCMonth() - db.getUTCMonth();
    case 'week':
      return Math.round((startOfWeek(a) - startOfWeek(b)) / (7 * DAY));
    case 'day':
      return Math.round((startOfDay(a) - startOfDay(b)) / DAY);
    case 'hour':
      return Math.floor(a / HOUR) - Math.floor(b / HOUR);
    case 'minute':
      return Math.floor(a / MINUTE) - Math.floor(b / MINUTE);
    case 'second':
      return Math.floor(a / 1000) - Math.floor(b / 1000);
    case 'millisecond':
      return Math.floor(a) - Math.floor(b);
    case 'microsecond':
      return Math.round((a - b) * 1000);
    case 'nanosecond':
      return Math.round((a - b) * 1_000_000);
    default:
      throw new KqlRuntimeError(`datetime_diff: unknown period '${part}'.`);
  }
}

registerScalar(
  'datetime_diff',
  ([p, a, b]) => {
    const fp = p!.fn;
    const fa = a!.fn;
    const fb = b!.fn;
    return (r) => {
      const x = fa(r);
      const y = fb(r);
      if (x === null || y === null) return null;
      return diff(String(fp(r)).toLowerCase(), x as number, y as number);
    };
  },
  3,
);

/** Adds calendar months the .NET way: the day is clamped to the target month's last day. */
function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  return Date.UTC(y, m, day) + (ms - startOfDay(ms));
}

function add(part: string, amount: number, ms: number): number {
  switch (part) {
    case 'year':
      return addMonths(ms, 12 * amount);
    case 'quarter':
      return addMonths(ms, 3 * amount);
    case 'month':
      return addMonths(ms, amount);
    case 'week':
      return ms + amount * 7 * DAY;
    case 'day':
      return ms + amount * DAY;
    case 'hour':
      return ms + amount * HOUR;
    case 'minute':
      return ms + amount * MINUTE;
    case 'second':
      return ms + amount * 1000;
    case 'millisecond':
      return ms + amount;
    case 'microsecond':
      return ms + amount / 1000;
    case 'nanosecond':
      return ms + amount / 1_000_000;
    default:
      throw new KqlRuntimeError(`datetime_add: unknown period '${part}'.`);
  }
}

registerScalar(
  'datetime_add',
  ([p, n, d]) => {
    const fp = p!.fn;
    const fn = n!.fn;
    const fd = d!.fn;
    return (r) => {
      const amount = fn(r);
      const ms = fd(r);
      if (amount === null || ms === null) return null;
      return add(String(fp(r)).toLowerCase(), amount as number, ms as number);
    };
  },
  3,
);

const FORMAT_TOKEN = /(yyyy|yy|y|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt)/g;

/** `format_datetime` with the documented .NET-style specifiers. */
export function formatWith(ms: number, format: string): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const fraction = ((Math.round(ms) % 1000) + 1000) % 1000;
  return format.replace(FORMAT_TOKEN, (tok) => {
    switch (tok) {
      case 'yyyy':
        return pad(d.getUTCFullYear(), 4);
      case 'yy':
        return pad(d.getUTCFullYear() % 100);
      case 'y':
        return String(d.getUTCFullYear() % 100);
      case 'MM':
        return pad(d.getUTCMonth() + 1);
      case 'M':
        return String(d.getUTCMonth() + 1);
      case 'dd':
        return pad(d.getUTCDate());
      case 'd':
        return String(d.getUTCDate());
      case 'HH':
        return pad(d.getUTCHours());
      case 'H':
        return String(d.getUTCHours());
      case 'hh':
        return pad(d.getUTCHours() % 12 || 12);
      case 'h':
        return String(d.getUTCHours() % 12 || 12);
      case 'mm':
        return pad(d.getUTCMinutes());
      case 'm':
        return String(d.getUTCMinutes());
      case 'ss':
        return pad(d.getUTCSeconds());
      case 's':
        return String(d.getUTCSeconds());
      case 'tt':
        return d.getUTCHours() < 12 ? 'AM' : 'PM';
      default: {
        const digits = (pad(fraction, 3) + '0000').slice(0, tok.length);
        return tok.startsWith('F') ? digits.replace(/0+$/, '') : digits;
      }
    }
  });
}

registerScalar(
  'format_datetime',
  ([d, f]) => {
    const fd = d!.fn;
    const ff = f!.fn;
    return (r) => {
      const ms = fd(r);
      if (ms === null) return '';
      return formatWith(ms as number, String(ff(r) ?? ''));
    };
  },
  2,
);

export type { Value };

/** `format_timespan` with the documented specifiers (d, h/H, m, s, f/F, repeated for width). */
export function formatTimespanWith(ms: number, format: string): string {
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  const seconds = Math.floor(rest / 1000);
  const ticks = Math.round((rest - seconds * 1000) * 10_000);
  const out = format.replace(/d+|h+|H+|m+|s+|f+|F+/g, (tok) => {
    const n = tok.length;
    switch (tok[0]) {
      case 'd':
        return String(days).padStart(n, '0');
      case 'h':
      case 'H':
        return String(hours).padStart(n, '0');
      case 'm':
        return String(minutes).padStart(n, '0');
      case 's':
        return String(seconds).padStart(n, '0');
      default: {
        const digits = String(ticks).padStart(7, '0').slice(0, n);
        return tok[0] === 'F' ? digits.replace(/0+$/, '') : digits;
      }
    }
  });
  return neg ? `-${out}` : out;
}

registerScalar(
  'format_timespan',
  ([t, f]) => {
    const ft = t!.fn;
    const ff = f!.fn;
    return (r) => {
      const ms = ft(r);
      if (ms === null) return '';
      return formatTimespanWith(ms as number, String(ff(r) ?? ''));
    };
  },
  2,
);
