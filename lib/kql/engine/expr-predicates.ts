/**
 * The predicate forms of scalar expressions: `in`/`!in` (scalars or a tabular right side),
 * `has_any`/`has_all`, `between`, and the string operators (`has`, `contains`, `startswith`,
 * `matches regex` and their case-sensitive and negated forms). Split from expr.ts so each file
 * holds one family of operators.
 */
import { elements, prop, resultType, symbolKindName, type KNode } from '../kusto-language.js';
import type { Evaluator } from '../functions/registry.js';
import { compileExpr, typeOf } from './expr.js';
import type { Scope } from './scope.js';
import { hasPrefix, hasSuffix, hasTerm, kustoRegex } from './string-ops.js';
import { compareValues, toKustoString, valueKey, type Value } from './values.js';

function setKey(v: Value, caseInsensitive: boolean): unknown {
  if (typeof v === 'string') return caseInsensitive ? v.toLowerCase() : v;
  return v !== null && typeof v === 'object' ? valueKey(v) : v;
}

/** Flattens the right side of `in`: scalars, dynamic arrays, and tabular sub-queries (first column). */
function inSet(node: KNode, scope: Scope, caseInsensitive: boolean): Set<unknown> {
  const set = new Set<unknown>();
  const add = (v: Value): void => {
    if (Array.isArray(v)) {
      for (const x of v) add(x);
      return;
    }
    if (v === null) return;
    set.add(setKey(v, caseInsensitive));
  };
  for (const el of elements(prop(prop(node, 'Right')!, 'Expressions'))) {
    const t = resultType(el);
    if (t && symbolKindName(t) === 'Table') {
      const frame = scope.ctx.evalTabular(el, scope.env);
      const col = frame.columns[0];
      if (col) for (const v of col.data) add(v);
      continue;
    }
    const c = compileExpr(el, { ...scope, frame: { columns: [], length: 1 } });
    add(c.fn(0));
  }
  return set;
}

export function compileIn(kind: string, node: KNode, scope: Scope): Evaluator {
  // The parser names `in~` InCsExpression and `!in~` NotInCsExpression; `in` and `!in` are
  // the case-sensitive forms.
  const caseInsensitive = kind === 'InCsExpression' || kind === 'NotInCsExpression';
  const negate = kind === 'NotInExpression' || kind === 'NotInCsExpression';
  const set = inSet(node, scope, caseInsensitive);
  const l = compileExpr(prop(node, 'Left')!, scope).fn;
  return (i) => {
    const v = l(i);
    if (v === null) return negate;
    const found = set.has(setKey(v, caseInsensitive));
    return negate ? !found : found;
  };
}

/** `has_any` / `has_all`: whole-term matches (case-insensitive) of any / all listed values. */
export function compileHasAnyAll(all: boolean, node: KNode, scope: Scope): Evaluator {
  const left = compileExpr(prop(node, 'Left')!, scope);
  const terms = [...inSet(node, scope, false)].map((t) =>
    typeof t === 'string' ? t : toKustoString(t as Value),
  );
  const l = left.fn;
  const lt = left.type;
  return (i) => {
    const h = toKustoString(l(i), lt);
    return all ? terms.every((t) => hasTerm(h, t, false)) : terms.some((t) => hasTerm(h, t, false));
  };
}

export function compileBetween(negate: boolean, node: KNode, scope: Scope): Evaluator {
  const l = compileExpr(prop(node, 'Left')!, scope).fn;
  const couple = prop(node, 'Right')!;
  const lo = compileExpr(prop(couple, 'First')!, scope).fn;
  const second = compileExpr(prop(couple, 'Second')!, scope);
  const hi = second.fn;
  // `d between (start .. 1h)`: a timespan as the upper bound means start + timespan.
  const relative = second.type === 'timespan' && typeOf(prop(node, 'Left')!) === 'datetime';
  return (i) => {
    const v = l(i);
    const a = lo(i);
    const span = hi(i);
    const b = relative && a !== null && span !== null ? (a as number) + (span as number) : span;
    if (v === null || a === null || b === null) return null;
    const inside = compareValues(v, a) >= 0 && compareValues(v, b) <= 0;
    return negate ? !inside : inside;
  };
}

type StringTest = (hay: string, needle: string) => boolean;

export const STRING_PREDICATES: Record<
  string,
  { test: StringTest; negate: boolean; lowerBoth?: boolean }
