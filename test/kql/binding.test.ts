/**
 * Parameter binding: literals for every kind of value, declared defaults, type checks, and
 * values that try to break out of their literal.
 */
import { describe, expect, test } from 'vitest';
import {
  bindParameters,
  executeQuery,
  KqlParameterError,
  literalOf,
  loadQuery,
  stringLiteral,
  validateQuery,
} from '../../lib/kql/index.js';
import type { KqlParam } from '../../lib/kql/index.js';
import type { LogTableSource } from '../../lib/kql/log-tables.js';

const empty: LogTableSource = { tableNames: () => [], getTable: () => undefined };

/** Binds `v` and runs `print v`, returning the value and its type. */
function roundTrip(value: KqlParam): { value: unknown; type: string } {
  const text = bindParameters('print v', { v: value });
  expect(validateQuery(text).filter((d) => d.severity === 'error')).toEqual([]);
  const r = executeQuery(text, empty);
  return { value: r.table.rows[0]![0], type: r.table.columns[0]!.type };
}

describe('parameter binding', () => {
  test.each([
    ['plain', 'bu-hr'],
    ['single quote', "O'Brien"],
    ['double quote', 'say "hi"'],
    ['backslash', 'C:\\temp\\'],
    ['trailing backslash then quote', '\\"'],
    ['newline and tab', 'a\nb\tc'],
    ['carriage return and NUL', 'a\r\u0000b'],
    ['KQL injection attempt', '"; ApiManagementGatewayLogs | take 1000 //'],
    ['comment and pipe', "x' | where 1 == 1 //"],
    ['unicode', 'café ✓ 日本'],
    ['empty', ''],
  ])('a %s string stays one literal and round-trips', (_label, s) => {
    expect(roundTrip(s)).toEqual({ value: s, type: 'string' });
  });

  test('an injection attempt is one let statement', () => {
    const value = '"; print hacked = 1; let x = "';
    const text = bindParameters('print v', { v: value });
    const r = executeQuery(text, empty);
    expect(r.table.columns.map((c) => c.name)).toEqual(['print_0']);
    expect(r.table.rows).toEqual([[value]]);
  });

  test('integers bind as long, fractions as real', () => {
    expect(roundTrip(42)).toEqual({ value: 42, type: 'long' });
    expect(roundTrip(-7)).toEqual({ value: -7, type: 'long' });
    expect(roundTrip(150.01)).toEqual({ value: 150.01, type: 'real' });
    expect(literalOf('x', 150, 'real')).toBe('real(150)');
  });

  test('booleans, datetimes and timespans', () => {
    expect(roundTrip(true)).toEqual({ value: true, type: 'bool' });
    expect(roundTrip(new Date('2024-03-01T10:20:30.456Z'))).toEqual({
      value: '2024-03-01T10:20:30.456Z',
      type: 'datetime',
    });
    expect(roundTrip({ timespanMs: 90 * 60_000 })).toEqual({ value: '01:30:00', type: 'timespan' });
    expect(roundTrip({ timespanMs: 1.5 })).toEqual({ value: '00:00:00.0015000', type: 'timespan' });
  });

  test('string and number arrays bind as dynamic and work with in()', () => {
    expect(roundTrip(['a"b', "c'd", 'e\\'])).toEqual({
      value: ['a"b', "c'd", 'e\\'],
      type: 'dynamic',
    });
    expect(roundTrip([1, 2.5])).toEqual({ value: [1, 2.5], type: 'dynamic' });
    const text = bindParameters("datatable(s:string)['bu-hr','bu-it'] | where s in (subs)", {
      subs: ['bu-it'],
    });
    expect(executeQuery(text, empty).table.rows).toEqual([['bu-it']]);
  });

  test('stringLiteral escapes quotes, backslashes and control characters', () => {
    expect(stringLiteral('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  test('declared parameters get defaults and are type-checked', () => {
    const q = loadQuery('budget-alert-threshold');
    expect(q.text.startsWith('let threshold = 1000; ')).toBe(true);
    const bound = loadQuery('budget-alert-threshold', { threshold: 5, businessUnit: 'bu-hr' });
    expect(bound.text).toContain('let threshold = long(5);');
    expect(bound.text).toContain('let businessUnit = "bu-hr";');
    expect(() => loadQuery('budget-alert-threshold', { threshold: 'many' })).toThrow(
      KqlParameterError,
    );
    expect(() => loadQuery('budget-alert-threshold', { threshold: 1.5 })).toThrow(
      KqlParameterError,
    );
    expect(() => loadQuery('budget-alert-threshold', { nosuch: 1 })).toThrow(/not a parameter/);
  });

  test('binding keeps the file line numbers', () => {
    const q = loadQuery('cost-allocation-subscription', { baseMonthlyCost: 700, perKRate: 0.0025 });
    expect(q.text.split('\n').length).toBe(q.source.split('\n').length);
    expect(validateQuery(q.text)).toEqual([]);
  });

  test('invalid names and values are rejected', () => {
    expect(() => bindParameters('print 1', { 'bad name': 1 })).toThrow(KqlParameterError);
    expect(() => literalOf('d', new Date('nope'))).toThrow(KqlParameterError);
    expect(() => literalOf('n', [Number.NaN])).toThrow(KqlParameterError);
    expect(() => literalOf('n', Number.MAX_SAFE_INTEGER * 4)).toThrow(KqlParameterError);
  });
});
