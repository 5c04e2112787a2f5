/**
 * `parse [kind=simple|regex|relaxed [flags=...]] Expr with [*] 'const' Col[:type] [*] ...` and
 * `parse-where` (the same, keeping only the rows that parsed). The pattern becomes one regular
 * expression matched against the whole text (the reference page adds `*` wherever text is
 * skipped, and the trailing column takes the rest):
 * - simple and relaxed: constants match literally; `*` and string columns match lazily.
 * - regex: constants are regular expressions; `*` and string columns are greedy (`.*`), as the
 *   page's examples show (flag `U` makes them lazy), flags `i`, `m`, `s` as in RE2.
 * Typed columns: integers match `-?\d+`, reals a decimal number; other types match lazily
 * and are converted. A failed match, or (simple, regex) a failed conversion, gives nulls in
 * every parsed column; relaxed nulls only the column whose value did not convert (a typed
 * column there matches its type's text, or else any text up to the next delimiter).
 */
import { elements, kindName, prop, type KNode } from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { compileExpr } from '../engine/expr.js';
import { columnIndex, takeRows, type Column, type Frame } from '../engine/frame.js';
import { parseDatetime, parseTimespan, toKustoString, type Value } from '../engine/values.js';
import {
  namedParameters,
  outputSchema,
  renamed,
  scopeOf,
  unsupportedAt,
  type Operator,
} from './common.js';

type Kind = 'simple' | 'regex' | 'relaxed';

interface Target {
  name: string;
  type: string;
}

