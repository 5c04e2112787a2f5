/**
 * Errors of the KQL module. Each names the file, line and column it is about.
 */
import { KitError } from '../errors.js';
import type { KqlDiagnostic } from './types.js';

/** A query did not pass the official parser's checks. */
export class KqlValidationError extends KitError {
  readonly diagnostics: readonly KqlDiagnostic[];
  constructor(diagnostics: readonly KqlDiagnostic[]) {
    const lines = diagnostics.map((d) => `  ${d.file}:${d.line}:${d.column}: ${d.message}`);
    super(
      `KQL query has ${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}:\n${lines.join('\n')}\n` +
        'Fix the query text (the parser is the one Log Analytics uses), then run it again.',
    );
    this.name = 'KqlValidationError';
    this.diagnostics = diagnostics;
  }
}

/** The local engine does not implement an operator or function the query uses. */
export class KqlUnsupportedError extends KitError {
  /** The operator or function name, e.g. `mv-apply` or `series_fir`. */
  readonly feature: string;
  readonly line: number;
  readonly column: number;
  constructor(
    kind: 'operator' | 'function' | 'expression' | 'argument',
    feature: string,
    line: number,
    column: number,
  ) {
    super(
      `The local KQL engine does not support the ${kind} '${feature}' (line ${line}, column ${column}). ` +
        'Rewrite the query without it, or run it on the azure target.',
    );
    this.name = 'KqlUnsupportedError';
    this.feature = feature;
    this.line = line;
    this.column = column;
  }
}

/**
 * The query is valid but failed while running (e.g. an unknown table in the log store). When
 * the engine knows where, `line` and `column` (1-based) point at the operator or call.
 */
export class KqlRuntimeError extends KitError {
  readonly line?: number;
  readonly column?: number;
  constructor(message: string, options?: { cause?: unknown; line?: number; column?: number }) {
    const at =
      options?.line !== undefined && !/\(line \d+, column \d+\)/.test(message)
        ? ` (line ${options.line}, column ${options.column ?? 1})`
        : '';
    super(`${message}${at}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KqlRuntimeError';
    this.line = options?.line;
    this.column = options?.column;
  }
}

/** A parameter value cannot be bound as a KQL literal. */
export class KqlParameterError extends KitError {
  constructor(name: string, problem: string) {
    super(
      `Query parameter '${name}' ${problem}. Pass a string, number, boolean, Date, { timespanMs } or an array of strings or numbers.`,
    );
    this.name = 'KqlParameterError';
  }
}
