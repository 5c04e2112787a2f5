/**
 * What an executing query carries around: the data source, `now`, scan counts, the cache of
 * `materialize()` results, and the `let` bindings in scope.
 */
import type { LogTableSource } from '../log-tables.js';
import type { KNode } from '../kusto-language.js';
import type { Frame } from './frame.js';
import type { QueryBatch } from './shared-results.js';
import type { Value } from './values.js';

/** A `let` binding: a scalar value, or a tabular expression evaluated where it is referenced. */
export type Binding =
  | { kind: 'scalar'; value: Value; type: string }
  | { kind: 'tabular'; node: KNode; env: Env }
  /** A `let` function or view: its declaration and the names in scope where it was declared. */
  | { kind: 'function'; decl: KNode; env: Env }
  /** A function parameter bound to a per-row argument of the call being compiled. */
  | { kind: 'row'; fn: (row: number) => Value; type: string };

/** Names in scope (a new map per `let`, so scopes never leak). */
export type Env = ReadonlyMap<string, Binding>;

/** Per-query state. */
export interface ExecContext {
  source: LogTableSource;
  /** Epoch milliseconds used by `now()` and `ago()`. */
  now: number;
  /** Rows outside this time range are left out of every table (the `timespan` option). */
  timeRange?: { start: number; end: number };
  /** Base table name to number of scans. */
  scans: Record<string, number>;
  /** Called before each pipe operator: throws when the query was cancelled or ran out of time. */
  checkpoint(): void;
  /** `materialize()` results by the expression's position in the text. */
  materialized: Map<number, Frame>;
  /** The query's cancellation signal (its reason passes the error boundary unchanged). */
  signal?: AbortSignal;
  /** 1-based line and column of a text position. */
  position(offset: number): { line: number; column: number };
  /**
   * Set while an operator that failed with a raw JavaScript error is re-run to find the call
   * it came from: only then are function calls compiled with a per-row error wrapper (which
   * costs every row of every call otherwise).
   */
  locateCalls?: boolean;
  /** The batch the query belongs to, while its sub-queries may still be shared (see shared-results.ts). */
  batch?: QueryBatch;
  /** Evaluates a tabular expression (used by `toscalar()` and `in (subquery)`). */
  evalTabular(node: KNode, env: Env): Frame;
}
