/**
 * The parser's view of the workspace: one database holding the tables described by
 * `schemas/*.json`, plus an `app('<id>')` function that returns the App Insights database
 * (so `app('...').customMetrics` binds as it does in Log Analytics).
 */
import { readdirSync } from 'node:fs';
import { artifactPath, readArtifact } from '../artifacts/read-artifact.js';
import type { KColumnSchema } from './types.js';
import {
  kusto,
  listToArray,
  type KGlobalState,
  type KList,
  type KSymbol,
} from './kusto-language.js';

/** Tables that live in the App Insights resource rather than the workspace. */
const APP_INSIGHTS_TABLES = new Set(['customMetrics']);

interface SchemaFile {
  table: string;
  columns: { name: string; type: string }[];
}

let cachedSchemas: Map<string, KColumnSchema[]> | undefined;

/** Table name to columns, read from `schemas/*.json`. */
export function loadSchemas(): Map<string, KColumnSchema[]> {
  if (cachedSchemas) return cachedSchemas;
  const map = new Map<string, KColumnSchema[]>();
  for (const file of readdirSync(artifactPath('schemas'))
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const parsed = JSON.parse(readArtifact('schemas', file)) as SchemaFile;
    map.set(
      parsed.table,
      parsed.columns.map((c) => ({ name: c.name, type: c.type })),
    );
  }
  cachedSchemas = map;
  return map;
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `['${name.replace(/'/g, "\\'")}']`;
}

function tableSymbol(name: string, columns: KColumnSchema[]): KSymbol {
  const K = kusto();
  const schema = `(${columns.map((c) => `${quoteName(c.name)}:${c.type}`).join(', ')})`;
  return new K.Symbols.TableSymbol.$ctor7(name, schema, null);
}

let cachedState: KGlobalState | undefined;

/** The parser's global state for the kit's tables (built once). */
export function kitGlobalState(): KGlobalState {
  if (cachedState) return cachedState;
  const K = kusto();
  const schemas = loadSchemas();
  const workspaceTables: KSymbol[] = [];
  const appTables: KSymbol[] = [];
  for (const [name, columns] of schemas) {
    workspaceTables.push(tableSymbol(name, columns));
    if (APP_INSIGHTS_TABLES.has(name)) appTables.push(tableSymbol(name, columns));
  }
  const workspace = new K.Symbols.DatabaseSymbol.$ctor3('workspace', null, workspaceTables, false);
  const appDb = new K.Symbols.DatabaseSymbol.$ctor3('appinsights', null, appTables, false);
  const cluster = new K.Symbols.ClusterSymbol.$ctor1('loganalytics', [workspace, appDb], false);
  const app = new K.Symbols.FunctionSymbol.$ctor5('app', appDb, [
    new K.Symbols.Parameter.$ctor2('id', K.Symbols.ScalarTypes['String'] as KSymbol),
  ]);
  const base = K.GlobalState.Default as unknown as {
    WithCluster(c: KSymbol): { WithDatabase(d: KSymbol): KGlobalState };
  };
  let state = base.WithCluster(cluster).WithDatabase(workspace) as unknown as {
    Functions: unknown;
    WithFunctions(list: unknown): KGlobalState;
  };
  const fns = listToArray(state.Functions as KList<unknown>);
  fns.push(app);
  state = state.WithFunctions(fns) as unknown as typeof state;
  cachedState = state as unknown as KGlobalState;
  return cachedState;
}
