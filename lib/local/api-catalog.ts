/**
 * The four APIs the kit deploys, as the gateway emulator routes them: ids, paths, operations,
 * which policy file applies at API and operation scope and the API's own subscription, all read from the compiled
 * template (`template-catalog.ts`), so the local gateway serves what the azure target deploys.
 * Behaviour comes from the policy files.
 */
import { TemplateCatalogError } from '../errors.js';
import { readTemplateApis, type TemplateCatalogSource } from './template-catalog.js';

/** What the emulator does once the inbound policies ran (if no `return-response` fired). */
export type OperationKind = 'chat-completions' | 'responses' | 'plain';

export interface CatalogOperation {
  /** Operation id, e.g. `chat-completions-create`. */
  id: string;
  /** Display name (`context.Operation.Name`). */
  name: string;
  /** HTTP method, or `*` for any. */
  method: string;
  /** URL template relative to the API path, e.g. `/deployments/{deploymentId}/chat/completions`; `/*` matches anything. */
  urlTemplate: string;
  kind: OperationKind;
  /** Operation-scope policy file under `policies/`, if any. */
  policyFile?: string;
}

export interface CatalogApi {
  /** Which of the kit's APIs this is (the feature flags switch some off). */
  key: (typeof CATALOG_KEYS)[number];
  /** API id, e.g. `costing-subscription-api`. */
  id: string;
  /** Display name (`context.Api.Name`). */
  name: string;
  /** Path under the gateway URL, e.g. `costing-subscription`. */
  path: string;
  /** Whether a subscription key is required (when not, a valid key is still used if sent). */
  subscriptionRequired: boolean;
  /** API-scope policy file under `policies/`. */
  policyFile: string;
  operations: CatalogOperation[];
  /** The API's own subscription (scoped to it alone), when the template makes one. */
  subscription?: { id: string; displayName: string };
}

/** One matched request: API, operation and template parameters. */
export interface RouteMatch {
  api: CatalogApi;
  operation: CatalogOperation | undefined;
  params: Record<string, string>;
  /** Path after the API path, starting with `/` (what is appended to the backend URL). */
  operationPath: string;
}

/** The kit's APIs, by the symbolic name of their resource in `main.bicep` (less `Api`). */
export const CATALOG_KEYS = ['costing', 'entra', 'tokenTracking', 'aoai'] as const;

/**
 * Builds the catalog for an API prefix from the compiled template (`bicep/main.json`): API
 * ids, names, paths and key requirement, operations, and the policy files attached to each.
 * @throws {TemplateCatalogError} when the template lacks one of the kit's APIs, an API has no policy, or a resource is not as expected
 * @example const apis = buildApiCatalog('costing-');
 */
export function buildApiCatalog(prefix: string, source: TemplateCatalogSource = {}): CatalogApi[] {
  const { file, apis } = readTemplateApis(prefix, source);
  const fail = (problem: string): never => {
    throw new TemplateCatalogError(file, problem);
  };
  const catalog = apis.map((api): CatalogApi => {
    const key = CATALOG_KEYS.find((k) => `${k}Api` === api.symbol);
    const what = `API '${api.id}' (resource ${api.symbol})`;
    return {
      key:
        key ??
        fail(
          `${what} is not one of the kit's APIs (${CATALOG_KEYS.map((k) => `${k}Api`).join(', ')})`,
        ),
      id: api.id,
      name: api.displayName,
      path: api.path,
      subscriptionRequired: api.subscriptionRequired,
      policyFile: api.policyFile ?? fail(`${what} has no API-scope policy`),
      operations: api.operations.map((op) => ({
        id: op.id,
        name: op.displayName,
        method: op.method,
        urlTemplate: op.urlTemplate,
        kind: kindOf(op.urlTemplate),
        ...(op.policyFile === undefined ? {} : { policyFile: op.policyFile }),
      })),
      ...(api.subscription === undefined
        ? {}
        : {
            subscription: { id: api.subscription.name, displayName: api.subscription.displayName },
          }),
    };
  });
  for (const key of CATALOG_KEYS)
    if (!catalog.some((a) => a.key === key)) fail(`the template has no resource ${key}Api`);
  return catalog;
}

/**
 * Finds the API (by first path segment, case-insensitive as APIM) and the operation.
 * @returns `undefined` when no API matches; `operation: undefined` when the API matches but no operation does.
 */
export function matchRoute(
  catalog: readonly CatalogApi[],
  method: string,
  pathname: string,
): RouteMatch | undefined {
  // Tolerate doubled slashes (older SDKs built `//openai` from endpoints with a trailing slash).
  const clean = pathname.replace(/\/{2,}/g, '/');
  const segments = clean.split('/').filter((s) => s !== '');
  const first = segments[0];
  if (first === undefined) return undefined;
  let apiFirst: string;
  try {
    apiFirst = decodeURIComponent(first).toLowerCase();
  } catch {
    return undefined;
  }
  const api = catalog.find((a) => a.path.toLowerCase() === apiFirst);
  if (!api) return undefined;
  const rest = segments.slice(1);
  const operationPath = '/' + rest.join('/');
  for (const op of api.operations) {
    if (op.method !== '*' && op.method !== method.toUpperCase()) continue;
    const params = matchTemplate(op.urlTemplate, rest);
    if (params) return { api, operation: op, params, operationPath };
  }
  return { api, operation: undefined, params: {}, operationPath };
}

// --- Internal helpers ---

/** What the emulator does with an operation, from the model API path it serves. */
function kindOf(urlTemplate: string): OperationKind {
  if (/\/chat\/completions$/i.test(urlTemplate)) return 'chat-completions';
  if (/^\/responses$/i.test(urlTemplate)) return 'responses';
  return 'plain';
}

function matchTemplate(
  template: string,
  segments: readonly string[],
): Record<string, string> | undefined {
  if (template === '/*') return {};
  const parts = template.split('/').filter((s) => s !== '');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const seg = segments[i] as string;
    if (part.startsWith('{') && part.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(seg);
      } catch {
        return undefined;
      }
      params[part.slice(1, -1)] = value;
    } else if (part.toLowerCase() !== seg.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}
