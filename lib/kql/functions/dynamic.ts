/**
 * Dynamic (JSON) functions: array_length, bag_keys, pack_array, bag_pack/pack, array_concat,
 * set_has_element, array_sum.
 */
import { dynamicOf, toKustoString, valueKey, type Value } from '../engine/values.js';
import { registerScalar, unary } from './registry.js';

registerScalar(
  'array_length',
  unary((v) => (Array.isArray(v) ? v.length : null)),
  1,
);

registerScalar(
  'bag_keys',
  unary((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : null)),
  1,
);

registerScalar(
  'pack_array',
  (args) => {
    const fns = args.map((a) => a.fn);
    const types = args.map((a) => a.type);
    return (r) => fns.map((f, i) => dynamicOf(f(r), types[i]!));
  },
  Infinity,
);

registerScalar(
  ['bag_pack', 'pack'],
  (args) => {
    const fns = args.map((a) => a.fn);
    const types = args.map((a) => a.type);
    return (r) => {
      const out: Record<string, Value> = {};
      for (let i = 0; i + 1 < fns.length; i += 2)
        out[toKustoString(fns[i]!(r), types[i])] = dynamicOf(fns[i + 1]!(r), types[i + 1]!);
      return out;
    };
  },
  Infinity,
);

registerScalar(
  'array_concat',
  (args) => {
    const fns = args.map((a) => a.fn);
    return (r) => {
      const out: Value[] = [];
      for (const f of fns) {
        const v = f(r);
        if (!Array.isArray(v)) return null;
        out.push(...v);
      }
      return out;
    };
  },
  Infinity,
);

registerScalar(
  'set_has_element',
  ([s, v]) => {
    const fs = s!.fn;
    const fv = v!.fn;
    const vt = v!.type;
    return (r) => {
      const arr = fs(r);
      if (!Array.isArray(arr)) return null;
      const k = valueKey(dynamicOf(fv(r), vt));
      return arr.some((x) => valueKey(x) === k);
    };
  },
  2,
);

registerScalar(
  'array_sum',
  // Documented: an array holding a non-numeric element sums to null.
  unary((v) => {
    if (!Array.isArray(v)) return null;
    let sum = 0;
    for (const x of v) {
      if (typeof x !== 'number') return null;
      sum += x;
    }
    return sum;
  }),
  1,
);

registerScalar(
  'array_index_of',
  ([a, v]) => {
    const fa = a!.fn;
    const fv = v!.fn;
    const vt = v!.type;
    return (r) => {
      const arr = fa(r);
      if (!Array.isArray(arr)) return null;
      const k = valueKey(dynamicOf(fv(r), vt));
      return arr.findIndex((x) => valueKey(x) === k);
    };
  },
  2,
);
