/**
 * The rows a predicate is true on, one byte per row, computed column by column for the forms
 * aggregates' predicates take (`countif(ResponseCode >= 500)`, `countif(IsStreamCompletion ==
 * true)`, `between` with constant bounds, `and` / `or` of those, a string predicate of one
 * dictionary column). A workbook refresh runs dozens of such predicates over a million rows;
 * calling a compiled closure per row (from a call site that sees every predicate's shape, so
 * V8 cannot inline it) was a quarter of `summarize`'s time. Any other form returns `undefined`
 * and the caller evaluates it row by row; both paths follow expr-compare.ts's null rules.
 */
import { kindName, prop, type KNode } from '../kusto-language.js';
import { evaluateByDictionary } from './dict-eval.js';
import { compileExpr } from './expr.js';
import { referencedColumn } from './expr-compare.js';
import { batchMemo } from './batch-memo.js';
import { boolsOf, numericOf, type Column, type NumericView } from './frame.js';
import type { Scope } from './scope.js';
import type { Value } from './values.js';

/** Column types whose values are JS numbers (times and timespans are numbers) or booleans. */
const SCALAR_TYPES = new Set([
  'int',
  'long',
  'real',
  'double',
  'decimal',
  'datetime',
  'timespan',
  'bool',
]);

const ORDERINGS = new Set([
  'LessThanExpression',
  'LessThanOrEqualExpression',
  'GreaterThanExpression',
  'GreaterThanOrEqualExpression',
]);

