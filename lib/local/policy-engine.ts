/**
 * Reads the APIM policy XML in `policies/` and compiles the subset the kit uses into steps the
 * gateway emulator runs. Names (metric, dimensions, headers, trace source and message, mock
 * body, api-version defaults, backend id) come from the files; C# expressions are matched
 * against the few shapes the kit's policies use, and anything else fails loudly at deploy.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PolicyError } from '../errors.js';
import type { CatalogApi } from './api-catalog.js';

/** What a policy expression can see in the emulator. */
export interface PolicyContext {
  requestId: string;
  apiId: string;
  apiName: string;
  operationId: string;
  operationName: string;
  /** Subscription id (name) of the key used, if any. */
  subscriptionId: string | undefined;
  variables: Map<string, string>;
}

/** A compiled policy value: a literal or one of the known expressions. */
export type PolicyValue = (ctx: PolicyContext) => string;

/** One record of `ApiManagementGatewayLogs.TraceRecords`, as a `trace` policy writes it. */
export interface TraceTemplate {
  source: string;
  severity: string;
  message: string;
  metadata: Record<string, string>;
}

export interface HeaderStep {
  kind: 'set-header' | 'set-query-parameter';
  name: string;
  existsAction: 'override' | 'skip' | 'append' | 'delete';
  values: PolicyValue[];
}

export type PolicyStep =
  | HeaderStep
  | {
      kind: 'caller-id';
      variable: string;
      claims: string[];
      fallbackToSubscription: boolean;
      fallback: string;
    }
  | { kind: 'set-variable'; name: string; value: PolicyValue }
  | {
      kind: 'emit-metric';
      name: string;
      namespace: string;
      value: number;
      dimensions: { name: string; value: PolicyValue }[];
    }
  | { kind: 'trace'; record: TraceTemplate }
  | { kind: 'ensure-include-usage'; trace: TraceTemplate | undefined }
  | { kind: 'return-response'; status: number; reason: string; headers: HeaderStep[]; body: string }
  | { kind: 'set-backend'; backendId: string }
  | { kind: 'managed-identity'; resource: string };

/** The effective policy of one operation: API scope merged into operation scope at `<base />`. */
export interface CompiledPolicy {
  inbound: PolicyStep[];
  outbound: PolicyStep[];
  onError: PolicyStep[];
  /** Whether the backend section forwards the request. */
  forwards: boolean;
}

export interface LoadPoliciesOptions {
  /** Drop the `ensure-include-usage` steps (config `forceStreamIncludeUsage: false`). */
  forceStreamIncludeUsage?: boolean;
}

/** The policies of every operation, keyed `<apiId> <operationId>`. */
export interface PolicySet {
  dir: string;
  forOperation(apiId: string, operationId: string): CompiledPolicy;
}

/**
 * Reads and compiles the policies of every API and operation in the catalog.
 * @param dir - the policies folder (the kit's `policies/` by default at the caller).
 * @example const set = loadPolicies(artifactPath('policies'), buildApiCatalog('costing-'));
 */
export function loadPolicies(
  dir: string,
  catalog: readonly CatalogApi[],
  options: LoadPoliciesOptions = {},
): PolicySet {
  const loader = new Loader(dir, options.forceStreamIncludeUsage ?? true);
  const compiled = new Map<string, CompiledPolicy>();
  for (const api of catalog) {
    const apiDoc = loader.document(api.policyFile);
    const apiSections = loader.sections(api.policyFile, apiDoc, emptySections());
    for (const op of api.operations) {
      const opSections = op.policyFile
        ? loader.sections(op.policyFile, loader.document(op.policyFile), apiSections)
        : apiSections;
      compiled.set(`${api.id} ${op.id}`, {
        inbound: opSections.inbound,
        outbound: opSections.outbound,
        onError: opSections.onError,
        forwards: opSections.forwards,
      });
    }
  }
  return {
    dir,
    forOperation(apiId, operationId) {
      return (
        compiled.get(`${apiId} ${operationId}`) ?? {
          inbound: [],
          outbound: [],
          onError: [],
          forwards: false,
        }
      );
    },
  };
}

