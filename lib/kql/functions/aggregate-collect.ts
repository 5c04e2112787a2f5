/**
 * Aggregations that collect values into dynamic arrays and bags: make_list, make_set (and
 * their `_if` forms) and make_bag / make_bag_if. Nulls are skipped; an array value adds its
 * elements (the documented "set from array column" example), other values are added whole;
 * `maxSize` (default and maximum 1048576) caps the number of elements or keys.
 */
import { dynamicOf, valueKey, type Value } from '../engine/values.js';
import { registerAggregate, values, type AggregateImpl } from './aggregate-registry.js';

const MAX_SIZE = 1_048_576;

function limitOf(c: Value | undefined): number {
  if (c === null || c === undefined) return MAX_SIZE;
  const n = Math.trunc(Number(c));
  return Number.isFinite(n) && n >= 0 ? Math.min(n, MAX_SIZE) : MAX_SIZE;
}

function collectImpl(distinct: boolean, withPredicate: boolean): AggregateImpl {
  return ({ args, argTypes, constants, gid, groups, rows }) => {
    const lists: Value[][] = Array.from({ length: groups }, () => []);
    const seen = distinct ? Array.from({ length: groups }, () => new Set<string>()) : [];
    const f = args[0]!;
    const type = argTypes[0] ?? 'dynamic';
    const pred = withPredicate ? args[1]! : undefined;
    const limit = limitOf(constants[withPredicate ? 2 : 1]);
    const add = (g: number, v: Value): void => {
      const list = lists[g]!;
      if (list.length >= limit) return;
      if (distinct) {
        const k = valueKey(v);
        if (seen[g]!.has(k)) return;
        seen[g]!.add(k);
      }
      list.push(v);
    };
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const v = f(r);
      if (v === null) continue;
      const g = gid[r]!;
      if (Array.isArray(v)) for (const x of v) add(g, x);
      else add(g, dynamicOf(v, type));
    }
    return values(lists);
  };
}
registerAggregate('make_list', collectImpl(false, false), 2);
registerAggregate('make_list_if', collectImpl(false, true), 3);
registerAggregate('make_set', collectImpl(true, false), 2);
registerAggregate('make_set_if', collectImpl(true, true), 3);

/** `make_bag(bag [, maxSize])`: the union of the bags in the group; non-bag values are skipped. */
function bagImpl(withPredicate: boolean): AggregateImpl {
  return ({ args, constants, gid, groups, rows }) => {
    const bags: Record<string, Value>[] = Array.from({ length: groups }, () => ({}));
    const sizes = new Uint32Array(groups);
    const f = args[0]!;
    const pred = withPredicate ? args[1]! : undefined;
    const limit = limitOf(constants[withPredicate ? 2 : 1]);
    for (let r = 0; r < rows; r++) {
      if (pred && pred(r) !== true) continue;
      const v = f(r);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
      const g = gid[r]!;
      const bag = bags[g]!;
      for (const [k, x] of Object.entries(v)) {
        // The first value seen for a key is kept (Kusto picks one of them).
        if (k in bag || sizes[g]! >= limit) continue;
        bag[k] = x;
        sizes[g]!++;
      }
    }
    return values(bags);
  };
}
registerAggregate('make_bag', bagImpl(false), 2);
registerAggregate('make_bag_if', bagImpl(true), 3);
