/**
 * `union [kind=outer|inner] [withsource=Col] [isfuzzy=b] T1, T2...`: rows of every input;
 * columns matched by name as the parser's schema lists them, missing ones null (empty for
 * strings); kind=inner keeps only the columns common to all inputs. `isfuzzy` changes nothing
 * locally (every table the parser accepts is in the store, or the query fails).
 */
import { elements, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { encodingOf, mapDictionary } from '../engine/dictionary.js';
import { dictionaryCode } from '../string-index.js';
import { entryOf, extendDictionary } from '../packed-strings.js';
import {
  columnIndex,
  lazyColumn,
  numericOf,
  type Column,
  type DictEncoding,
  type Frame,
  type NumericView,
} from '../engine/frame.js';
import { nullOf, type Value } from '../engine/values.js';
import { namedParameters, outputSchema, unsupportedAt } from './common.js';

/** `union` with an optional piped input (first) and the listed tables. */
export function unionOf(op: KNode, input: Frame | undefined, env: Env, ctx: ExecContext): Frame {
  const params = namedParameters(op);
  const sourceCol = params.get('withsource');
  const kind = (params.get('kind') ?? 'outer').toLowerCase();
  if (kind !== 'outer' && kind !== 'inner') unsupportedAt(ctx, op, 'argument', `kind=${kind}`);
  for (const name of params.keys())
    if (name !== 'kind' && name !== 'withsource' && name !== 'isfuzzy')
      unsupportedAt(ctx, op, 'argument', name);
  const parts: { frame: Frame; label: string }[] = [];
  if (input) parts.push({ frame: input, label: 'union_arg0' });
  for (const e of elements(prop(op, 'Expressions'))) {
    parts.push({ frame: ctx.evalTabular(e, env), label: e.ToString(0).trim() });
  }
  // kind=inner keeps only the columns every input has (the parser lists the outer union's).
  const schema = outputSchema(op).filter(
    (s) =>
      kind !== 'inner' ||
      s.name === sourceCol ||
      parts.every((p) => columnIndex(p.frame, s.name) >= 0),
  );
  const length = parts.reduce((s, p) => s + p.frame.length, 0);
  const columns = schema.map((s) => {
    const col = lazyColumn(s.name, s.type, () => {
      const data = new Array<Value>(length);
      let at = 0;
      for (const p of parts) {
        if (s.name === sourceCol) {
          data.fill(p.label, at, at + p.frame.length);
        } else {
          const idx = columnIndex(p.frame, s.name);
          const src = idx >= 0 ? p.frame.columns[idx]!.data : undefined;
          const fill = nullOf(s.type);
          for (let r = 0; r < p.frame.length; r++) data[at + r] = src ? src[r]! : fill;
        }
        at += p.frame.length;
      }
      return data;
    });
    if (s.type !== 'string' && s.type !== 'bool' && s.name !== sourceCol) {
      col.numeric = () =>
        concatNumeric(
          parts.map((p) => {
            const idx = columnIndex(p.frame, s.name);
            return idx >= 0 ? p.frame.columns[idx]! : p.frame.length;
          }),
          length,
        );
    }
    if (s.type === 'string' && s.name !== sourceCol) {
      col.encode = () =>
        concatEncodings(
          parts.map((p) => {
            const idx = columnIndex(p.frame, s.name);
            const c = idx >= 0 ? p.frame.columns[idx] : undefined;
            return c?.type === 'string' ? c : p.frame.length;
          }),
          length,
        );
    }
    return col;
  });
  return { columns, length };
}

/**
 * The parts' typed values end to end (a missing column, a row count, reads as nulls), when
 * every part that has the column has them typed; otherwise `undefined` (the values are read).
 */
function concatNumeric(parts: (Column | number)[], length: number): NumericView | undefined {
  const views: (NumericView | number)[] = [];
  for (const p of parts) {
    if (typeof p === 'number') views.push(p);
    else {
      const v = numericOf(p);
      if (!v) return undefined;
      views.push(v);
    }
  }
  const values = new Float64Array(length);
  let nulls: Uint8Array | undefined;
  let at = 0;
  for (const v of views) {
    if (typeof v === 'number') {
      (nulls ??= new Uint8Array(length)).fill(1, at, at + v);
      at += v;
      continue;
    }
    if (at + v.values.length > length) return undefined;
    values.set(v.values, at);
    if (v.nulls) (nulls ??= new Uint8Array(length)).set(v.nulls.subarray(0, v.values.length), at);
    at += v.values.length;
  }
  return at === length ? { values, nulls } : undefined;
}

/**
 * The parts' encodings end to end, each part's codes mapped into one dictionary (the first
 * part's, extended with what the others add); a missing column (a row count) reads as ''.
 */
function concatEncodings(parts: (Column | number)[], length: number): DictEncoding | undefined {
  const encs = parts.map((p) => (typeof p === 'number' ? p : encodingOf(p)));
  if (encs.some((e) => e === undefined)) return undefined;
  const base = encs.find((e): e is DictEncoding => typeof e === 'object');
  const baseLength = base ? base.dict.length : 0;
  const extra: string[] = [];
  const added = new Map<string, number>();
  const baseCode = base ? dictionaryCode(base.dict) : undefined;
  const codeOf = (v: string): number => {
    const known = baseCode ? baseCode(v) : -1;
    if (known >= 0) return known;
    let c = added.get(v);
    if (c === undefined) {
      c = baseLength + extra.length;
      extra.push(v);
      added.set(v, c);
    }
    return c;
  };
  const codes = new Int32Array(length);
  let at = 0;
  for (const e of encs) {
    if (typeof e === 'number') {
      codes.fill(codeOf(''), at, at + e);
      at += e;
      continue;
    }
    const own = e!.codes;
    if (e!.dict === base!.dict) {
      codes.set(own, at);
      at += own.length;
      continue;
    }
    const map = mapDictionary(e!.dict, base!.dict);
    const local = new Int32Array(e!.dict.length).fill(-1);
    for (let r = 0; r < own.length; r++) {
      const c = own[r]!;
      let m = local[c]!;
      if (m < 0) {
        m = map[c]! >= 0 ? map[c]! : codeOf(entryOf(e!.dict, c)!);
        local[c] = m;
      }
      codes[at + r] = m;
    }
    at += own.length;
  }
  return { codes, dict: base ? extendDictionary(base.dict, extra) : extra };
}
