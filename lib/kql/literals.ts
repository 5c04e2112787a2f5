/**
 * KQL literal text for parameter values. Strings are double-quoted with every character
 * that could end or bend the literal escaped, so a value can never break out of it.
 */
import { KqlParameterError } from './errors.js';
import type { KqlParam, KqlTimespan } from './types.js';

/** Whether a value is a `{ timespanMs }` timespan. */
export function isTimespan(v: unknown): v is KqlTimespan {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    'timespanMs' in v
  );
}

/** A KQL string literal: `"..."` with `\\`, `\"`, newlines, tabs and other controls escaped. */
export function stringLiteral(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function realLiteral(n: number): string {
  if (Number.isNaN(n)) return 'real(nan)';
  if (!Number.isFinite(n)) return n > 0 ? 'real(+inf)' : 'real(-inf)';
  return `real(${String(n)})`;
}

/** A KQL number literal: `long(n)` for integers (unless `real` is asked for), `real(x)` otherwise. */
export function numberLiteral(n: number, type?: string): string {
  if (type === 'real' || type === 'double' || type === 'decimal' || !Number.isInteger(n))
    return realLiteral(n);
  if (!Number.isSafeInteger(n))
    throw new KqlParameterError(String(n), 'is an integer beyond 2^53 and would lose precision');
  return type === 'int' ? `int(${n})` : `long(${n})`;
}

/** A KQL timespan literal, exact to the 100 ns tick. */
export function timespanLiteral(ms: number): string {
  if (!Number.isFinite(ms))
    throw new KqlParameterError('timespanMs', 'must be a finite number of milliseconds');
  const ticks = Math.round(ms * 10_000);
  return `totimespan(${ticks})`;
}

/** The literal text of a parameter value; `type` is the declared type when known. */
export function literalOf(name: string, value: KqlParam, type?: string): string {
  if (typeof value === 'string') {
    if (type && type !== 'string')
      throw new KqlParameterError(name, `is declared ${type} but got a string`);
    return stringLiteral(value);
  }
  if (typeof value === 'number') {
    if (type && !['long', 'int', 'real', 'double', 'decimal'].includes(type)) {
      throw new KqlParameterError(name, `is declared ${type} but got a number`);
    }
    if ((type === 'long' || type === 'int') && !Number.isInteger(value)) {
      throw new KqlParameterError(name, `is declared ${type} but got ${value}`);
    }
    return numberLiteral(value, type);
  }
  if (typeof value === 'boolean') {
    if (type && type !== 'bool')
      throw new KqlParameterError(name, `is declared ${type} but got a boolean`);
    return value ? 'true' : 'false';
  }
  if (value instanceof Date) {
    if (type && type !== 'datetime')
      throw new KqlParameterError(name, `is declared ${type} but got a Date`);
    if (Number.isNaN(value.getTime())) throw new KqlParameterError(name, 'is an invalid Date');
    return `datetime(${value.toISOString()})`;
  }
  if (isTimespan(value)) {
    if (type && type !== 'timespan')
      throw new KqlParameterError(name, `is declared ${type} but got a timespan`);
    return timespanLiteral(value.timespanMs);
  }
  if (Array.isArray(value)) {
    if (type && type !== 'dynamic')
      throw new KqlParameterError(name, `is declared ${type} but got an array`);
    const items = (value as readonly (string | number)[]).map((v) => {
      if (typeof v === 'string') return JSON.stringify(v);
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      throw new KqlParameterError(
        name,
        'holds an item that is neither a string nor a finite number',
      );
    });
    return `dynamic([${items.join(', ')}])`;
  }
  throw new KqlParameterError(name, 'has an unsupported type');
}
