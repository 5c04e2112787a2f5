/**
 * Conditional and null-testing functions: iif/iff, case, coalesce, isempty, isnull, not,
 * min_of, max_of.
 */
import { compareValues, type Value } from '../engine/values.js';
import { registerScalar, unary } from './registry.js';

registerScalar(
  ['iif', 'iff'],
  ([c, a, b]) => {
    const fc = c!.fn;
    const fa = a!.fn;
    const fb = b!.fn;
    // A null condition counts as false.
    return (r) => (fc(r) === true ? fa(r) : fb(r));
  },
  3,
);

registerScalar(
  'case',
  (args) => {
    const pairs: [(r: number) => Value, (r: number) => Value][] = [];
    for (let i = 0; i + 1 < args.length; i += 2) pairs.push([args[i]!.fn, args[i + 1]!.fn]);
    const otherwise = args[args.length - 1]!.fn;
    return (r) => {
      for (const [c, v] of pairs) if (c(r) === true) return v(r);
      return otherwise(r);
    };
  },
  Infinity,
);

registerScalar(
  'coalesce',
  (args) => {
    const fns = args.map((a) => a.fn);
    // The first value that is not null (and, for strings, not empty).
    return (r) => {
      for (const f of fns) {
        const v = f(r);
        if (v !== null && v !== '') return v;
      }
      return fns.length > 0 && args[0]!.type === 'string' ? '' : null;
    };
  },
  Infinity,
);

registerScalar(
  'isempty',
  ([a]) => {
    const f = a!.fn;
    return (r) => {
      const v = f(r);
      return v === null || v === '';
    };
  },
  1,
);
registerScalar(
  'isnotempty',
  ([a]) => {
    const f = a!.fn;
    return (r) => {
      const v = f(r);
      return !(v === null || v === '');
    };
  },
  1,
);
registerScalar(
  'isnull',
  ([a]) => {
    const f = a!.fn;
    const isString = a!.type === 'string';
    // A string is never null in Kusto (only empty).
    return (r) => (isString ? false : f(r) === null);
  },
  1,
);
registerScalar(
  'isnotnull',
  ([a]) => {
    const f = a!.fn;
    const isString = a!.type === 'string';
    return (r) => (isString ? true : f(r) !== null);
  },
  1,
);
registerScalar(
  'not',
  unary((v) => !v),
  1,
);

function extremeOf(sign: 1 | -1) {
  return (args: { fn: (r: number) => Value }[]) => {
    const fns = args.map((a) => a.fn);
    return (r: number): Value => {
      let best: Value = null;
      for (const f of fns) {
        const v = f(r);
        if (v === null) continue;
        if (best === null || sign * compareValues(v, best) > 0) best = v;
      }
      return best;
    };
  };
}
registerScalar('max_of', extremeOf(1), Infinity);
registerScalar('min_of', extremeOf(-1), Infinity);
