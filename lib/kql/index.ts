/**
 * KQL for the kit: query files in `kql/`, parameter binding, validation with the official
 * Kusto parser, and the local execution engine (official syntax tree, arquero for the
 * relational work).
 *
 * @example
 * const q = loadQuery('bu-token-usage');
 * assertValid(q.text, q.file);
 * const result = executeQuery(q.text, logStore);
 */
export { loadQuery, listQueryNames, declaredParameters, bindParameters } from './query-files.js';
export type { QueryParameter } from './query-files.js';
export { validateQuery, assertValid } from './validate.js';
export { executeQuery } from './engine/execute.js';
export type { ExecuteOptions } from './engine/execute.js';
export { stringLiteral, literalOf } from './literals.js';
export {
  KqlValidationError,
  KqlUnsupportedError,
  KqlRuntimeError,
  KqlParameterError,
} from './errors.js';
export type { KqlParam, KqlTimespan, KqlDiagnostic, LoadedQuery } from './types.js';
export { scalarFunctionNames } from './functions/index.js';
import { listQueryNames } from './query-files.js';

/** The names of the query files in `kql/` at load time (e.g. `bu-token-usage`). */
export const QUERY_NAMES: readonly string[] = listQueryNames();
export { queryColumns } from './query-columns.js';
export type { QueryColumns } from './query-columns.js';
export { createQueryBatch } from './engine/shared-results.js';
export type { QueryBatch } from './engine/shared-results.js';
