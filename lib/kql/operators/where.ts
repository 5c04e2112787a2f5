/** `where` (`filter`): keeps the rows whose predicate is true (null counts as false). */
import { kindName, prop, type KNode } from '../kusto-language.js';
import { evaluateByDictionary } from '../engine/dict-eval.js';
import { compileExpr } from '../engine/expr.js';
import { referencedColumn } from '../engine/expr-compare.js';
import { trueMask } from '../engine/expr-mask.js';
import type { Scope } from '../engine/scope.js';
import { takeRows } from '../engine/frame.js';
import { scopeOf, type Operator } from './common.js';
import type { Evaluator } from '../functions/registry.js';
import type { CodeArray } from '../log-tables.js';

/** The conjuncts of `a and b and ...` (a row passes when every one is true). */
function conjuncts(node: KNode, out: KNode[] = []): KNode[] {
  const kind = kindName(node);
  if (kind === 'ParenthesizedExpression') return conjuncts(prop(node, 'Expression')!, out);
  if (kind === 'AndExpression') {
    conjuncts(prop(node, 'Left')!, out);
    conjuncts(prop(node, 'Right')!, out);
  } else out.push(node);
  return out;
}

const THRESHOLDS: Record<string, (a: number, c: number) => boolean> = {
  LessThanExpression: (a, c) => a < c,
  LessThanOrEqualExpression: (a, c) => a <= c,
  GreaterThanExpression: (a, c) => a > c,
  GreaterThanOrEqualExpression: (a, c) => a >= c,
};

/**
 * `column < constant` (and <=, >, >=) decided for every row from the column's bounds: true
 * when both the least and the greatest value pass and no row is null, false when neither
 * passes (a threshold passes a range's ends or none of it). `TimeGenerated > ago(30d)` over a
 * week of logs passes every row without reading one.
 */
function decidedByBounds(node: KNode, scope: Scope): boolean | undefined {
  const test = THRESHOLDS[kindName(node)];
  if (!test) return undefined;
  const col = referencedColumn(prop(node, 'Left')!, scope);
  const b = col?.bounds?.();
  if (!b) return undefined;
  const right = compileExpr(prop(node, 'Right')!, scope);
  if (!right.isConstant || typeof right.constant !== 'number') return undefined;
  const c = right.constant;
  const lo = test(b.min, c);
  const hi = test(b.max, c);
  if (lo && hi && !b.hasNulls) return true;
  if (!lo && !hi) return false;
  return undefined;
}

export const where: Operator = (op, input, env, ctx) => {
  const scope = scopeOf(input, env, ctx);
  // Conjuncts of one dictionary-encoded column are decided per distinct value (dict-eval.ts)
  // and tested first; the rest run row by row on the rows that passed them, in order.
  const byCode: { codes: CodeArray; pass: Uint8Array }[] = [];
  const rowwise: KNode[] = [];
  for (const c of conjuncts(prop(op, 'Condition')!)) {
    const decided = decidedByBounds(c, scope);
    if (decided === true) continue;
    if (decided === false) return takeRows(input, new Uint32Array(0));
    const res = rowwise.length === 0 ? evaluateByDictionary(c, scope) : undefined;
    if (res) {
      // Every distinct value passes (`startswith 'bu-'` over a table of BU subscriptions):
      // decided for every row without a pass over them.
      if (res.values.every((v) => v === true)) continue;
      byCode.push({
        codes: res.encoding.codes,
        pass: Uint8Array.from(res.values, (v) => (v === true ? 1 : 0)),
      });
    } else rowwise.push(c);
  }
  // A conjunct decided a column at a time (expr-mask.ts) joins the typed passes; the rest are
  // compiled and run row by row.
  const masks: Uint8Array[] = [];
  const preds: Evaluator[] = [];
  for (const c of rowwise) {
    const m = trueMask(c, scope);
    if (m) masks.push(m);
    else preds.push(compileExpr(c, scope).fn);
  }
  // One pass per conjunct over the rows still in (tight loops over typed arrays).
  let keep: Uint32Array | undefined;
  let n = input.length;
  for (const { codes, pass } of byCode) {
    const out = new Uint32Array(n);
    let m = 0;
    if (keep === undefined) {
      for (let r = 0; r < n; r++) if (pass[codes[r]!] === 1) out[m++] = r;
    } else {
      for (let i = 0; i < n; i++) {
        const r = keep[i]!;
        if (pass[codes[r]!] === 1) out[m++] = r;
      }
    }
    keep = out.subarray(0, m);
    n = m;
  }
  for (const pass of masks) {
    const out = new Uint32Array(n);
    let m = 0;
    if (keep === undefined) {
      for (let r = 0; r < n; r++) if (pass[r] === 1) out[m++] = r;
    } else {
      for (let i = 0; i < n; i++) {
        const r = keep[i]!;
        if (pass[r] === 1) out[m++] = r;
      }
    }
    keep = out.subarray(0, m);
    n = m;
  }
  for (const p of preds) {
    const out = new Uint32Array(n);
    let m = 0;
    if (keep === undefined) {
      for (let r = 0; r < n; r++) if (p(r) === true) out[m++] = r;
    } else {
      for (let i = 0; i < n; i++) {
        const r = keep[i]!;
        if (p(r) === true) out[m++] = r;
      }
    }
    keep = out.subarray(0, m);
    n = m;
  }
  if (keep === undefined || n === input.length) return input;
  return takeRows(input, keep);
};
