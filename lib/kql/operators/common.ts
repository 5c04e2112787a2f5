/**
 * Helpers shared by operators: the output schema the parser computed, assembling frames by
 * that schema, named parameters (`kind=inner`), and position-tagged errors.
 */
import { KqlRuntimeError, KqlUnsupportedError } from '../errors.js';
import {
  elements,
  kindName,
  prop,
  resultType,
  tableColumns,
  type KNode,
} from '../kusto-language.js';
import type { Env, ExecContext } from '../engine/context.js';
import { encodingOf } from '../engine/dictionary.js';
import { lazyColumn, numericOf, type Column, type Frame } from '../engine/frame.js';
import type { Scope } from '../engine/scope.js';
import { normaliseType } from '../engine/values.js';

/** An operator: turns the input frame into the output frame. */
export type Operator = (op: KNode, input: Frame, env: Env, ctx: ExecContext) => Frame;

/** The columns (name and type) the parser says an operator produces. */
export function outputSchema(op: KNode): { name: string; type: string }[] {
  return tableColumns(resultType(op)).map((c) => ({ name: c.name, type: normaliseType(c.type) }));
}

/** The column under another name and type, without reading (and so computing) its values. */
export function renamed(c: Column, name: string, type: string): Column {
  if (c.name === name && c.type === type) return c;
  const col = lazyColumn(name, type, () => c.data);
  if (type === 'string' && c.type === 'string') {
    col.encode = () => encodingOf(c);
    if (c.cheapEncoding === true) col.cheapEncoding = true;
  }
  if (c.bounds && c.type === type) col.bounds = c.bounds;
  if (c.numeric && c.type === type) col.numeric = () => numericOf(c);
  return col;
}

/** Gives the computed columns the parser's names and types (they must be in the same order). */
export function applySchema(
  op: KNode,
  columns: Column[],
  length: number,
  ctx: ExecContext,
  serialized?: boolean,
): Frame {
  const schema = outputSchema(op);
  if (schema.length !== columns.length) {
    const p = ctx.position(op.TextStart);
    throw new KqlRuntimeError(
      `Engine produced ${columns.length} columns where the parser expects ${schema.length} ` +
        `(${schema.map((c) => c.name).join(', ')}) at line ${p.line}, column ${p.column}.`,
    );
  }
  return {
    columns: columns.map((c, i) => renamed(c, schema[i]!.name, schema[i]!.type)),
    length,
    serialized,
  };
}

/** Builds the output by taking each schema column from the input by name. */
export function selectBySchema(
  op: KNode,
  input: Frame,
  ctx: ExecContext,
  rename?: Map<string, string>,
): Frame {
  const byName = new Map(input.columns.map((c) => [c.name, c]));
  const columns = outputSchema(op).map((s) => {
    const col = byName.get(rename?.get(s.name) ?? s.name);
    if (!col) {
      const p = ctx.position(op.TextStart);
      throw new KqlRuntimeError(
        `Column '${s.name}' not found at line ${p.line}, column ${p.column}.`,
      );
    }
    return renamed(col, s.name, s.type);
  });
  return { columns, length: input.length, serialized: input.serialized };
}

/** The named parameters of an operator (`kind=inner`, `withsource=T`) as lower-case name to text. */
export function namedParameters(op: KNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of elements(prop(op, 'Parameters'))) {
    const name = String(prop(p, 'Name')?.['SimpleName'] ?? '').toLowerCase();
    const value = prop(p, 'Expression');
    const text = value
      ? String(value['SimpleName'] ?? value['LiteralValue'] ?? value.ToString(0)).trim()
      : '';
    out.set(name, text);
  }
  return out;
}

/** Throws the unsupported-feature error at a node's position. */
export function unsupportedAt(
  ctx: ExecContext,
  node: KNode,
  kind: 'operator' | 'function' | 'expression' | 'argument',
  name: string,
): never {
  const p = ctx.position(node.TextStart);
  throw new KqlUnsupportedError(kind, name, p.line, p.column);
}

/** A scope for compiling expressions over a frame. */
export function scopeOf(frame: Frame, env: Env, ctx: ExecContext): Scope {
  return { frame, env, ctx };
}

/** The declared name of `name = expr`, or `undefined` for a bare expression. */
export function declaredName(expr: KNode): string | undefined {
  if (kindName(expr) !== 'SimpleNamedExpression') return undefined;
  return String(prop(prop(expr, 'Name')!, 'SimpleName') ?? '') || undefined;
}

/** {@link applySchema} for a whole frame. */
export function renameBySchema(op: KNode, frame: Frame, ctx: ExecContext): Frame {
  return applySchema(op, frame.columns, frame.length, ctx, frame.serialized);
}

/**
 * Refuses every named parameter of the operator that is not in `allowed`. Parameters named
 * `hint.*` pass: the reference pages say hints (shuffle keys, strategies, partitions, remote
 * placement) change how a cluster runs the operator, never its result.
 */
export function checkParameters(op: KNode, ctx: ExecContext, allowed: readonly string[]): void {
  for (const p of elements(prop(op, 'Parameters'))) {
    const name = String(prop(p, 'Name')?.['SimpleName'] ?? '').toLowerCase();
    if (name.startsWith('hint.') || allowed.includes(name)) continue;
    unsupportedAt(ctx, p, 'argument', name);
  }
}