> = {
  EqualTildeExpression: { test: (h, n) => h.toLowerCase() === n.toLowerCase(), negate: false },
  BangTildeExpression: { test: (h, n) => h.toLowerCase() === n.toLowerCase(), negate: true },
  ContainsExpression: { test: (h, n) => h.toLowerCase().includes(n.toLowerCase()), negate: false },
  NotContainsExpression: {
    test: (h, n) => h.toLowerCase().includes(n.toLowerCase()),
    negate: true,
  },
  ContainsCsExpression: { test: (h, n) => h.includes(n), negate: false },
  NotContainsCsExpression: { test: (h, n) => h.includes(n), negate: true },
  StartsWithExpression: {
    test: (h, n) => h.toLowerCase().startsWith(n.toLowerCase()),
    negate: false,
  },
  NotStartsWithExpression: {
    test: (h, n) => h.toLowerCase().startsWith(n.toLowerCase()),
    negate: true,
  },
  StartsWithCsExpression: { test: (h, n) => h.startsWith(n), negate: false },
  NotStartsWithCsExpression: { test: (h, n) => h.startsWith(n), negate: true },
  EndsWithExpression: { test: (h, n) => h.toLowerCase().endsWith(n.toLowerCase()), negate: false },
  NotEndsWithExpression: {
    test: (h, n) => h.toLowerCase().endsWith(n.toLowerCase()),
    negate: true,
  },
  EndsWithCsExpression: { test: (h, n) => h.endsWith(n), negate: false },
  NotEndsWithCsExpression: { test: (h, n) => h.endsWith(n), negate: true },
  HasExpression: { test: (h, n) => hasTerm(h, n, false), negate: false },
  NotHasExpression: { test: (h, n) => hasTerm(h, n, false), negate: true },
  HasCsExpression: { test: (h, n) => hasTerm(h, n, true), negate: false },
  NotHasCsExpression: { test: (h, n) => hasTerm(h, n, true), negate: true },
  HasPrefixExpression: { test: (h, n) => hasPrefix(h, n, false), negate: false },
  NotHasPrefixExpression: { test: (h, n) => hasPrefix(h, n, false), negate: true },
  HasPrefixCsExpression: { test: (h, n) => hasPrefix(h, n, true), negate: false },
  NotHasPrefixCsExpression: { test: (h, n) => hasPrefix(h, n, true), negate: true },
  HasSuffixExpression: { test: (h, n) => hasSuffix(h, n, false), negate: false },
  NotHasSuffixExpression: { test: (h, n) => hasSuffix(h, n, false), negate: true },
  HasSuffixCsExpression: { test: (h, n) => hasSuffix(h, n, true), negate: false },
  NotHasSuffixCsExpression: { test: (h, n) => hasSuffix(h, n, true), negate: true },
  MatchesRegexExpression: { test: () => false, negate: false },
};

export function compileStringPredicate(kind: string, node: KNode, scope: Scope): Evaluator {
  const left = compileExpr(prop(node, 'Left')!, scope);
  const right = compileExpr(prop(node, 'Right')!, scope);
  const l = left.fn;
  const r = right.fn;
  const lt = left.type;
  const rt = right.type;
  if (kind === 'MatchesRegexExpression') {
    if (right.isConstant) {
      const re = kustoRegex(toKustoString(right.constant ?? ''));
      return (i) => re.test(toKustoString(l(i), lt));
    }
    return (i) => kustoRegex(toKustoString(r(i), rt)).test(toKustoString(l(i), lt));
  }
  const spec = STRING_PREDICATES[kind]!;
  const { test, negate } = spec;
  // Fast paths for the common `column op 'literal'` shape: the needle is lowered once, and
  // an exact-case hit is tried before lowering the row's text.
  if (right.isConstant && lt === 'string') {
    const needle = toKustoString(right.constant ?? '', rt);
    const lower = needle.toLowerCase();
    const n = needle.length;
    let fast: ((h: string) => boolean) | undefined;
    switch (kind) {
      case 'EqualTildeExpression':
      case 'BangTildeExpression':
        fast = (h) => h.length === n && (h === needle || h.toLowerCase() === lower);
        break;
      case 'StartsWithExpression':
      case 'NotStartsWithExpression':
        fast = (h) =>
          h.length >= n && (h.startsWith(needle) || h.slice(0, n).toLowerCase() === lower);
        break;
      case 'EndsWithExpression':
      case 'NotEndsWithExpression':
        fast = (h) =>
          h.length >= n && (h.endsWith(needle) || h.slice(h.length - n).toLowerCase() === lower);
        break;
      case 'ContainsExpression':
      case 'NotContainsExpression':
        fast = (h) => h.length >= n && (h.includes(needle) || h.toLowerCase().includes(lower));
        break;
      default:
        fast = (h) => test(h, needle);
    }
    const f = fast;
    return (i) => {
      const ok = f(l(i) as string);
      return negate ? !ok : ok;
    };
  }
  return (i) => {
    const ok = test(toKustoString(l(i), lt), toKustoString(r(i), rt));
    return negate ? !ok : ok;
  };
}
