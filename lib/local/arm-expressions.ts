/**
 * Evaluates the few ARM template expressions the local target reads from the compiled
 * `bicep/main.json`: `parameters()`, `variables()`, `format()`, `concat()`, `if()`, `replace()`, string, number
 * and boolean literals, and `.property` / `[index]` access. Anything else is reported, not
 * guessed.
 */
import { KitError } from '../errors.js';

/** Where names resolve; a lookup throws when the name has no value. */
export interface ArmScope {
  parameter(name: string): unknown;
  variable(name: string): unknown;
}

/**
 * An expression the evaluator cannot read; `reason` says which part. Callers wrap it in an
 * error that names the template and the resource.
 */
export class ArmExpressionError extends KitError {
  constructor(expression: string, reason: string) {
    super(`cannot evaluate ${expression}: ${reason}`);
    this.name = 'ArmExpressionError';
  }
}

/**
 * The value of a template value: an expression string (`[...]`) is evaluated, a `[[` string
 * is the literal without its escape, anything else is returned as is.
 * @example evaluateArm("[format('{0}subscription', parameters('apiPrefix'))]", scope); // 'costing-subscription'
 */
export function evaluateArm(value: unknown, scope: ArmScope): unknown {
  if (typeof value !== 'string' || !value.startsWith('[')) return value;
  if (value.startsWith('[[')) return value.slice(1);
  if (!value.endsWith(']')) return value;
  const parser = new Parser(value, value.slice(1, -1), scope);
  const result = parser.expression();
  parser.end();
  return result;
}

// --- Internal helpers ---

const FUNCTIONS: Record<string, (args: unknown[], scope: ArmScope, expr: string) => unknown> = {
  parameters: (args, scope, expr) => scope.parameter(stringArg(args, 0, 'parameters', expr)),
  variables: (args, scope, expr) => scope.variable(stringArg(args, 0, 'variables', expr)),
  concat: (args, _scope, expr) => {
    if (args.every((a) => Array.isArray(a))) return (args as unknown[][]).flat();
    return args.map((a, i) => scalarText(a, `concat argument ${i + 1}`, expr)).join('');
  },
  // main.bicep picks the AI policies by forceStreamIncludeUsage (if) and drops an include (replace).
  if: (args, _scope, expr) => {
    if (typeof args[0] !== 'boolean')
      throw new ArmExpressionError(expr, 'if() takes a boolean as argument 1');
    return args[0] ? args[1] : args[2];
  },
  replace: (args, _scope, expr) =>
    stringArg(args, 0, 'replace', expr)
      .split(stringArg(args, 1, 'replace', expr))
      .join(stringArg(args, 2, 'replace', expr)),
  format: (args, _scope, expr) => {
    const template = stringArg(args, 0, 'format', expr);
    return template.replace(/\{\{|\}\}|\{(\d+)\}|\{[^}]*\}?/g, (m, index: string | undefined) => {
      if (m === '{{') return '{';
      if (m === '}}') return '}';
      if (index === undefined) throw new ArmExpressionError(expr, `format item ${m} is not {n}`);
      const i = Number(index) + 1;
      if (i >= args.length) throw new ArmExpressionError(expr, `format item ${m} has no argument`);
      return scalarText(args[i], `format argument ${index}`, expr);
    });
  },
};

function stringArg(args: unknown[], i: number, fn: string, expr: string): string {
  const v = args[i];
  if (typeof v !== 'string')
    throw new ArmExpressionError(expr, `${fn}() takes a string as argument ${i + 1}`);
  return v;
}

function scalarText(v: unknown, what: string, expr: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ArmExpressionError(expr, `${what} is not a string, number or boolean`);
}

/** A recursive-descent reader of one expression body. */
class Parser {
  #pos = 0;
  readonly #expr: string;
  readonly #src: string;
  readonly #scope: ArmScope;

  constructor(expr: string, src: string, scope: ArmScope) {
    this.#expr = expr;
    this.#src = src;
    this.#scope = scope;
  }

  end(): void {
    this.#skip();
    if (this.#pos < this.#src.length) this.#fail(`unexpected '${this.#src[this.#pos]}'`);
  }

  expression(): unknown {
    this.#skip();
    let value = this.#primary();
    for (;;) {
      this.#skip();
      const c = this.#src[this.#pos];
      if (c === '.') {
        this.#pos++;
        value = this.#member(value, this.#identifier());
      } else if (c === '[') {
        this.#pos++;
        const key = this.expression();
        this.#expect(']');
        value = this.#member(value, key);
      } else return value;
    }
  }

  #primary(): unknown {
    const c = this.#src[this.#pos];
    if (c === "'") return this.#string();
    if (c !== undefined && /[-\d]/.test(c)) return this.#number();
    const name = this.#identifier();
    this.#skip();
    this.#expect('(');
    const args: unknown[] = [];
    this.#skip();
    if (this.#src[this.#pos] !== ')') {
      for (;;) {
        args.push(this.expression());
        this.#skip();
        if (this.#src[this.#pos] !== ',') break;
        this.#pos++;
      }
    }
    this.#expect(')');
    if (name === 'true' || name === 'false') return name === 'true';
    const fn = FUNCTIONS[name];
    if (!fn) this.#fail(`function ${name}() is not supported`);
    return fn(args, this.#scope, this.#expr);
  }

  #member(value: unknown, key: unknown): unknown {
    if (Array.isArray(value) && typeof key === 'number' && key in value) return value[key];
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      typeof key === 'string' &&
      Object.hasOwn(value, key)
    )
      return (value as Record<string, unknown>)[key];
    return this.#fail(`no member ${JSON.stringify(key)}`);
  }

  #string(): string {
    let out = '';
    this.#pos++;
    for (;;) {
      const q = this.#src.indexOf("'", this.#pos);
      if (q < 0) this.#fail('unterminated string');
      out += this.#src.slice(this.#pos, q);
      this.#pos = q + 1;
      if (this.#src[this.#pos] !== "'") return out;
      out += "'";
      this.#pos++;
    }
  }

  #number(): number {
    const m = /^-?\d+/.exec(this.#src.slice(this.#pos));
    if (!m) this.#fail('bad number');
    this.#pos += m[0].length;
    return Number(m[0]);
  }

  #identifier(): string {
    const m = /^[A-Za-z_$][\w$#]*/.exec(this.#src.slice(this.#pos));
    if (!m) this.#fail(`expected a name at offset ${this.#pos}`);
    this.#pos += m[0].length;
    return m[0];
  }

  #expect(c: string): void {
    if (this.#src[this.#pos] !== c) this.#fail(`expected '${c}' at offset ${this.#pos}`);
    this.#pos++;
  }

  #skip(): void {
    while (this.#src[this.#pos] === ' ') this.#pos++;
  }

  #fail(reason: string): never {
    throw new ArmExpressionError(this.#expr, reason);
  }
}
