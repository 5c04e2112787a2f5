/**
 * Calendar parts of a datetime, in UTC: startofday/week/month/year and endofday/week/month/year
 * with their optional `offset` (whole days, weeks, months or years to move by), dayofweek,
 * dayofmonth, dayofyear, hourofday, getyear, getmonth/monthofyear, week_of_year (ISO 8601) and
 * datetime_part. The engine holds datetimes in milliseconds, so an `endof*` is the last
 * millisecond of the period (Kusto's last tick, 100 ns later, is not representable).
 */
import { KqlRuntimeError } from '../errors.js';
import type { Value } from '../engine/values.js';
import { registerScalar, unary, type Arg, type ScalarCompiler } from './registry.js';

const DAY = 86_400_000;

export function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}
/** Weeks start on Sunday. */
export function startOfWeek(ms: number): number {
  const d = new Date(startOfDay(ms));
  return d.getTime() - d.getUTCDay() * DAY;
}
export function startOfMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}
export function startOfYear(ms: number): number {
  return Date.UTC(new Date(ms).getUTCFullYear(), 0, 1);
}

type Unit = 'day' | 'week' | 'month' | 'year';

/** The start of the period `offset` periods away from the one holding `ms`. */
function periodStart(unit: Unit, ms: number, offset: number): number {
  switch (unit) {
    case 'day':
      return startOfDay(ms) + offset * DAY;
    case 'week':
      return startOfWeek(ms) + offset * 7 * DAY;
    case 'month': {
      const d = new Date(ms);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1);
    }
    default:
      return Date.UTC(new Date(ms).getUTCFullYear() + offset, 0, 1);
  }
}

function periodEnd(unit: Unit, ms: number, offset: number): number {
  return periodStart(unit, ms, offset + 1) - 1;
}

/** `startofX(date [, offset])` / `endofX(date [, offset])`: a null offset gives null. */
function periodFunction(unit: Unit, end: boolean): ScalarCompiler {
  return ([date, offset]: Arg[]) => {
    const fd = date!.fn;
    const fo = offset?.fn;
    const f = end ? periodEnd : periodStart;
    return (r) => {
      const v = fd(r);
      if (v === null) return null;
      let o = 0;
      if (fo) {
        const x = fo(r);
        if (x === null) return null;
        o = Math.trunc(Number(x));
      }
      const out = f(unit, v as number, o);
      return Number.isFinite(out) ? out : null;
    };
  };
}

for (const unit of ['day', 'week', 'month', 'year'] as const) {
  registerScalar(`startof${unit}`, periodFunction(unit, false), 2);
  registerScalar(`endof${unit}`, periodFunction(unit, true), 2);
}

/** The ISO 8601 week number: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(ms: number): number {
  const d = new Date(startOfDay(ms));
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = d.getTime() + (3 - weekday) * DAY;
  const yearStart = startOfYear(thursday);
  return Math.floor((thursday - yearStart) / (7 * DAY)) + 1;
}

function dayOfYear(ms: number): number {
  return Math.floor((startOfDay(ms) - startOfYear(ms)) / DAY) + 1;
}

const at = (f: (d: Date, ms: number) => number) =>
  unary((v) => f(new Date(v as number), v as number));

registerScalar(
  'dayofweek',
  at((d) => d.getUTCDay() * DAY),
  1,
);
registerScalar(
  'dayofmonth',
  at((d) => d.getUTCDate()),
  1,
);
registerScalar(
  'dayofyear',
  at((_d, ms) => dayOfYear(ms)),
  1,
);
registerScalar(
  'hourofday',
  at((d) => d.getUTCHours()),
  1,
);
registerScalar(
  'getyear',
  at((d) => d.getUTCFullYear()),
  1,
);
registerScalar(
  ['getmonth', 'monthofyear'],
  at((d) => d.getUTCMonth() + 1),
  1,
);
registerScalar(
  'week_of_year',
  at((_d, ms) => isoWeek(ms)),
  1,
);

/** `datetime_part(part, date)`: the documented parts; week_of_year is the ISO 8601 week. */
export function datetimePart(part: string, ms: number): Value {
  const dt = new Date(ms);
  const subMs = ms - Math.floor(ms / 1000) * 1000;
  switch (part.toLowerCase()) {
    case 'year':
      return dt.getUTCFullYear();
    case 'quarter':
      return Math.floor(dt.getUTCMonth() / 3) + 1;
    case 'month':
      return dt.getUTCMonth() + 1;
    case 'week_of_year':
    case 'weekofyear':
    case 'week':
      return isoWeek(ms);
    case 'day':
      return dt.getUTCDate();
    case 'dayofyear':
      return dayOfYear(ms);
    case 'hour':
      return dt.getUTCHours();
    case 'minute':
      return dt.getUTCMinutes();
    case 'second':
      return dt.getUTCSeconds();
    case 'millisecond':
      return Math.floor(subMs);
    case 'microsecond':
      return Math.round(subMs * 1000);
    case 'nanosecond':
      return Math.round(subMs * 1_000_000);
    default:
      throw new KqlRuntimeError(
        `datetime_part: unknown part '${part}'. Use year, quarter, month, week_of_year, day, dayofyear, hour, minute, second, millisecond, microsecond or nanosecond.`,
      );
  }
}

registerScalar(
  'datetime_part',
  ([p, d]) => {
    const fp = p!.fn;
    const fd = d!.fn;
    return (r) => {
      const ms = fd(r);
      const part = fp(r);
      if (ms === null || part === null) return null;
      return datetimePart(String(part), ms as number);
    };
  },
  2,
);
