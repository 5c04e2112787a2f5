/**
 * `lookup kind=leftouter|inner (dimension) on keys`: like a join, but the dimension's key
 * columns are not repeated in the output.
 */
import { prop } from '../kusto-language.js';
import type { Column, Frame } from '../engine/frame.js';
import { nullOf, type Value } from '../engine/values.js';
import { applySchema, namedParameters, unsupportedAt, type Operator } from './common.js';
import { joinKeys, keyNames, keyTable } from './join-keys.js';

function pick(frame: Frame, rows: ArrayLike<unknown>, skip: Set<string>): Column[] {
  return frame.columns
    .filter((c) => !skip.has(c.name))
    .map((c) => {
      const data = new Array<Value>(rows.length);
      const fill = nullOf(c.type);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        data[i] = typeof r === 'number' ? c.data[r]! : fill;
      }
      return { ...c, data };
    });
}

export const lookup: Operator = (op, input, env, ctx) => {
  const kind = (namedParameters(op).get('kind') ?? 'leftouter').toLowerCase();
  if (kind !== 'leftouter' && kind !== 'inner') unsupportedAt(ctx, op, 'argument', `kind=${kind}`);
  const right = ctx.evalTabular(prop(op, 'Expression')!, env);
  const keys = joinKeys(prop(op, 'LookupClause'), ctx);
  const names = keyNames(keys.left.length);
  const joined = keyTable(input, keys.left).join(
    keyTable(right, keys.right),
    [names, names],
    [['__row'], ['__row']],
    {
      left: kind === 'leftouter',
    },
  );
  const columns = [
    ...pick(input, joined.array('__row_1'), new Set()),
    ...pick(right, joined.array('__row_2'), new Set(keys.right)),
  ];
  return applySchema(op, columns, joined.numRows(), ctx);
};
