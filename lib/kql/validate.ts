/**
 * Validation with the official Kusto parser against the kit's schemas.
 */
import { analyse, diagnosticsOf } from './analyse.js';
import { KqlValidationError } from './errors.js';
import type { KqlDiagnostic } from './types.js';

/** The parser's diagnostics for a query (errors and warnings), with 1-based line and column. */
export function validateQuery(text: string, options: { file?: string } = {}): KqlDiagnostic[] {
  return diagnosticsOf(analyse(text), options.file ?? '<query>');
}

/** Throws a `KqlValidationError` listing `file:line:col: message` when the query has errors. */
export function assertValid(text: string, file = '<query>'): void {
  const errors = validateQuery(text, { file }).filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new KqlValidationError(errors);
}
