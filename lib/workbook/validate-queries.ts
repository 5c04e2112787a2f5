/**
 * Checks every workbook query with the KQL module (the official Kusto parser and the kit's
 * table schemas), so a typo or a wrong column fails a test instead of a portal tile.
 */
import { validateQuery } from '../kql/index.js';
import type { KqlDiagnostic } from '../kql/types.js';
import type { WorkbookQuery } from './list-queries.js';

/** The diagnostics of one workbook query. */
export interface WorkbookQueryDiagnostics {
  query: WorkbookQuery;
  diagnostics: KqlDiagnostic[];
  /** Diagnostics of severity `error`. */
  errors: KqlDiagnostic[];
}

/**
 * Validates each query (parameters already resolved) and reports its diagnostics; the `file`
 * of each diagnostic is `workbook.json#<item name>`.
 * @example const bad = validateWorkbookQueries(listWorkbookQueries()).filter((d) => d.errors.length > 0);
 */
export function validateWorkbookQueries(
  queries: readonly WorkbookQuery[],
): WorkbookQueryDiagnostics[] {
  return queries.map((query) => {
    const diagnostics = validateQuery(query.query, { file: `workbook.json#${query.name}` });
    return { query, diagnostics, errors: diagnostics.filter((d) => d.severity === 'error') };
  });
}

/** One line per error: `workbook.json#item:line:column message`, for test and cell output. */
export function formatWorkbookDiagnostics(results: readonly WorkbookQueryDiagnostics[]): string {
  return results
    .flatMap((r) =>
      r.errors.map(
        (d) => `${d.file}:${d.line}:${d.column} ${d.message} (tab ${r.query.tabLabel || '-'})`,
      ),
    )
    .join('\n');
}