/** A constant number or boolean operand, else `undefined`. */
function constantOf(node: KNode, scope: Scope): number | boolean | undefined {
  const c = compileExpr(node, scope);
  if (!c.isConstant) return undefined;
  const v = c.constant;
  return typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

/** A number or bool column a plain reference names: its typed values when it has them, else its array. */
function scalarColumn(
  node: KNode,
  scope: Scope,
): { col: Column; data: Value[] | NumericView } | undefined {
  const col = referencedColumn(node, scope);
  if (!col || !SCALAR_TYPES.has(col.type)) return undefined;
  return { col, data: numericOf(col) ?? col.data };
}

/** `column == c` / `column != c`: null equals nothing, so `!=` is true on null rows. */
function equalityMask(
  negate: boolean,
  node: KNode,
  scope: Scope,
  n: number,
): Uint8Array | undefined {
  const col = referencedColumn(prop(node, 'Left')!, scope);
  if (!col || !SCALAR_TYPES.has(col.type)) return undefined;
  const c = constantOf(prop(node, 'Right')!, scope);
  if (c === undefined) return undefined;
  const bools = typeof c === 'boolean' ? boolsOf(col) : undefined;
  return batchMemo(scope.ctx, col, `eq:${negate}:${typeof c}:${c}`, () =>
    bools
      ? boolEqualityLoop(bools, c ? 1 : 0, negate, n)
      : equalityLoop(numericOf(col) ?? col.data, c, negate, n),
  );
}

/** `equalityLoop` over a bool column's 1 / 0 / -1 values. */
function boolEqualityLoop(bools: Int8Array, c: 0 | 1, negate: boolean, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const hit = negate ? 0 : 1;
  const miss = negate ? 1 : 0;
  for (let r = 0; r < n; r++) out[r] = bools[r] === c ? hit : miss;
  return out;
}

function equalityLoop(
  data: Value[] | NumericView,
  c: number | boolean,
  negate: boolean,
  n: number,
): Uint8Array {
  const out = new Uint8Array(n);
  const hit = negate ? 0 : 1;
  const miss = negate ? 1 : 0;
  if (!Array.isArray(data)) {
    const { values, nulls } = data;
    for (let r = 0; r < n; r++) out[r] = nulls?.[r] !== 1 && values[r] === c ? hit : miss;
    return out;
  }
  for (let r = 0; r < n; r++) {
    const v = data[r];
    out[r] = v === null ? miss : v === c ? hit : miss;
  }
  return out;
}

/** `column < c` (and <=, >, >=) on numbers: null rows are null, never true. */
function orderingMask(kind: string, node: KNode, scope: Scope, n: number): Uint8Array | undefined {
  const left = scalarColumn(prop(node, 'Left')!, scope);
  const c = left ? constantOf(prop(node, 'Right')!, scope) : undefined;
  if (!left || typeof c !== 'number') return undefined;
  // `lo <= v <= hi` with open ends: one loop for the four operators.
  const open = kind === 'LessThanExpression' || kind === 'GreaterThanExpression';
  const below = kind === 'LessThanExpression' || kind === 'LessThanOrEqualExpression';
  return rangeMask(
    left,
    scope,
    n,
    below ? -Infinity : c,
    below ? c : Infinity,
    !below && open,
    below && open,
    false,
  );
}

/**
 * Rows whose number lies in `lo .. hi` (ends excluded when `openLo` / `openHi`), or outside it
 * when `negate`; null rows are never true. `undefined` if a row holds something else.
 */
function rangeMask(
  column: { col: Column; data: Value[] | NumericView },
  scope: Scope,
  n: number,
  lo: number,
  hi: number,
  openLo: boolean,
  openHi: boolean,
  negate: boolean,
): Uint8Array | undefined {
  const key = `range:${lo}:${hi}:${openLo}:${openHi}:${negate}`;
  return batchMemo(scope.ctx, column.col, key, () =>
    rangeLoop(column.data, n, lo, hi, openLo, openHi, negate),
  );
}

function rangeLoop(
  data: Value[] | NumericView,
  n: number,
  lo: number,
  hi: number,
  openLo: boolean,
  openHi: boolean,
  negate: boolean,
): Uint8Array | undefined {
  const out = new Uint8Array(n);
  const pass = (v: number): number =>
    ((openLo ? v > lo : v >= lo) && (openHi ? v < hi : v <= hi)) !== negate ? 1 : 0;
  if (!Array.isArray(data)) {
    // The typed loop compares inline (through `pass` each datetime read was boxed).
    const { values, nulls } = data;
    const hit = negate ? 0 : 1;
    for (let r = 0; r < n; r++) {
      if (nulls?.[r] === 1) continue;
      const v = values[r]!;
      out[r] = (openLo ? v > lo : v >= lo) && (openHi ? v < hi : v <= hi) ? hit : 1 - hit;
    }
    return out;
  }
  for (let r = 0; r < n; r++) {
    const v = data[r];
    if (typeof v === 'number') out[r] = pass(v);
    else if (v !== null) return undefined;
  }
  return out;
}

/** `column between (lo .. hi)` with constant bounds (a timespan `hi` on a datetime means lo + hi). */
function betweenMask(
  negate: boolean,
  node: KNode,
  scope: Scope,
  n: number,
): Uint8Array | undefined {
  const left = prop(node, 'Left')!;
  const column = scalarColumn(left, scope);
  const couple = prop(node, 'Right')!;
  const lo = column ? constantOf(prop(couple, 'First')!, scope) : undefined;
  if (!column || typeof lo !== 'number') return undefined;
  const second = compileExpr(prop(couple, 'Second')!, scope);
  if (!second.isConstant || typeof second.constant !== 'number') return undefined;
  const hi =
    second.type === 'timespan' && column.col.type === 'datetime'
      ? lo + second.constant
      : second.constant;
  return rangeMask(column, scope, n, lo, hi, false, false, negate);
}

/** A predicate of one dictionary-encoded string column, decided once per distinct value. */
function dictionaryMask(node: KNode, scope: Scope, n: number): Uint8Array | undefined {
  const res = evaluateByDictionary(node, scope);
  if (!res) return undefined;
  const pass = Uint8Array.from(res.values, (v) => (v === true ? 1 : 0));
  const codes = res.encoding.codes;
  const out = new Uint8Array(n);
  if (pass.every((p) => p === 1)) return out.fill(1);
  for (let r = 0; r < n; r++) out[r] = pass[codes[r]!]!;
  return out;
}

/**
 * The rows of the scope's frame `node` is true on (1) or not (0: false or null), or
 * `undefined` when the form is not one computed column-wise.
 */
export function trueMask(node: KNode, scope: Scope): Uint8Array | undefined {
  if (scope.overrides || scope.sides) return undefined;
  const n = scope.frame.length;
  const kind = kindName(node);
  switch (kind) {
    case 'ParenthesizedExpression':
      return trueMask(prop(node, 'Expression')!, scope);
    case 'AndExpression':
    case 'OrExpression': {
      // `and` is true only where both sides are, `or` where either is (null is neither).
      const a = trueMask(prop(node, 'Left')!, scope);
      const b = a && trueMask(prop(node, 'Right')!, scope);
      if (!a || !b) return undefined;
      // A new array: either side may be a batch's shared mask.
      const out = new Uint8Array(n);
      if (kind === 'AndExpression') for (let r = 0; r < n; r++) out[r] = a[r]! & b[r]!;
      else for (let r = 0; r < n; r++) out[r] = a[r]! | b[r]!;
      return out;
    }
    case 'EqualExpression':
    case 'NotEqualExpression':
      return (
        equalityMask(kind === 'NotEqualExpression', node, scope, n) ??
        dictionaryMask(node, scope, n)
      );
    case 'BetweenExpression':
    case 'NotBetweenExpression':
      return betweenMask(kind === 'NotBetweenExpression', node, scope, n);
    default:
      if (ORDERINGS.has(kind)) return orderingMask(kind, node, scope, n);
      return dictionaryMask(node, scope, n);
  }
}
