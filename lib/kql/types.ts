/**
 * Public types of the KQL module: parameters, diagnostics, loaded queries.
 */

/** A timespan parameter value, in milliseconds (bound as `time(...)`-style literal). */
export interface KqlTimespan {
  timespanMs: number;
}

/** A value that can be bound as a `let` parameter. */
export type KqlParam =
  string | number | boolean | Date | KqlTimespan | readonly string[] | readonly number[];

/** A column name and Kusto type. */
export interface KColumnSchema {
  name: string;
  type: string;
}

/** One problem the parser found. Line and column are 1-based. */
export interface KqlDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  severity: 'error' | 'warning' | 'suggestion' | 'information';
  /** The parser's diagnostic code, e.g. `KS142`. */
  code: string;
}

/** A query file read from `kql/` with its parameters bound. */
export interface LoadedQuery {
  /** The query name (file name without `.kql`). */
  name: string;
  /** Absolute path of the file. */
  file: string;
  /** The text to run: `let` statements for the parameters followed by the file's text. */
  text: string;
  /** The file's text without bound parameters. */
  source: string;
  /** Number of lines prepended by parameter binding (to map diagnostics back to the file). */
  prependedLines: number;
}