const INTEGER = String.raw`-?\d+`;
const REAL = String.raw`-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The text of a column value as the type, or `undefined` when it does not convert. */
function convert(text: string, type: string): Value | undefined {
  switch (type) {
    case 'string':
      return text;
    case 'long':
    case 'int':
      return /^\s*-?\d+\s*$/.test(text) ? Number(text) : undefined;
    case 'real':
    case 'decimal': {
      const t = text.trim();
      return new RegExp(`^${REAL}$`).test(t) ? Number(t) : undefined;
    }
    case 'datetime': {
      const v = parseDatetime(text);
      return v === null ? undefined : v;
    }
    case 'timespan': {
      const v = parseTimespan(text);
      return v === null || v === undefined ? undefined : v;
    }
    case 'bool': {
      const t = text.trim().toLowerCase();
      return t === 'true' ? true : t === 'false' ? false : undefined;
    }
    case 'guid':
      return GUID.test(text.trim()) ? text.trim().toLowerCase() : undefined;
    case 'dynamic':
      try {
        return JSON.parse(text) as Value;
      } catch {
        return text;
      }
    default:
      return undefined;
  }
}

interface Compiled {
  regex: RegExp;
  targets: Target[];
  kind: Kind;
}

function compilePattern(op: KNode, ctx: ExecContext): Compiled {
  const params = namedParameters(op);
  const kind = (params.get('kind') ?? 'simple').toLowerCase();
  if (kind !== 'simple' && kind !== 'regex' && kind !== 'relaxed')
    unsupportedAt(ctx, op, 'argument', `kind=${kind}`);
  let flags = '';
  let lazy = kind !== 'regex';
  const flagText = params.get('flags');
  for (const name of params.keys())
    if (name !== 'kind' && name !== 'flags') unsupportedAt(ctx, op, 'argument', name);
  const patterns = elements(prop(op, 'Patterns'));
  if (flagText !== undefined) {
    if (kind !== 'regex') unsupportedAt(ctx, op, 'argument', `flags with kind=${kind}`);
    for (const f of flagText.replace(/^['"]|['"]$/g, '')) {
      if (f === 'i' || f === 'm' || f === 's') {
        if (!flags.includes(f)) flags += f;
      } else if (f === 'U') {
        // RE2's U also swaps the quantifiers inside the constants; we only swap our own.
        const quantified = patterns.some(
          (p) => kindName(p).includes('StringLiteral') && /[*+?{]/.test(stringOf(p)),
        );
        if (quantified)
          unsupportedAt(ctx, op, 'argument', 'flags=U with quantifiers in the pattern');
        lazy = true;
      } else unsupportedAt(ctx, op, 'argument', `flags=${flagText}`);
    }
  }
  const any = lazy ? '.*?' : '.*';
  const targets: Target[] = [];
  // The whole text, whatever `m` does to ^ and $.
  let source = '(?<![\\s\\S])';
  for (const p of patterns) {
    const k = kindName(p);
    if (k === 'StarExpression') {
      source += any;
    } else if (k === 'StringLiteralExpression' || k === 'CompoundStringLiteralExpression') {
      const text = stringOf(p);
      if (kind === 'regex' && /\(\?P?</.test(text))
        unsupportedAt(ctx, p, 'argument', 'named groups in a parse regex');
      source += kind === 'regex' ? `(?:${text})` : escapeRegex(text);
    } else if (k === 'NameDeclaration' || k === 'NameAndTypeDeclaration') {
      const decl = k === 'NameDeclaration' ? p : prop(p, 'Name')!;
      const name = String(prop(decl, 'Name')?.['SimpleName'] ?? decl.ToString(0).trim());
      const type = outputSchema(op).find((s) => s.name === name)?.type ?? 'string';
      if (type === 'unknown') unsupportedAt(ctx, p, 'argument', `column type of ${name}`);
      targets.push({ name, type });
      const exact =
        type === 'long' || type === 'int'
          ? INTEGER
          : type === 'real' || type === 'decimal'
            ? REAL
            : undefined;
      // Relaxed: a value of the type when there is one, else any text (which then nulls).
      const typed = !exact ? any : kind === 'relaxed' ? `${exact}|${any}` : exact;
      source += `(?<c${targets.length - 1}>${typed})`;
    } else {
      unsupportedAt(ctx, p, 'expression', p.ToString(0).trim());
    }
  }
  return { regex: new RegExp(`${source}(?![\\s\\S])`, flags), targets, kind };
}

function stringOf(node: KNode): string {
  const v = node['LiteralValue'];
  return typeof v === 'string' ? v : String(v ?? '');
}

function parseFrame(
  op: KNode,
  input: Frame,
  env: Env,
  ctx: ExecContext,
  keepFailed: boolean,
): Frame {
  const { regex, targets, kind } = compilePattern(op, ctx);
  const source = compileExpr(prop(op, 'Expression')!, scopeOf(input, env, ctx));
  const out: Value[][] = targets.map(() => new Array<Value>(input.length).fill(null));
  const kept: number[] = [];
  for (let r = 0; r < input.length; r++) {
    const text = toKustoString(source.fn(r), source.type);
    const m = regex.exec(text);
    if (!m) continue;
    const values: Value[] = [];
    let ok = true;
    for (let i = 0; i < targets.length; i++) {
      const v = convert(m.groups?.[`c${i}`] ?? '', targets[i]!.type);
      if (v === undefined) {
        if (kind !== 'relaxed') ok = false;
        values.push(null);
      } else values.push(v);
    }
    if (!ok) continue;
    kept.push(r);
    values.forEach((v, i) => (out[i]![r] = v));
  }
  // Unparsed strings read as empty, as every null string does.
  targets.forEach((t, i) => {
    if (t.type === 'string') for (let r = 0; r < input.length; r++) out[i]![r] ??= '';
  });
  const byTarget = new Map(targets.map((t, i) => [t.name, i]));
  const columns: Column[] = outputSchema(op).map((s) => {
    const i = byTarget.get(s.name);
    if (i !== undefined) return { name: s.name, type: s.type, data: out[i]! };
    const idx = columnIndex(input, s.name);
    if (idx < 0) return unsupportedAt(ctx, op, 'expression', `column ${s.name}`);
    return renamed(input.columns[idx]!, s.name, s.type);
  });
  const frame: Frame = { columns, length: input.length, serialized: input.serialized };
  return keepFailed ? frame : takeRows(frame, kept);
}

export const parse: Operator = (op, input, env, ctx) => parseFrame(op, input, env, ctx, true);

export const parseWhere: Operator = (op, input, env, ctx) => parseFrame(op, input, env, ctx, false);
