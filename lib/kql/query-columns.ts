/**
 * The tables a query reads and the column names it can touch, from the official parser's
 * semantic analysis: every column reference anywhere in the query, and every column of its
 * result. A columnar store loads just these before running it (a column the engine reads
 * that is not here is still caught: the store refuses to answer without it).
 */
import { analyse } from './analyse.js';
import {
  elements,
  kindName,
  prop,
  referencedSymbol,
  resultType,
  symbolKindName,
  tableColumns,
  type KNode,
} from './kusto-language.js';

/** What {@link queryColumns} found. */
export interface QueryColumns {
  tables: Set<string>;
  columns: Set<string>;
}

/**
 * The tables and column names a query uses.
 * @example queryColumns('ApiManagementGatewayLogs | summarize count() by ApiId'); // tables: {ApiManagementGatewayLogs}, columns: {ApiId, count_}
 */
export function queryColumns(text: string): QueryColumns {
  const code = analyse(text);
  const out: QueryColumns = { tables: new Set(), columns: new Set() };
  walk(code.Syntax, out);
  const statements = elements(prop(code.Syntax, 'Statements'));
  const last = statements[statements.length - 1];
  const expr =
    last && kindName(last) === 'ExpressionStatement' ? prop(last, 'Expression') : undefined;
  if (expr) for (const c of tableColumns(resultType(expr))) out.columns.add(c.name);
  return out;
}

function walk(node: KNode, out: QueryColumns): void {
  if (kindName(node) === 'NameReference') {
    const sym = referencedSymbol(node);
    const kind = sym ? symbolKindName(sym) : '';
    const name = String(node['SimpleName'] ?? '');
    if (kind === 'Table') out.tables.add(name);
    else if (kind === 'Column') out.columns.add(name);
  }
  for (let i = 0; i < node.ChildCount; i++) {
    const c = node.GetChild(i);
    if (c && !c.IsToken) walk(c, out);
  }
}
