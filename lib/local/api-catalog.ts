/**
 * The four APIs the kit deploys, as the gateway emulator routes them: ids, paths, operations
 * and which policy file applies at API and operation scope. Ids, display names and URL
 * templates mirror `bicep/main.bicep`; behaviour comes from the policy files.
 */

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
  key: 'costing' | 'entra' | 'tokenTracking' | 'aoai';
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
}

/** One matched request: API, operation and template parameters. */
export interface RouteMatch {
  api: CatalogApi;
  operation: CatalogOperation | undefined;
  params: Record<string, string>;
  /** Path after the API path, starting with `/` (what is appended to the backend URL). */
  operationPath: string;
}

/**
 * Builds the catalog for an API prefix.
 * @example const apis = buildApiCatalog('costing-');
 */
export function buildApiCatalog(prefix: string): CatalogApi[] {
  const plain = (id: string, name: string, method: string): CatalogOperation => ({
    id,
    name,
    method,
    urlTemplate: '/*',
    kind: 'plain',
  });
  return [
    {
      key: 'costing',
      id: `${prefix}subscription-api`,
      name: 'Costing: subscription-based',
      path: `${prefix}subscription`,
      subscriptionRequired: true,
      policyFile: 'costing-api.xml',
      operations: [
        plain('get-all', 'GET any path', 'GET'),
        plain('post-all', 'POST any path', 'POST'),
      ],
    },
    {
      key: 'entra',
      id: `${prefix}entraid-api`,
      name: 'Costing: Entra ID applications',
      path: `${prefix}entraid`,
      subscriptionRequired: false,
      policyFile: 'entraid-api.xml',
      operations: [
        plain('get-all', 'GET any path', 'GET'),
        plain('post-all', 'POST any path', 'POST'),
      ],
    },
    {
      key: 'tokenTracking',
      id: `${prefix}token-tracking-api`,
      name: 'Costing: AI token tracking (mock)',
      path: `${prefix}token-tracking`,
      subscriptionRequired: true,
      policyFile: 'token-tracking-api.xml',
      operations: [
        {
          id: 'chat-completions-create',
          name: 'Chat completions (mock)',
          method: 'POST',
          urlTemplate: '/deployments/{deploymentId}/chat/completions',
          kind: 'chat-completions',
          policyFile: 'token-tracking-mock-operation.xml',
        },
      ],
    },
    {
      key: 'aoai',
      id: `${prefix}aoai-gateway-api`,
      name: 'Costing: AOAI gateway',
      path: `${prefix}aoai-gateway`,
      subscriptionRequired: true,
      policyFile: 'aoai-gateway-api.xml',
      operations: [
        {
          id: 'chat-completions-create',
          name: 'Chat completions',
          method: 'POST',
          urlTemplate: '/deployments/{deploymentId}/chat/completions',
          kind: 'chat-completions',
          policyFile: 'aoai-chat-completions-operation.xml',
        },
        {
          id: 'responses-create',
          name: 'Responses',
          method: 'POST',
          urlTemplate: '/responses',
          kind: 'responses',
          policyFile: 'aoai-responses-operation.xml',
        },
      ],
    },
  ];
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
