/**
 * Loads the official Kusto parser (`@kusto/language-service-next`, Bridge.NET output) and
 * exposes the few parts the kit uses through narrow, hand-written types. The package defines
 * a global `Kusto.Language` namespace when required; its generated typings describe .NET
 * collections, so we keep them away from the rest of the kit.
 */
import { createRequire } from 'node:module';

/** A syntax element (node or token) of the official syntax tree. */
export interface KNode {
  readonly Kind: number;
  readonly ChildCount: number;
  readonly IsToken: boolean;
  readonly TextStart: number;
  readonly Width: number;
  readonly End: number;
  readonly Text?: string | null;
  readonly ValueText?: string | null;
  GetChild(index: number): KNode | null;
  ToString(trivia?: number): string;
  readonly [key: string]: unknown;
}

/** A .NET read-only list as Bridge exposes it. */
export interface KList<T> {
  readonly Count: number;
  getItem(index: number): T;
}

/** A symbol from semantic analysis (column, table, variable, function, type). */
export interface KSymbol {
  readonly Name: string;
  readonly Kind: number;
  readonly [key: string]: unknown;
}

/** A diagnostic from `KustoCode.GetDiagnostics()`. */
export interface KDiagnostic {
  readonly Severity: string;
  readonly Message: string;
  readonly Code: string;
  readonly HasLocation: boolean;
  readonly Start: number;
  readonly Length: number;
}

/** The analysed code of one query text. */
export interface KCode {
  readonly Syntax: KNode;
  readonly Text: string;
  GetDiagnostics(): KList<KDiagnostic>;
}

/** Opaque handle on the parser's `GlobalState`. */
export interface KGlobalState {
  readonly [key: string]: unknown;
}

interface KustoNamespace {
  KustoCode: { ParseAndAnalyze(text: string, globals: KGlobalState): KCode };
  GlobalState: { Default: KGlobalState };
  Syntax: { SyntaxKind: Record<string, number> };
  Symbols: {
    SymbolKind: Record<string, number>;
    TableSymbol: {
      $ctor7: new (name: string, schema: string, description: string | null) => KSymbol;
    };
    DatabaseSymbol: {
      $ctor3: new (name: string, alt: string | null, members: unknown, isOpen: boolean) => KSymbol;
    };
    ClusterSymbol: { $ctor1: new (name: string, databases: unknown, isOpen: boolean) => KSymbol };
    FunctionSymbol: {
      $ctor5: new (name: string, returnType: KSymbol, parameters: unknown[]) => KSymbol;
    };
    Parameter: { $ctor2: new (name: string, type: KSymbol) => unknown };
    ScalarTypes: Record<string, KSymbol>;
  };
}

let loaded: KustoNamespace | undefined;

/** The `Kusto.Language` namespace, loaded once (about 0.3 s). */
export function kusto(): KustoNamespace {
  if (loaded) return loaded;
  const req = createRequire(__filename);
  // Bridge's runtime must be loaded first: the language assembly registers itself into it.
  req('@kusto/language-service-next/bridge.min.js');
  req('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  const root = (globalThis as unknown as { Kusto?: { Language?: KustoNamespace } }).Kusto;
  if (!root?.Language)
    throw new Error('@kusto/language-service-next did not define Kusto.Language');
  loaded = root.Language;
  return loaded;
}

let kindNames: string[] | undefined;

/** The `SyntaxKind` name of a node, e.g. `FilterOperator` or `AddExpression`. */
export function kindName(node: KNode): string {
  if (!kindNames) {
    kindNames = [];
    const sk = kusto().Syntax.SyntaxKind;
    for (const [name, value] of Object.entries(sk))
      if (typeof value === 'number') kindNames[value] = name;
  }
  return kindNames[node.Kind] ?? `Kind${node.Kind}`;
}

let symbolKindNames: string[] | undefined;

/** The `SymbolKind` name of a symbol, e.g. `Column`, `Variable`, `Table`. */
export function symbolKindName(symbol: KSymbol): string {
  if (!symbolKindNames) {
    symbolKindNames = [];
    for (const [name, value] of Object.entries(kusto().Symbols.SymbolKind))
      if (typeof value === 'number') symbolKindNames[value] = name;
  }
  return symbolKindNames[symbol.Kind] ?? `Symbol${symbol.Kind}`;
}

/** Converts a Bridge list to an array. */
export function listToArray<T>(list: KList<T> | readonly T[] | null | undefined): T[] {
  const out: T[] = [];
  if (!list) return out;
  // Some .NET lists come through Bridge as plain arrays, others as List objects.
  if (Array.isArray(list)) return [...(list as T[])];
  if (!('Count' in list)) return out;
  for (let i = 0; i < list.Count; i++) out.push(list.getItem(i));
  return out;
}

/** The named property of a node as a node (or `undefined`). */
export function prop(node: KNode, name: string): KNode | undefined {
  const v = node[name];
  return v == null ? undefined : (v as KNode);
}

/** The elements of a `SyntaxList<SeparatedElement<T>>` (or a plain `SyntaxList<T>`). */
export function elements(list: KNode | undefined): KNode[] {
  const out: KNode[] = [];
  if (!list) return out;
  for (let i = 0; i < list.ChildCount; i++) {
    const c = list.GetChild(i);
    if (!c) continue;
    const el = c['Element'];
    out.push(el != null ? (el as KNode) : c);
  }
  return out;
}

/** The result type of an expression node: `TypeSymbol` or `undefined`. */
export function resultType(node: KNode): KSymbol | undefined {
  const t = node['ResultType'];
  return t == null ? undefined : (t as KSymbol);
}

/** The symbol a name reference points to. */
export function referencedSymbol(node: KNode): KSymbol | undefined {
  const s = node['ReferencedSymbol'];
  return s == null ? undefined : (s as KSymbol);
}

/** The columns of a table symbol as name/type pairs. */
export function tableColumns(symbol: KSymbol | undefined): { name: string; type: string }[] {
  if (!symbol) return [];
  const cols = symbol['Columns'] as KList<KSymbol> | undefined;
  return listToArray(cols).map((c) => ({ name: c.Name, type: (c['Type'] as KSymbol).Name }));
}

/** One parameter of a function signature the parser resolved a call to. */
export interface KParameter {
  name: string;
  minOccurring: number;
  maxOccurring: number;
}

/** The parameters of the signature a call resolved to (empty when the parser has none). */
export function signatureParameters(call: KNode): KParameter[] {
  const sig = call['ReferencedSignature'] as { Parameters?: KList<KSymbol> } | undefined;
  return listToArray(sig?.Parameters).map((p) => ({
    name: p.Name,
    minOccurring: Number(p['MinOccurring'] ?? 1),
    maxOccurring: Number(p['MaxOccurring'] ?? 1),
  }));
}

/** The parameter name an argument at `index` binds to (repeating parameters repeat). */
export function parameterNameAt(call: KNode, index: number): string {
  let at = 0;
  for (const p of signatureParameters(call)) {
    if (index < at + p.maxOccurring) return p.name;
    at += p.maxOccurring;
  }
  return `argument ${index + 1}`;
}
