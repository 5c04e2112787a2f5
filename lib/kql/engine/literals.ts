/**
 * Values of literal syntax nodes, read from the token text the official parser produced.
 */
import { kindName, type KNode } from '../kusto-language.js';
import { KqlUnsupportedError } from '../errors.js';
import { parseDatetime, parseTimespan, type Value } from './values.js';

function inner(text: string): string {
  const m = /^[a-z0-9_]+\s*\(([\s\S]*)\)$/i.exec(text.trim());
  const body = m ? m[1]!.trim() : text.trim();
  // time('12:30:55') and datetime("2024-01-01") may quote their text.
  return /^(['"]).*\1$/.test(body) ? body.slice(1, -1) : body;
}

/** The text between `dynamic(` and `)`, quotes kept (they are part of the JSON). */
function dynamicBody(text: string): string {
  const m = /^dynamic\s*\(([\s\S]*)\)$/i.exec(text.trim());
  return m ? m[1]!.trim() : text.trim();
}

function literalText(node: KNode): string {
  return node.ToString(0).trim();
}

/** The value of a literal expression node. */
export function literalValue(
  node: KNode,
  position: (o: number) => { line: number; column: number },
): Value {
  const kind = kindName(node);
  const text = literalText(node);
  switch (kind) {
    case 'BooleanLiteralExpression': {
      const t = inner(text).toLowerCase();
      return t === 'null' ? null : t === 'true' || t === '1';
    }
    case 'IntLiteralExpression':
    case 'LongLiteralExpression':
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression': {
      const t = inner(text);
      if (t === 'null') return null;
      if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t, 16);
      if (/^[+-]?inf$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
      if (/^nan$/i.test(t)) return NaN;
      return Number(t);
    }
    case 'StringLiteralExpression':
    case 'CompoundStringLiteralExpression': {
      const v = node['LiteralValue'];
      return typeof v === 'string' ? v : String(v ?? '');
    }
    case 'DateTimeLiteralExpression':
      return parseDatetime(inner(text));
    case 'TimespanLiteralExpression': {
      const body = /^(time|timespan)\s*\(/i.test(text) ? inner(text) : text;
      const v = parseTimespan(body);
      if (v === undefined) {
        const p = position(node.TextStart);
        throw new KqlUnsupportedError('expression', text, p.line, p.column);
      }
      return v;
    }
    case 'GuidLiteralExpression': {
      const t = inner(text);
      return t === 'null' ? null : t;
    }
    case 'NullLiteralExpression':
      return null;
    case 'DynamicExpression': {
      const body = dynamicBody(text);
      try {
        // A quoted scalar (dynamic('a')) has no documented meaning: refused, not guessed.
        if (/^['"@]/.test(body)) throw new SyntaxError('a quoted scalar');
        return parseDynamicLiteral(body);
      } catch {
        // e.g. dynamic('a'): a quoted scalar is not a JSON literal the engine reads.
        const p = position(node.TextStart);
        throw new KqlUnsupportedError('expression', text, p.line, p.column);
      }
    }
    default: {
      const p = position(node.TextStart);
      throw new KqlUnsupportedError('expression', text, p.line, p.column);
    }
  }
}

/** Parses the body of `dynamic(...)`: JSON, with Kusto's single-quoted strings allowed. */
export function parseDynamicLiteral(body: string): Value {
  if (body === 'null' || body === '') return null;
  try {
    return JSON.parse(body) as Value;
  } catch {
    // Rewrite 'single' quoted strings as JSON strings, leaving double-quoted ones alone.
    const rewritten = body.replace(
      /"(?:[^"\\]|\\.)*"|'((?:[^'\\]|\\.)*)'/g,
      (m, single: string | undefined) =>
        single === undefined
          ? m
          : JSON.stringify(single.replace(/\\'/g, "'").replace(/\\\\/g, '\\')),
    );
    return JSON.parse(rewritten) as Value;
  }
}
