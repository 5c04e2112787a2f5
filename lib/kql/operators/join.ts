/**
 * `join kind=... (right) on keys`. Kinds: innerunique (default: one left row per key), inner,
 * leftouter, rightouter, fullouter, leftsemi, leftanti, rightsemi, rightanti. Output columns
 * are the left then the right columns; the parser names duplicates (`CorrelationId1`).
 */
import { prop } from '../kusto-language.js';
import { takeRows, type Column, type Frame } from '../engine/frame.js';
import { nullOf, type Value } from '../engine/values.js';
import {
  applySchema,
  namedParameters,
  renameBySchema,
  unsupportedAt,
  type Operator,
} from './common.js';
import { joinKeys, keyNames, keyTable } from './join-keys.js';

function pick(frame: Frame, rows: ArrayLike<unknown>): Column[] {
  return frame.columns.map((c) => {
    const data = new Array<Value>(rows.length);
    const fill = nullOf(c.type);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      data[i] = typeof r === 'number' ? c.data[r]! : fill;
    }
    return { ...c, data };
  });
}

export const join: Operator = (op, input, env, ctx) => {
  const kind = (namedParameters(op).get('kind') ?? 'innerunique').toLowerCase();
  const right = ctx.evalTabular(prop(op, 'Expression')!, env);
  const keys = joinKeys(prop(op, 'ConditionClause'), ctx);
  const names = keyNames(keys.left.length);
  const on: [string[], string[]] = [names, names];
  let L = keyTable(input, keys.left);
  const R = keyTable(right, keys.right);
  switch (kind) {
    case 'leftsemi':
      return renameBySchema(
        op,
        takeRows(input, L.semijoin(R, on).array('__row') as ArrayLike<number>),
        ctx,
      );
    case 'leftanti':
    case 'anti':
    case 'leftantisemi':
      return renameBySchema(
        op,
        takeRows(input, L.antijoin(R, on).array('__row') as ArrayLike<number>),
        ctx,
      );
    case 'rightsemi':
      return renameBySchema(
        op,
        takeRows(right, R.semijoin(L, on).array('__row') as ArrayLike<number>),
        ctx,
      );
    case 'rightanti':
    case 'rightantisemi':
      return renameBySchema(
        op,
        takeRows(right, R.antijoin(L, on).array('__row') as ArrayLike<number>),
        ctx,
      );
    case 'innerunique':
      // Kusto keeps one (arbitrary) left row per key before joining; we keep the first.
      L = L.dedupe(...names);
      break;
    case 'inner':
    case 'leftouter':
    case 'rightouter':
    case 'fullouter':
      break;
    default:
      unsupportedAt(ctx, op, 'argument', `kind=${kind}`);
  }
  const joined = L.join(R, on, [['__row'], ['__row']], {
    left: kind === 'leftouter' || kind === 'fullouter',
    right: kind === 'rightouter' || kind === 'fullouter',
  });
  // arquero suffixes the duplicate value column names with _1 and _2.
  const lrows = joined.array('__row_1');
  const rrows = joined.array('__row_2');
  const columns = [...pick(input, lrows), ...pick(right, rrows)];
  return applySchema(op, columns, joined.numRows(), ctx);
};
