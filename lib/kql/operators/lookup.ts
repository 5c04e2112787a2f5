/**
 * `lookup kind=leftouter|inner (dimension) on keys`: like a join, but the dimension's key
 * columns are not repeated in the output.
 */
import { prop } from '../kusto-language.js';
import {
  applySchema,
  checkParameters,
  namedParameters,
  unsupportedAt,
  type Operator,
} from './common.js';
import { pickRows } from './join.js';
import { joinKeys, matchRows } from './join-keys.js';

export const lookup: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, ['kind']);
  const kind = (namedParameters(op).get('kind') ?? 'leftouter').toLowerCase();
  if (kind !== 'leftouter' && kind !== 'inner') unsupportedAt(ctx, op, 'argument', `kind=${kind}`);
  const right = ctx.evalTabular(prop(op, 'Expression')!, env);
  const keys = joinKeys(prop(op, 'LookupClause'), ctx);
  const pairs = matchRows(input, keys.left, right, keys.right, { keepLeft: kind === 'leftouter' });
  const columns = [
    ...pickRows(input, pairs.left),
    ...pickRows(right, pairs.right, new Set(keys.right)),
  ];
  return applySchema(op, columns, pairs.left.length, ctx);
};
