/** Decoded store columns are kept across queries up to a budget, never dropped mid-query. */
import { describe, expect, it } from 'vitest';
import {
  beginDecodedQuery,
  budgetedValues,
  decodedCells,
  DECODED_CELLS_BUDGET,
} from '../../lib/kql/engine/decoded-budget.js';

describe('decoded column budget', () => {
  it('drops the least recently read columns of earlier queries past the budget', () => {
    let decodes = 0;
    const half = DECODED_CELLS_BUDGET / 2 + 1;
    const make = () => budgetedValues(half, () => (decodes++, [1, 2, 3]));
    const a = make();
    const b = make();
    beginDecodedQuery();
    a.read();
    b.read(); // over budget, but both read by this query: kept
    expect(decodes).toBe(2);
    expect(a.read()).toEqual([1, 2, 3]);
    expect(decodes).toBe(2);
    beginDecodedQuery();
    const c = make();
    b.read();
    c.read(); // a is the oldest of earlier queries: dropped
    expect(decodes).toBe(3);
    b.read();
    expect(decodes).toBe(3);
    a.read(); // decoded again
    expect(decodes).toBe(4);
    for (const v of [a, b, c]) v.forget();
    expect(decodedCells()).toBe(0);
  });
});
