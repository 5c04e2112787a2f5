/**
 * The conformance suite: each case runs on the local engine and must give the documented result,
 * or, for a case marked `'refuse'`, a KqlUnsupportedError with a line and column (a case that
 * answers where it should refuse fails). Every case cites its reference page.
 */
import { describe, expect, test } from 'vitest';
import { executeQuery, KqlUnsupportedError } from '../../lib/kql/index.js';
import type { LogTableSource } from '../../lib/kql/log-tables.js';
import { CASES as BASE } from './conformance-cases.js';
import { MORE_CASES } from './conformance-more.js';
import { EDGE_CASES } from './conformance-edges.js';
import { OPS_CASES } from './conformance-ops.js';
import { refOf } from './conformance-refs.js';
import { tableEqual } from './table-equal.js';

const empty: LogTableSource = { tableNames: () => [], getTable: () => undefined };
const now = new Date('2024-01-10T12:00:00Z');
const CASES = [...BASE, ...MORE_CASES, ...EDGE_CASES, ...OPS_CASES].map((c) => ({
  ...c,
  ref: c.ref ?? refOf(c.name),
}));

describe('KQL conformance', () => {
  test('has at least 400 cases with unique names, each citing a reference page', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(400);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    for (const c of CASES)
      expect(c.ref, c.name).toMatch(/^https:\/\/learn\.microsoft\.com\/kusto\/query\/[a-z0-9/-]+$/);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if (c.expect === 'refuse') {
      let caught: unknown;
      try {
        executeQuery(c.query, empty, { now });
      } catch (e) {
        caught = e;
      }
      expect(caught, `${c.name}: must refuse, not answer`).toBeInstanceOf(KqlUnsupportedError);
      expect((caught as KqlUnsupportedError).line).toBeGreaterThan(0);
      expect((caught as KqlUnsupportedError).column).toBeGreaterThan(0);
      return;
    }
    const result = executeQuery(c.query, empty, { now });
    expect(result.status).toBe('success');
    tableEqual(result.table, c.expect, c.name);
  });
});
