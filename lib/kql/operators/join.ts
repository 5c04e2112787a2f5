/**
 * `join kind=... (right) on keys`. Kinds: innerunique (default: one left row per key), inner,
 * leftouter, rightouter, fullouter, leftsemi, leftanti, rightsemi, rightanti. Output columns
 * are the left then the right columns; the parser names duplicates (`CorrelationId1`).
 * Null keys never match.
 */
import { prop } from '../kusto-language.js';
import { pickColumn, takeRows, type Column, type Frame } from '../engine/frame.js';
import {
  applySchema,
  checkParameters,
  namedParameters,
  renameBySchema,
  unsupportedAt,
  type Operator,
} from './common.js';
import { joinKeys, matchRows, semiRows } from './join-keys.js';

/** The frame's columns at the given rows; `-1` reads as null (empty for strings). */
export function pickRows(
  frame: Frame,
  rows: ArrayLike<number>,
  skip?: ReadonlySet<string>,
): Column[] {
  return frame.columns
    .filter((c) => !skip?.has(c.name))
    .map((c) => pickColumn(c, rows, frame.length));
}

export const join: Operator = (op, input, env, ctx) => {
  checkParameters(op, ctx, ['kind']);
  const kind = (namedParameters(op).get('kind') ?? 'innerunique').toLowerCase();
  const right = ctx.evalTabular(prop(op, 'Expression')!, env);
  const keys = joinKeys(prop(op, 'ConditionClause'), ctx);
  switch (kind) {
    case 'leftsemi':
      return renameBySchema(
        op,
        takeRows(input, semiRows(input, keys.left, right, keys.right, false)),
        ctx,
      );
    case 'leftanti':
    case 'anti':
    case 'leftantisemi':
      return renameBySchema(
        op,
        takeRows(input, semiRows(input, keys.left, right, keys.right, true)),
        ctx,
      );
    case 'rightsemi':
      return renameBySchema(
        op,
        takeRows(right, semiRows(right, keys.right, input, keys.left, false)),
        ctx,
      );
    case 'rightanti':
    case 'rightantisemi':
      return renameBySchema(
        op,
        takeRows(right, semiRows(right, keys.right, input, keys.left, true)),
        ctx,
      );
    case 'innerunique':
    case 'inner':
    case 'leftouter':
    case 'rightouter':
    case 'fullouter':
      break;
    default:
      unsupportedAt(ctx, op, 'argument', `kind=${kind}`);
  }
  const pairs = matchRows(input, keys.left, right, keys.right, {
    // Kusto keeps one (arbitrary) left row per key before joining; we keep the first.
    uniqueLeft: kind === 'innerunique',
    keepLeft: kind === 'leftouter' || kind === 'fullouter',
    keepRight: kind === 'rightouter' || kind === 'fullouter',
  });
  const columns = [...pickRows(input, pairs.left), ...pickRows(right, pairs.right)];
  return applySchema(op, columns, pairs.left.length, ctx);
};