/**
 * Evaluates header steps onto a header map (lower-case names), as APIM's `exists-action` says.
 */
export function applyHeaderSteps(
  headers: Record<string, string>,
  steps: readonly PolicyStep[],
  ctx: PolicyContext,
): void {
  for (const step of steps) {
    if (step.kind !== 'set-header') continue;
    applyHeader(headers, step, ctx);
  }
}

/** Applies one `set-header`/`set-query-parameter` step to a lower-case keyed map. */
export function applyHeader(
  map: Record<string, string>,
  step: HeaderStep,
  ctx: PolicyContext,
): void {
  const key = step.kind === 'set-header' ? step.name.toLowerCase() : step.name;
  const exists = map[key] !== undefined;
  if (step.existsAction === 'delete') {
    delete map[key];
    return;
  }
  if (step.existsAction === 'skip' && exists) return;
  const value = step.values.map((v) => v(ctx)).join(',');
  map[key] = step.existsAction === 'append' && exists ? `${map[key]},${value}` : value;
}

// --- Internal helpers ---

type XmlNode = Record<string, unknown>;

interface Sections {
  inbound: PolicyStep[];
  outbound: PolicyStep[];
  onError: PolicyStep[];
  forwards: boolean;
}

function emptySections(): Sections {
  return { inbound: [], outbound: [], onError: [], forwards: false };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

class Loader {
  readonly #dir: string;
  readonly #force: boolean;
  readonly #docs = new Map<string, XmlNode[]>();

  constructor(dir: string, force: boolean) {
    this.#dir = dir;
    this.#force = force;
  }

  document(file: string): XmlNode[] {
    let doc = this.#docs.get(file);
    if (doc) return doc;
    const full = path.join(this.#dir, file);
    let text: string;
    try {
      text = readFileSync(full, 'utf8');
    } catch (cause) {
      throw new PolicyError(full, `cannot be read (${(cause as Error).message})`);
    }
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      throw new PolicyError(
        full,
        `is not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`,
      );
    }
    doc = parser.parse(text) as XmlNode[];
    this.#docs.set(file, doc);
    return doc;
  }

  sections(file: string, doc: XmlNode[], outer: Sections): Sections {
    const root = doc.find((n) => tagOf(n) === 'policies');
    if (!root) throw new PolicyError(file, 'has no <policies> root element');
    const out = emptySections();
    for (const section of children(root)) {
      const tag = tagOf(section);
      if (tag === 'inbound') out.inbound = this.steps(file, children(section), outer.inbound);
      else if (tag === 'outbound')
        out.outbound = this.steps(file, children(section), outer.outbound);
      else if (tag === 'on-error') out.onError = this.steps(file, children(section), outer.onError);
      else if (tag === 'backend') {
        const inner = children(section);
        out.forwards =
          inner.some((n) => tagOf(n) === 'forward-request') ||
          (inner.some((n) => tagOf(n) === 'base') && outer.forwards);
      }
    }
    return out;
  }

  steps(file: string, nodes: XmlNode[], base: PolicyStep[]): PolicyStep[] {
    const out: PolicyStep[] = [];
    for (const node of nodes) {
      const tag = tagOf(node);
      const at = attrs(node);
      switch (tag) {
        case 'base':
          out.push(...base);
          break;
        case 'include-fragment': {
          const id = need(file, tag, at, 'fragment-id');
          const fragFile = path.join('fragments', `${id}.xml`);
          const doc = this.document(fragFile);
          const root = doc.find((n) => tagOf(n) === 'fragment');
          if (!root) throw new PolicyError(fragFile, 'has no <fragment> root element');
          out.push(...this.steps(fragFile, children(root), []));
          break;
        }
        case 'set-variable':
          out.push(
            compileSetVariable(file, need(file, tag, at, 'name'), need(file, tag, at, 'value')),
          );
          break;
        case 'set-header':
        case 'set-query-parameter':
          out.push(compileHeader(file, tag, node));
          break;
        case 'emit-metric':
          out.push({
            kind: 'emit-metric',
            name: need(file, tag, at, 'name'),
            namespace: at.namespace ?? 'API Management',
            value: Number(at.value ?? '1'),
            dimensions: children(node)
              .filter((d) => tagOf(d) === 'dimension')
              .map((d) => {
                const da = attrs(d);
                const name = need(file, 'dimension', da, 'name');
                return {
                  name,
                  value: compileValue(
                    file,
                    `dimension ${name}`,
                    da.value ?? defaultDimension(file, name),
                  ),
                };
              }),
          });
          break;
        case 'trace':
          out.push({ kind: 'trace', record: compileTrace(file, node) });
          break;
        case 'choose': {
          const step = compileChoose(file, node);
          if (step.kind !== 'ensure-include-usage' || this.#force) out.push(step);
          break;
        }
        case 'return-response':
          out.push(compileReturnResponse(file, node));
          break;
        case 'set-backend-service':
          out.push({ kind: 'set-backend', backendId: at['backend-id'] ?? at['base-url'] ?? '' });
          break;
        case 'authentication-managed-identity':
          out.push({ kind: 'managed-identity', resource: need(file, tag, at, 'resource') });
          break;
        case '#text':
          break;
        default:
          throw new PolicyError(file, `uses <${tag}>, which the local emulator does not implement`);
      }
    }
    return out;
  }
}

function tagOf(node: XmlNode): string {
  for (const key of Object.keys(node)) if (key !== ':@') return key;
  return '';
}

function children(node: XmlNode): XmlNode[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function attrs(node: XmlNode): Record<string, string | undefined> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

function textOf(node: XmlNode): string {
  return children(node)
    .map((c) => (typeof c['#text'] === 'string' ? c['#text'] : ''))
    .join('');
}

function need(
  file: string,
  tag: string,
  at: Record<string, string | undefined>,
  name: string,
): string {
  const value = at[name];
  if (value === undefined || value === '')
    throw new PolicyError(file, `<${tag}> needs a '${name}' attribute`);
  return value;
}

function defaultDimension(file: string, name: string): string {
  const known: Record<string, string> = {
    'API ID': '@(context.Api.Id)',
    'Operation ID': '@(context.Operation.Id)',
    'Subscription ID': '@(context.Subscription.Id)',
  };
  const value = known[name];
  if (!value)
    throw new PolicyError(
      file,
      `dimension '${name}' has no value and is not a default dimension the emulator fills`,
    );
  return value;
}

/** The expression shapes the kit's policies use, and what they read in the emulator. */
const EXPRESSIONS: { pattern: RegExp; compile: (m: RegExpMatchArray) => PolicyValue }[] = [
  { pattern: /^context\.RequestId(?:\.ToString\(\))?$/, compile: () => (c) => c.requestId },
  { pattern: /^context\.Api\.Name$/, compile: () => (c) => c.apiName },
  { pattern: /^context\.Api\.Id$/, compile: () => (c) => c.apiId },
  { pattern: /^context\.Operation\.Name$/, compile: () => (c) => c.operationName },
  { pattern: /^context\.Operation\.Id$/, compile: () => (c) => c.operationId },
  {
    pattern: /^context\.Subscription\??\.(?:Id|Name)(?:\?\?"([^"]*)")?$/,
    compile: (m) => (c) => c.subscriptionId ?? m[1] ?? '',
  },
  {
    pattern: /^\(string\)context\.Variables\["([^"]+)"\]$/,
    compile: (m) => (c) => c.variables.get(m[1] as string) ?? '',
  },
  {
    pattern: /^context\.Variables\.GetValueOrDefault<string>\("([^"]+)"(?:,"([^"]*)")?\)$/,
    compile: (m) => (c) => c.variables.get(m[1] as string) ?? m[2] ?? '',
  },
];

