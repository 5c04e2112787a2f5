/**
 * Date and time functions, all in UTC: now, ago, datetime_diff, datetime_add,
 * format_datetime, startofday/week/month/year, endofday (Kusto has no startofhour: use bin(t, 1h)), dayofweek, hourofday, getyear,
 * getmonth, datetime_part, unixtime_milliseconds_todatetime.
 */
import { KqlRuntimeError } from '../errors.js';
import type { Value } from '../engine/values.js';
import { registerScalar, unary } from './registry.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

registerScalar('now', ([offset], _t, _n, scope) => {
  const base = scope.ctx.now;
  if (!offset) return () => base;
  const fo = offset.fn;
  return (r) => {
    const o = fo(r);
    return o === null ? null : base + (o as number);
  };
});

registerScalar('ago', ([span], _t, _n, scope) => {
  const base = scope.ctx.now;
  const fs = span!.fn;
  return (r) => {
    const s = fs(r);
    return s === null ? null : base - (s as number);
  };
});

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}
function startOfWeek(ms: number): number {
  const d = new Date(startOfDay(ms));
  return d.getTime() - d.getUTCDay() * DAY;
}
function startOfMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
function startOfYear(ms: number): number {
  return Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
}

registerScalar(
  'startofday',
  unary((v) => startOfDay(v as number)),
);
registerScalar(
  'startofweek',
  unary((v) => startOfWeek(v as number)),
);
registerScalar(
  'startofmonth',
  unary((v) => startOfMonth(v as number)),
);
registerScalar(
  'startofyear',
  unary((v) => startOfYear(v as number)),
);
// The last tick of the day; the engine keeps milliseconds, so the last millisecond.
registerScalar(
  'endofday',
  unary((v) => startOfDay(v as number) + DAY - 1),
);
registerScalar(
  'dayofweek',
  unary((v) => new Date(v as number).getUTCDay() * DAY),
);
registerScalar(
  'dayofmonth',
  unary((v) => new Date(v as number).getUTCDate()),
);
registerScalar(
  'hourofday',
  unary((v) => new Date(v as number).getUTCHours()),
);
registerScalar(
  'getyear',
  unary((v) => new Date(v as number).getUTCFullYear()),
);
registerScalar(
  'getmonth',
  unary((v) => new Date(v as number).getUTCMonth() + 1),
);
registerScalar(
  'unixtime_milliseconds_todatetime',
  unary((v) => v as number),
);
registerScalar(
  'unixtime_seconds_todatetime',
  unary((v) => (v as number) * 1000),
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

registerScalar('datetime_diff', ([p, a, b]) => {
  const fp = p!.fn;
  const fa = a!.fn;
  const fb = b!.fn;
  return (r) => {
    const x = fa(r);
    const y = fb(r);
    if (x === null || y === null) return null;
    return diff(String(fp(r)).toLowerCase(), x as number, y as number);
  };
});

function add(part: string, amount: number, ms: number): number {
  const d = new Date(ms);
  switch (part) {
    case 'year':
      d.setUTCFullYear(d.getUTCFullYear() + amount);
      return d.getTime();
    case 'quarter':
      d.setUTCMonth(d.getUTCMonth() + 3 * amount);
      return d.getTime();
    case 'month':
      d.setUTCMonth(d.getUTCMonth() + amount);
      return d.getTime();
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
    default:
      throw new KqlRuntimeError(`datetime_add: unknown period '${part}'.`);
  }
}

registerScalar('datetime_add', ([p, n, d]) => {
  const fp = p!.fn;
  const fn = n!.fn;
  const fd = d!.fn;
  return (r) => {
    const amount = fn(r);
    const ms = fd(r);
    if (amount === null || ms === null) return null;
    return add(String(fp(r)).toLowerCase(), amount as number, ms as number);
  };
});

registerScalar('datetime_part', ([p, d]) => {
  const fp = p!.fn;
  const fd = d!.fn;
  return (r) => {
    const ms = fd(r);
    if (ms === null) return null;
    const dt = new Date(ms as number);
    switch (String(fp(r)).toLowerCase()) {
      case 'year':
        return dt.getUTCFullYear();
      case 'quarter':
        return Math.floor(dt.getUTCMonth() / 3) + 1;
      case 'month':
        return dt.getUTCMonth() + 1;
      case 'day':
        return dt.getUTCDate();
      case 'dayofyear':
        return Math.floor((startOfDay(ms as number) - startOfYear(ms as number)) / DAY) + 1;
      case 'hour':
        return dt.getUTCHours();
      case 'minute':
        return dt.getUTCMinutes();
      case 'second':
        return dt.getUTCSeconds();
      case 'millisecond':
        return dt.getUTCMilliseconds();
      default:
        return null;
    }
  };
});

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

registerScalar('format_datetime', ([d, f]) => {
  const fd = d!.fn;
  const ff = f!.fn;
  return (r) => {
    const ms = fd(r);
    if (ms === null) return '';
    return formatWith(ms as number, String(ff(r) ?? ''));
  };
});

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

registerScalar('format_timespan', ([t, f]) => {
  const ft = t!.fn;
  const ff = f!.fn;
  return (r) => {
    const ms = ft(r);
    if (ms === null) return '';
    return formatTimespanWith(ms as number, String(ff(r) ?? ''));
  };
});
