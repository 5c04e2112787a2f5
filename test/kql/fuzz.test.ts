/**
 * Fuzz test of the engine's error boundary: 2000 generated queries (fixed seed, bounded
 * generator) over every registered function and the common operators, fed nulls, negatives,
 * out-of-range values, dynamic values and wrong-typed arguments. Every query must either
 * answer or fail with one of the kit's KQL errors; no JavaScript error may escape.
 */
import { describe, expect, test } from 'vitest';
import {
  executeQuery,
  KqlRuntimeError,
  KqlUnsupportedError,
  KqlValidationError,
  scalarFunctionNames,
} from '../../lib/kql/index.js';
import type { LogTableSource } from '../../lib/kql/log-tables.js';

const empty: LogTableSource = { tableNames: () => [], getTable: () => undefined };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const VALUES = [
  '0',
  '1',
  '-1',
  '2',
  '-7',
  '1000000000000',
  '2.5',
  '-0.5',
  'real(nan)',
  'real(+inf)',
  'long(null)',
  'int(null)',
  'real(null)',
  "''",
  "'abc'",
  "'a,b,c'",
  "'12:30'",
  "'2024-01-01'",
  '\'{"a":1}\'',
  "'[1,2]'",
  'true',
  'false',
  'bool(null)',
  'datetime(2024-02-29 10:11:12)',
  'datetime(null)',
  'datetime(0001-01-01)',
  '1h',
  '-1d',
  '0s',
  'time(null)',
  'dynamic(null)',
  'dynamic([])',
  'dynamic([1, "x", null])',
  "dynamic({'a': 1, 'b': [2]})",
  "'year'",
  "'week_of_year'",
  "'(a'",
  "'[0-9]+'",
  'x',
  's',
  'd',
  't',
];

const OPERATORS = [
  (e: string) => `| extend y = ${e}`,
  (e: string) => `| where ${e} == ${e}`,
  (e: string) => `| summarize make_list(${e}) by x`,
  (e: string) => `| summarize make_set(${e}), dcount(${e}), take_any(${e})`,
  (e: string) => `| project y = ${e} | order by y asc`,
  (e: string) => `| top 2 by ${e}`,
  (e: string) => `| extend y = ${e} | mv-expand y`,
  (e: string) => `| distinct z = ${e}`,
  (e: string) => `| summarize arg_max(${e}, *)`,
  (e: string) => `| extend y = ${e} | join kind=leftouter (datatable(x:long)[1, 2]) on x`,
  (e: string) => `| union (print x = 5, y = ${e})`,
  (e: string) => `| extend y = tostring(${e}) | parse y with a ',' b`,
  (e: string) =>
    `| extend y = tostring(${e}) | parse kind=regex flags=i y with * '[0-9]+' n:long *`,
  (e: string) =>
    `| extend y = tostring(${e}) | parse-where kind=relaxed y with a:long ' ' b:datetime`,
  (e: string) => `| extend y = ${e} | top-nested 2 of y with others = 'o' by count()`,
  (e: string) => `| top-nested 2 of x by sum(x), top-nested of s by max(${e}) asc`,
  (e: string) => `| extend b = bag_pack('k', ${e}) | evaluate bag_unpack(b)`,
  (e: string) =>
    `| extend b = bag_pack('k', ${e}, 's', 1) | evaluate bag_unpack(b, 'p_', columnsConflict='replace_source') : (*, p_k:string, p_s:long) | where isnotnull(p_s)`,
  (e: string) =>
    `| extend y = ${e} | join kind=inner (datatable(x:long, z:long)[1, 1]) on $left.x == $right.x and $left.x == $right.z`,
  (e: string) => `| extend y = ${e} | mv-expand with_itemindex=i y to typeof(long) limit 2`,
];

const BASE =
  "datatable(x:long, s:string, d:dynamic, t:datetime)[1, 'a b', dynamic([1,2]), datetime(2024-01-01), " +
  "2, '', dynamic({'k': 'v'}), datetime(null), long(null), 'x', dynamic(null), datetime(2024-12-31 23:59:59)] ";

function generate(rand: () => number, names: string[]): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const expr = (depth: number): string => {
    if (depth > 2 || rand() < 0.35) return pick(VALUES);
    const f = pick(names);
    const n = Math.floor(rand() * 5);
    return `${f}(${Array.from({ length: n }, () => expr(depth + 1)).join(', ')})`;
  };
  const e = rand() < 0.2 ? `${expr(1)} ${pick(['+', '-', '*', '/', '%'])} ${expr(1)}` : expr(0);
  return rand() < 0.3 ? `print y = ${e}` : `${BASE}${pick(OPERATORS)(e)}`;
}

describe('fuzz: nothing but KQL errors leave executeQuery', () => {
  test('2000 generated queries answer or fail with a KQL error', () => {
    const rand = rng(20240110);
    const names = scalarFunctionNames();
    const counts = { answered: 0, validation: 0, unsupported: 0, runtime: 0 };
    for (let i = 0; i < 2000; i++) {
      const q = generate(rand, names);
      try {
        executeQuery(q, empty, { now: new Date('2024-01-10T12:00:00Z') });
        counts.answered++;
      } catch (e) {
        if (e instanceof KqlValidationError) counts.validation++;
        else if (e instanceof KqlUnsupportedError) {
          expect(e.line, q).toBeGreaterThan(0);
          counts.unsupported++;
        } else if (e instanceof KqlRuntimeError) counts.runtime++;
        else throw new Error(`non-KQL error for: ${q}\n${String(e)}`, { cause: e });
      }
    }
    // The generator must reach the engine, not only the parser.
    expect(counts.answered).toBeGreaterThan(200);
    // Generous: the machine the suite runs on is shared, and under load this took over 60 s.
  }, 240_000);
});

describe('error boundary positions', () => {
  test('a raw JavaScript error inside a call names the call, not its operator', () => {
    // Calls run without a per-row try/catch; the failing operator is re-run to place the error.
    const q = "print x = 1\n| extend z = 1, y = tostring(datetime_add('year', 1000000, now()))";
    let caught: unknown;
    try {
      executeQuery(q, empty, { now: new Date('2024-01-10T12:00:00Z') });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KqlRuntimeError);
    const e = caught as KqlRuntimeError;
    expect([e.line, e.column]).toEqual([2, 21]);
    expect(e.message).toContain('tostring()');
  });
});
