/**
 * Join and lookup keys: `on Col` (same name both sides) or `on $left.A == $right.B`, and the
 * matching row pairs, computed by arquero's hash join on the key columns plus row numbers.
 */
import { elements, kindName, prop, type KNode } from '../kusto-language.js';
import type { ExecContext } from '../engine/context.js';
import { columnIndex, type Frame } from '../engine/frame.js';
import type { Value } from '../engine/values.js';
import { aq, type AqTable } from '../engine/arquero.js';
import { unsupportedAt } from './common.js';

export interface JoinKeys {
  left: string[];
  right: string[];
}

function sideColumn(node: KNode): { side: string; name: string } | undefined {
  if (kindName(node) !== 'PathExpression') return undefined;
  const target = prop(node, 'Expression')!;
  const side = String(target['SimpleName'] ?? '');
  const name = String(prop(node, 'Selector')!['SimpleName'] ?? '');
  return side === '$left' || side === '$right' ? { side, name } : undefined;
}

/** Reads the `on` clause of a join or lookup. */
export function joinKeys(clause: KNode | undefined, ctx: ExecContext): JoinKeys {
  const keys: JoinKeys = { left: [], right: [] };
  if (!clause || kindName(clause) !== 'JoinOnClause') {
    return unsupportedAt(ctx, clause ?? ({ TextStart: 0 } as KNode), 'expression', 'join where');
  }
  for (const e of elements(prop(clause, 'Expressions'))) {
    const kind = kindName(e);
    if (kind === 'NameReference') {
      const n = String(e['SimpleName']);
      keys.left.push(n);
      keys.right.push(n);
      continue;
    }
    if (kind === 'EqualExpression') {
      const a = sideColumn(prop(e, 'Left')!);
      const b = sideColumn(prop(e, 'Right')!);
      if (a && b && a.side !== b.side) {
        const l = a.side === '$left' ? a : b;
        const r = a.side === '$left' ? b : a;
        keys.left.push(l.name);
        keys.right.push(r.name);
        continue;
      }
    }
    unsupportedAt(ctx, e, 'expression', e.ToString(0).trim());
  }
  return keys;
}

/** An arquero table of a frame's key columns (named k0..kn) and its row numbers (`__row`). */
export function keyTable(frame: Frame, names: string[]): AqTable {
  const spec: Record<string, ArrayLike<unknown>> = {};
  names.forEach((n, i) => {
    const idx = columnIndex(frame, n);
    spec[`k${i}`] = idx >= 0 ? frame.columns[idx]!.data : new Array<Value>(frame.length).fill(null);
  });
  const rows = new Int32Array(frame.length);
  for (let i = 0; i < frame.length; i++) rows[i] = i;
  spec['__row'] = rows;
  return aq().table(spec);
}

/** Names k0..kn for the key columns. */
export function keyNames(n: number): string[] {
  return Array.from({ length: n }, (_v, i) => `k${i}`);
}
