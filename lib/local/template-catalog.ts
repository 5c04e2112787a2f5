/**
 * Reads the APIs of the compiled template (`bicep/main.json`, the ARM JSON that the azure
 * target deploys): each `Microsoft.ApiManagement/service/apis` resource with its operations,
 * the policy files attached at API and operation scope, and the subscription scoped to it alone
 * (the BU subscriptions, one per configured BU and scoped to all APIs, come from the config). A policy is inlined in the
 * template (`loadTextContent`), so its file is found by its text in `policies/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { artifactPath, KIT_ROOT } from '../artifacts/read-artifact.js';
import { TemplateCatalogError } from '../errors.js';
import { ArmExpressionError, evaluateArm, type ArmScope } from './arm-expressions.js';

/** Where the template and the policy files are read from. */
export interface TemplateCatalogSource {
  /** The compiled template. @default the kit's `bicep/main.json` */
  templateFile?: string;
  /** The folder whose `*.xml` files the template's policies are matched with. @default the kit's `policies/` */
  policiesDir?: string;
}

/** An operation as the template declares it. */
export interface TemplateOperation {
  /** The resource's symbolic name in `main.bicep`, e.g. `aoaiChat`. */
  symbol: string;
  id: string;
  displayName: string;
  method: string;
  urlTemplate: string;
  /** Operation-scope policy file name, if one is attached. */
  policyFile: string | undefined;
}

/** An API as the template declares it. */
export interface TemplateApi {
  /** The resource's symbolic name in `main.bicep`, e.g. `costingApi`. */
  symbol: string;
  id: string;
  displayName: string;
  path: string;
  subscriptionRequired: boolean;
  /** API-scope policy file name, if one is attached. */
  policyFile: string | undefined;
  operations: TemplateOperation[];
  /** The subscription whose scope is this API alone (`/apis/<id>`), if the template makes one. */
  subscription: TemplateSubscription | undefined;
}

/** A subscription the template scopes to one API. */
export interface TemplateSubscription {
  /** Subscription name: the `ApimSubscriptionId` its requests are logged with. */
  name: string;
  displayName: string;
}

/** The APIs of a template, in template order, and how to name the template in messages. */
export interface TemplateApis {
  /** The template's path relative to the kit (or absolute when outside it). */
  file: string;
  apis: TemplateApi[];
}

/**
 * Reads the APIs for an API prefix (the template's `apiPrefix` parameter).
 * @throws {TemplateCatalogError} when the template cannot be read or a resource is not as expected; the message names the API or operation
 * @example const { apis } = readTemplateApis('costing-'); apis[0].path; // 'costing-subscription'
 */
export function readTemplateApis(prefix: string, source: TemplateCatalogSource = {}): TemplateApis {
  const templateFile = source.templateFile ?? artifactPath('bicep', 'main.json');
  const relative = path.relative(KIT_ROOT, templateFile);
  const file = relative.startsWith('..') || path.isAbsolute(relative) ? templateFile : relative;
  const fail = (problem: string): never => {
    throw new TemplateCatalogError(file, problem);
  };
  const template = readTemplate(templateFile, fail);
  const scope = templateScope(template, { apiPrefix: prefix, apimName: APIM_NAME });
  const policyFiles = policyFilesByText(source.policiesDir ?? artifactPath('policies'));
  const read = (what: string, value: unknown): unknown => {
    try {
      return evaluateArm(value, scope);
    } catch (err) {
      if (err instanceof ArmExpressionError) return fail(`${what}: ${err.message}`);
      throw err;
    }
  };
  const text = (what: string, value: unknown): string => {
    const v = read(what, value);
    return typeof v === 'string' && v !== '' ? v : fail(`${what} is not a non-empty string`);
  };

  const apis = new Map<string, TemplateApi>();
  const byType = (type: string) =>
    Object.entries(template.resources).filter(([, r]) => r.type === type);
  for (const [symbol, r] of byType(APIS)) {
    const [, id = ''] = nameSegments(r, 2, `API resource ${symbol}`, text, fail);
    const what = `API '${id}' (resource ${symbol})`;
    const props = r.properties ?? {};
    const required = read(`${what} subscriptionRequired`, props.subscriptionRequired ?? true);
    apis.set(id, {
      symbol,
      id,
      displayName: text(`${what} displayName`, props.displayName),
      path: text(`${what} path`, props.path),
      subscriptionRequired:
        typeof required === 'boolean'
          ? required
          : fail(`${what} subscriptionRequired is not a boolean`),
      policyFile: undefined,
      operations: [],
      subscription: undefined,
    });
  }
  const apiOf = (apiId: string, what: string): TemplateApi =>
    apis.get(apiId) ??
    fail(`${what} belongs to API '${apiId}', which the template does not declare`);
  for (const [symbol, r] of byType(OPERATIONS)) {
    const [, apiId = '', id = ''] = nameSegments(r, 3, `operation resource ${symbol}`, text, fail);
    const what = `operation '${id}' of API '${apiId}' (resource ${symbol})`;
    const props = r.properties ?? {};
    apiOf(apiId, what).operations.push({
      symbol,
      id,
      displayName: text(`${what} displayName`, props.displayName),
      method: text(`${what} method`, props.method).toUpperCase(),
      urlTemplate: text(`${what} urlTemplate`, props.urlTemplate),
      policyFile: undefined,
    });
  }
  const policyFileOf = (what: string, r: ArmResource): string => {
    const props = r.properties ?? {};
    const format = read(`${what} format`, props.format ?? 'xml');
    if (format !== 'xml' && format !== 'rawxml')
      fail(`${what} has format ${String(format)}; the local gateway reads xml policies`);
    const value = text(`${what} value`, props.value);
    return (
      policyFiles.get(value) ??
      fail(
        `${what} matches no *.xml file in policies/ (a policy changed without rebuilding the template?)`,
      )
    );
  };
  for (const [symbol, r] of byType(API_POLICIES)) {
    const [, apiId = ''] = nameSegments(r, 3, `policy resource ${symbol}`, text, fail);
    const what = `the policy of API '${apiId}' (resource ${symbol})`;
    apiOf(apiId, what).policyFile = policyFileOf(what, r);
  }
  for (const [symbol, r] of byType(OPERATION_POLICIES)) {
    const [, apiId = '', opId = ''] = nameSegments(r, 4, `policy resource ${symbol}`, text, fail);
    const what = `the policy of operation '${opId}' of API '${apiId}' (resource ${symbol})`;
    const op =
      apiOf(apiId, what).operations.find((o) => o.id === opId) ??
      fail(`${what} belongs to an operation the template does not declare`);
    op.policyFile = policyFileOf(what, r);
  }
  for (const [symbol, r] of byType(SUBSCRIPTIONS)) {
    // A copy loop makes the BU subscriptions (scope /apis, from the businessUnits parameter).
    if ((r as { copy?: unknown }).copy !== undefined) continue;
    const [, name = ''] = nameSegments(r, 2, `subscription resource ${symbol}`, text, fail);
    const what = `subscription '${name}' (resource ${symbol})`;
    const props = r.properties ?? {};
    const scope = text(`${what} scope`, props.scope);
    const apiId = /^\/apis\/([^/]+)$/.exec(scope)?.[1];
    // A subscription of an API the template lacks: the catalog names the missing API instead.
    const api = apiId === undefined ? undefined : apis.get(apiId);
    if (api === undefined) continue;
    if (api.subscription) fail(`${what} is a second subscription scoped to API '${apiId}' alone`);
    api.subscription = { name, displayName: text(`${what} displayName`, props.displayName) };
  }
  return { file, apis: [...apis.values()] };
}

