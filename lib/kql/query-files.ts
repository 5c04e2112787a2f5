/**
 * The query files in `kql/`: listing, loading, and binding parameters as `let` statements.
 *
 * A file declares its parameters in its header comment, one per line:
 * `// @param threshold: long = 1000  -- requests per BU per hour`. The default is KQL text; a
 * parameter without one (`// @param baseMonthlyCost: real -- ...`) must be bound by the caller:
 * prices are, from `lib/pricing` (`queryPriceParameters`), so no query can run on a stale price.
 * Bound `let`s go on the file's first line (before its opening comment), so line numbers
 * in diagnostics stay those of the file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { artifactPath } from '../artifacts/read-artifact.js';
import { ArtifactError } from '../errors.js';
import { KqlParameterError } from './errors.js';
import { literalOf } from './literals.js';
import type { KqlParam, LoadedQuery } from './types.js';

/** A parameter declared in a query file's header. */
export interface QueryParameter {
  name: string;
  type: string;
  /** KQL text of the default; `undefined` when the caller must bind the parameter. */
  defaultText: string | undefined;
  description: string;
}

const PARAM_LINE =
  /^\/\/\s*@param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([a-z]+)\s*(?:=\s*(.+?)\s*)?(?:--\s*(.*))?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The names of the query files in `kql/` (without `.kql`), sorted. */
export function listQueryNames(): string[] {
  const dir = artifactPath('kql');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.kql'))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** The parameters a query text declares in its header comment. */
export function declaredParameters(text: string): QueryParameter[] {
  const out: QueryParameter[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('//')) {
      if (t === '') continue;
      break;
    }
    const m = PARAM_LINE.exec(t);
    if (m) out.push({ name: m[1]!, type: m[2]!, defaultText: m[3], description: m[4] ?? '' });
  }
  return out;
}

/** Prepends `let` statements for the parameters (declared ones get their default when not given). */
export function bindParameters(text: string, params: Record<string, KqlParam> = {}): string {
  const declared = declaredParameters(text);
  const declaredNames = new Set(declared.map((d) => d.name));
  const lets: string[] = [];
  for (const d of declared) {
    const value = params[d.name];
    if (value === undefined && d.defaultText === undefined) {
      throw new KqlParameterError(
        d.name,
        `has no default and was not bound (${d.description || d.type}); pass it, e.g. from queryPriceParameters(config) for prices`,
      );
    }
    lets.push(
      `let ${d.name} = ${value === undefined ? d.defaultText : literalOf(d.name, value, d.type)};`,
    );
  }
  for (const [name, value] of Object.entries(params)) {
    if (declaredNames.has(name)) continue;
    if (declared.length > 0) {
      throw new KqlParameterError(
        name,
        `is not a parameter of this query (it takes ${[...declaredNames].join(', ')})`,
      );
    }
    if (!NAME.test(name)) throw new KqlParameterError(name, 'is not a valid KQL name');
    lets.push(`let ${name} = ${literalOf(name, value)};`);
  }
  return lets.length === 0 ? text : `${lets.join(' ')} ${text}`;
}

/** Reads `kql/<name>.kql` and binds its parameters. */
export function loadQuery(name: string, params?: Record<string, KqlParam>): LoadedQuery {
  if (!NAME.test(name.replace(/-/g, '_')))
    throw new ArtifactError(
      `'${name}' is not a query name. Known: ${listQueryNames().join(', ')}.`,
    );
  const file = artifactPath('kql', `${name}.kql`);
  if (!existsSync(file)) {
    throw new ArtifactError(
      `No query file kql/${name}.kql. Known queries: ${listQueryNames().join(', ')}.`,
    );
  }
  const source = readFileSync(file, 'utf8');
  return { name, file, source, text: bindParameters(source, params), prependedLines: 0 };
}
