/**
 * The conformance suite: each case runs on the local engine and must give the documented result.
 */
import { describe, expect, test } from 'vitest';
import { executeQuery } from '../../lib/kql/index.js';
import type { LogTableSource } from '../../lib/kql/log-tables.js';
import { CASES } from './conformance-cases.js';
import { tableEqual } from './table-equal.js';

const empty: LogTableSource = { tableNames: () => [], getTable: () => undefined };
const now = new Date('2024-01-10T12:00:00Z');

describe('KQL conformance', () => {
  test('has at least 150 cases with unique names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = executeQuery(c.query, empty, { now });
    expect(result.status).toBe('success');
    tableEqual(result.table, c.expect, c.name);
  });
});