function compileValue(file: string, where: string, raw: string): PolicyValue {
  const text = raw.trim();
  if (!text.startsWith('@')) return () => text;
  const inner =
    text.startsWith('@(') && text.endsWith(')') ? text.slice(2, -1).replace(/\s+/g, '') : undefined;
  if (inner !== undefined) {
    for (const e of EXPRESSIONS) {
      const m = inner.match(e.pattern);
      if (m) return e.compile(m);
    }
  }
  throw new PolicyError(
    file,
    `${where} uses the expression ${text.slice(0, 80)}, which the local emulator cannot evaluate`,
  );
}

function compileSetVariable(file: string, name: string, raw: string): PolicyStep {
  // The caller-id fragment's code block: the claims it reads, in order, and its fallbacks.
  const claims = [...raw.matchAll(/claims\["([^"]+)"\]/g)].map((m) => m[1] as string);
  if (raw.trim().startsWith('@{') && claims.length > 0) {
    const fallback = raw.match(/\?\?\s*"([^"]*)"\s*;\s*}\s*$/)?.[1] ?? '';
    return {
      kind: 'caller-id',
      variable: name,
      claims,
      fallbackToSubscription: /context\.Subscription\??\.Id/.test(raw),
      fallback,
    };
  }
  return { kind: 'set-variable', name, value: compileValue(file, `set-variable ${name}`, raw) };
}