// --- Internal helpers ---

const APIS = 'Microsoft.ApiManagement/service/apis';
const OPERATIONS = `${APIS}/operations`;
const API_POLICIES = `${APIS}/policies`;
const OPERATION_POLICIES = `${OPERATIONS}/policies`;
const SUBSCRIPTIONS = 'Microsoft.ApiManagement/service/subscriptions';
/** The service name does not shape the catalog; child resource names only need a value. */
const APIM_NAME = 'apim';

interface ArmResource {
  type: string;
  name: unknown;
  properties?: Record<string, unknown>;
}

interface ArmTemplate {
  parameters: Record<string, { defaultValue?: unknown } | undefined>;
  variables: Record<string, unknown>;
  resources: Record<string, ArmResource>;
}

function readTemplate(file: string, fail: (problem: string) => never): ArmTemplate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    return fail(`cannot be read as JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const t = parsed as Partial<ArmTemplate> | null;
  if (
    t === null ||
    typeof t !== 'object' ||
    t.resources === null ||
    typeof t.resources !== 'object'
  )
    return fail('has no resources object');
  if (Array.isArray(t.resources))
    return fail('lists resources as an array; build it with symbolic names (languageVersion 2.0)');
  for (const [symbol, r] of Object.entries(t.resources))
    if (r === null || typeof r !== 'object' || typeof r.type !== 'string')
      fail(`resource ${symbol} has no type`);
  return { parameters: t.parameters ?? {}, variables: t.variables ?? {}, resources: t.resources };
}

/** Parameters resolve to the given values, else their defaults; variables to their values. */
function templateScope(template: ArmTemplate, given: Record<string, string>): ArmScope {
  let depth = 0;
  const nested = (value: unknown): unknown => {
    // A variable may refer to another; a cycle would recurse without end.
    if (++depth > 32) throw new ArmExpressionError(String(value), 'variables nest too deeply');
    try {
      return evaluateArm(value, scope);
    } finally {
      depth--;
    }
  };
  const scope: ArmScope = {
    parameter(name) {
      if (Object.hasOwn(given, name)) return given[name];
      const p = template.parameters[name];
      if (p === undefined || !Object.hasOwn(p, 'defaultValue'))
        throw new ArmExpressionError(`parameters('${name}')`, 'the parameter has no value');
      return nested(p.defaultValue);
    },
    variable(name) {
      if (!Object.hasOwn(template.variables, name))
        throw new ArmExpressionError(`variables('${name}')`, 'the template has no such variable');
      return nested(template.variables[name]);
    },
  };
  return scope;
}

/** The `/`-separated segments of a child resource's name (service, API, ...). */
function nameSegments(
  r: ArmResource,
  count: number,
  what: string,
  text: (what: string, value: unknown) => string,
  fail: (problem: string) => never,
): string[] {
  const segments = text(`${what} name`, r.name).split('/');
  if (segments.length !== count || segments.some((s) => s === ''))
    fail(`${what} is named ${String(r.name)}, not ${count} segments`);
  return segments;
}

/** The policy files of a folder by their exact text (first name in sort order wins). */
function policyFilesByText(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.xml'))
    .sort()) {
    const content = readFileSync(path.join(dir, name), 'utf8');
    if (!files.has(content)) files.set(content, name);
  }
  return files;
}
