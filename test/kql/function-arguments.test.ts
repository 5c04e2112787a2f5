/**
 * The argument audit: every function and aggregation the engine registers is compared with the
 * official parser's signatures. A documented parameter the implementation does not honour must
 * be on the refused list below, and a call passing it must fail with a KqlUnsupportedError that
 * names the parameter with its line and column; every other parameter is implemented (its
 * answers are checked in the conformance suite, conformance-more.ts).
 */
import { describe, expect, test } from 'vitest';
import { executeQuery, KqlUnsupportedError, scalarFunctionNames } from '../../lib/kql/index.js';
import { kusto } from '../../lib/kql/kusto-language.js';
import { scalarFunction } from '../../lib/kql/functions/registry.js';
import { aggregateMaxArgs, aggregateNames } from '../../lib/kql/functions/index.js';
import type { LogTableSource } from '../../lib/kql/log-tables.js';

const empty: LogTableSource = { tableNames: () => [], getTable: () => undefined };

interface Sig {
  Signatures: {
    Count: number;
    getItem(i: number): {
      Parameters: { Count: number; getItem(i: number): { MaxOccurring: number } };
    };
  };
}

function officialMax(fn: Sig | null | undefined): number {
  if (!fn) return -1;
  let best = 0;
  for (let i = 0; i < fn.Signatures.Count; i++) {
    const ps = fn.Signatures.getItem(i).Parameters;
    let n = 0;
    for (let j = 0; j < ps.Count; j++) n += Math.min(ps.getItem(j).MaxOccurring, 1000);
    best = Math.max(best, n);
  }
  return best;
}

/** Parameters refused on purpose, with a query passing each and the parameter's position. */
const REFUSED: Record<string, { query: string; parameter: string; line: number; column: number }> =
  {
    array_index_of: {
      query: 'print v = array_index_of(dynamic([1, 2, 1]), 1, 1)',
      parameter: 'start',
      line: 1,
      column: 49,
    },
    countof: {
      query: "print v =\n  countof('aXa', 'a', 'regex')",
      parameter: 'kind',
      line: 2,
      column: 23,
    },
    row_number: {
      query: 'range x from 1 to 3 step 1 | serialize | extend r = row_number(1, x > 1)',
      parameter: 'restart',
      line: 1,
      column: 67,
    },
    count: {
      query: 'datatable(x:long)[1, 2] | summarize count(x > 1)',
      parameter: 'predicate',
      line: 1,
      column: 43,
    },
  };

describe('function arguments against the official signatures', () => {
  const globals = kusto().GlobalState.Default as unknown as {
    GetFunction(n: string): Sig | null;
    GetAggregate(n: string): Sig | null;
  };
  const short: string[] = [];
  for (const n of scalarFunctionNames())
    if (officialMax(globals.GetFunction(n)) > scalarFunction(n)!.maxArgs) short.push(n);
  for (const n of aggregateNames())
    if (officialMax(globals.GetAggregate(n)) > aggregateMaxArgs(n)) short.push(n);

  test('every registered name is a function the parser knows', () => {
    for (const n of scalarFunctionNames())
      expect(officialMax(globals.GetFunction(n)), n).toBeGreaterThanOrEqual(0);
    for (const n of aggregateNames())
      expect(officialMax(globals.GetAggregate(n)), n).toBeGreaterThanOrEqual(0);
  });

  test('only the listed parameters are left unimplemented', () => {
    expect(short.sort()).toEqual(Object.keys(REFUSED).sort());
  });

  test.each(Object.entries(REFUSED))(
    '%s refuses its unimplemented parameter with a position',
    (name, r) => {
      let caught: unknown;
      try {
        executeQuery(r.query, empty);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(KqlUnsupportedError);
      const err = caught as KqlUnsupportedError;
      expect(err.feature).toBe(`${r.parameter} of ${name}()`);
      expect([err.line, err.column]).toEqual([r.line, r.column]);
    },
  );
});