function compileHeader(
  file: string,
  tag: 'set-header' | 'set-query-parameter',
  node: XmlNode,
): HeaderStep {
  const at = attrs(node);
  const name = need(file, tag, at, 'name');
  const action = at['exists-action'] ?? 'override';
  if (action !== 'override' && action !== 'skip' && action !== 'append' && action !== 'delete') {
    throw new PolicyError(
      file,
      `<${tag} name="${name}"> has exists-action '${action}'; use override, skip, append or delete`,
    );
  }
  const values = children(node)
    .filter((c) => tagOf(c) === 'value')
    .map((c) => compileValue(file, `<${tag} name="${name}">`, textOf(c)));
  return { kind: tag, name, existsAction: action, values };
}

function compileTrace(file: string, node: XmlNode): TraceTemplate {
  const at = attrs(node);
  const message = children(node).find((c) => tagOf(c) === 'message');
  if (!message) throw new PolicyError(file, '<trace> needs a <message>');
  const text = textOf(message);
  if (text.startsWith('@'))
    throw new PolicyError(file, '<trace> message must be literal text for the local emulator');
  const metadata: Record<string, string> = {};
  for (const m of children(node).filter((c) => tagOf(c) === 'metadata')) {
    const ma = attrs(m);
    if (ma.name) metadata[ma.name] = ma.value ?? '';
  }
  return {
    source: need(file, 'trace', at, 'source'),
    severity: at.severity ?? 'verbose',
    message: text,
    metadata,
  };
}

function compileChoose(file: string, node: XmlNode): PolicyStep {
  // The one <choose> the kit uses: rewrite the body and trace it (ensure-stream-include-usage).
  const when = children(node).find((c) => tagOf(c) === 'when');
  const inner = when ? children(when) : [];
  const body = inner.find((c) => tagOf(c) === 'set-body');
  const condition = when ? (attrs(when).condition ?? '') : '';
  if (body && /include_usage/.test(textOf(body)) && /messages/.test(condition)) {
    const trace = inner.find((c) => tagOf(c) === 'trace');
    return { kind: 'ensure-include-usage', trace: trace ? compileTrace(file, trace) : undefined };
  }
  throw new PolicyError(
    file,
    'uses a <choose> the local emulator does not recognise (only the stream include_usage rewrite is implemented)',
  );
}

function compileReturnResponse(file: string, node: XmlNode): PolicyStep {
  let status = 200;
  let reason = 'OK';
  let body = '';
  const headers: HeaderStep[] = [];
  for (const c of children(node)) {
    const tag = tagOf(c);
    if (tag === 'set-status') {
      status = Number(attrs(c).code ?? '200');
      reason = attrs(c).reason ?? reason;
      if (!Number.isInteger(status) || status < 100 || status > 599)
        throw new PolicyError(file, `<set-status> code must be a literal HTTP status`);
    } else if (tag === 'set-header') {
      headers.push(compileHeader(file, 'set-header', c));
    } else if (tag === 'set-body') {
      body = textOf(c);
      if (body.startsWith('@'))
        throw new PolicyError(
          file,
          '<return-response><set-body> must be literal text for the local emulator',
        );
    }
  }
  return { kind: 'return-response', status, reason, headers, body };
}
