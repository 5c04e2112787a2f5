/**
 * Dynamic (JSON) functions: array_length, bag_keys, pack_array, bag_pack/pack, array_concat,
 * set_has_element, array_sum.
 */
import { valueKey, type Value } from '../engine/values.js';
import { registerScalar, unary } from './registry.js';

registerScalar(
  'array_length',
  unary((v) => (Array.isArray(v) ? v.length : null)),
);

registerScalar(
  'bag_keys',
  unary((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : null)),
);

registerScalar('pack_array', (args) => {
  const fns = args.map((a) => a.fn);
  return (r) => fns.map((f) => f(r));
});

registerScalar(['bag_pack', 'pack'], (args) => {
  const fns = args.map((a) => a.fn);
  return (r) => {
    const out: Record<string, Value> = {};
    for (let i = 0; i + 1 < fns.length; i += 2) out[String(fns[i]!(r))] = fns[i + 1]!(r);
    return out;
  };
});

registerScalar('array_concat', (args) => {
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
});

registerScalar('set_has_element', ([s, v]) => {
  const fs = s!.fn;
  const fv = v!.fn;
  return (r) => {
    const arr = fs(r);
    if (!Array.isArray(arr)) return null;
    const k = valueKey(fv(r));
    return arr.some((x) => valueKey(x) === k);
  };
});

registerScalar(
  'array_sum',
  unary((v) =>
    Array.isArray(v) ? v.reduce<number>((s, x) => s + (typeof x === 'number' ? x : 0), 0) : null,
  ),
);

registerScalar('array_index_of', ([a, v]) => {
  const fa = a!.fn;
  const fv = v!.fn;
  return (r) => {
    const arr = fa(r);
    if (!Array.isArray(arr)) return null;
    const k = valueKey(fv(r));
    return arr.findIndex((x) => valueKey(x) === k);
  };
});
