/**
 * The Azure SDK clients of one target: created on first use, memoized, and all built with the
 * same credential and (in tests) the same injected HTTP client, so every request of the azure
 * path goes through one transport.
 */
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { ResourceManagementClient } from '@azure/arm-resources';
import { DeploymentsClient } from '@azure/arm-resourcesdeployments';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { CostManagementClient } from '@azure/arm-costmanagement';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { MonitorClient } from '@azure/arm-monitor';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { metricsEndpoint } from './metric-queries.js';
import type { KitConfig } from '../config/types.js';
import { TargetUnavailableError } from '../errors.js';
import {
  AzureRequestError,
  hasStatus,
  isCredentialError,
  parseArmError,
  SIGN_IN_HINT,
  toKitError,
} from './azure-errors.js';

/** Cost Management exports REST version (PROTOCOLS 7.6); the SDK's default is older. */
export const COST_MANAGEMENT_API_VERSION = '2025-03-01';
/** ARM subscriptions REST version used to find and check the subscription. */
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';

/** Options of the SDK clients; tests hand in a fake credential and transport. */
export interface AzureClientOptions {
  /** @default `new DefaultAzureCredential({ tenantId: config.azure.tenantId })` */
  credential?: TokenCredential;
  /** Transport every SDK client uses (tests: a fake that answers recorded-shape responses). */
  httpClient?: HttpClient;
  /** Extra pipeline policies added to every client (e.g. request logging). */
  additionalPolicies?: PipelinePolicy[];
}

/** The lazily created SDK clients of one target. */
export interface AzureClients {
  readonly credential: TokenCredential;
  /** The subscription in use: configuration, environment, or the signed-in account's only one. */
  subscriptionId(): Promise<string>;
  /** The tenant: configuration, environment, or the subscription's own tenant. */
  tenantId(): Promise<string | undefined>;
  resources(): Promise<ResourceManagementClient>;
  deployments(): Promise<DeploymentsClient>;
  apiManagement(): Promise<ApiManagementClient>;
  costManagement(): CostManagementClient;
  authorization(): Promise<AuthorizationManagementClient>;
  monitor(): Promise<MonitorClient>;
  logs(): LogsQueryClient;
  /** Metrics client of the regional endpoint of `location`. */
  metrics(location: string): MetricsClient;
  /** Raw ARM calls (through the same pipeline) for operations no installed SDK has. */
  arm(): ArmSender;
}

/**
 * Builds the memoized client set; no I/O happens until a client is used.
 * @example const clients = createAzureClients(config, { credential, httpClient });
 */
export function createAzureClients(
  config: KitConfig,
  options: AzureClientOptions = {},
): AzureClients {
  let credential: TokenCredential | undefined = options.credential;
  const getCredential = (): TokenCredential => {
    credential ??= new DefaultAzureCredential(
      config.azure.tenantId !== undefined ? { tenantId: config.azure.tenantId } : {},
    );
    return credential;
  };
  const common = {
    ...(options.httpClient !== undefined ? { httpClient: options.httpClient } : {}),
    additionalPolicies: (options.additionalPolicies ?? []).map((policy) => ({
      policy,
      position: 'perCall' as const,
    })),
  };
  const memo = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const metricsClients = new Map<string, MetricsClient>();
  const costManagement = memo(
    () =>
      new CostManagementClient(getCredential(), {
        ...common,
        apiVersion: COST_MANAGEMENT_API_VERSION,
      }),
  );
  // Subscription look-ups need no subscription: a resources client without one, through its pipeline.
  const armSender = memo((): ArmSender => {
    const client = new ResourceManagementClient(getCredential(), common);
    const transport = options.httpClient ?? createDefaultHttpClient();
    return { sendRequest: (request) => client.pipeline.sendRequest(transport, request) };
  });
  const subscription = memo(() => resolveSubscription(config, armSender));
  const subscriptionId = (): Promise<string> => subscription().then((s) => s.subscriptionId);
  const tenantId = async (): Promise<string | undefined> =>
    config.azure.tenantId ?? (await subscription()).tenantId;
  const bySubscription = <T>(make: (sub: string) => T): (() => Promise<T>) => {
    let value: Promise<T> | undefined;
    return () => (value ??= subscriptionId().then(make));
  };
  return {
    get credential() {
      return getCredential();
    },
    subscriptionId,
    tenantId,
    resources: bySubscription((sub) => new ResourceManagementClient(getCredential(), sub, common)),
    deployments: bySubscription((sub) => new DeploymentsClient(getCredential(), sub, common)),
    apiManagement: bySubscription((sub) => new ApiManagementClient(getCredential(), sub, common)),
    costManagement,
    authorization: bySubscription(
      (sub) => new AuthorizationManagementClient(getCredential(), sub, common),
    ),
    monitor: bySubscription((sub) => new MonitorClient(getCredential(), sub, common)),
    logs: memo(() => new LogsQueryClient(getCredential(), common)),
    arm: armSender,
    metrics: (location: string) => {
      let client = metricsClients.get(location);
      if (client === undefined) {
        client = new MetricsClient(metricsEndpoint(location), getCredential(), common);
        metricsClients.set(location, client);
      }
      return client;
    },
  };
}

/** A raw ARM call through an SDK client's pipeline (authentication, retries, the injected transport). */
export interface ArmSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

/**
 * Sends one ARM request through an SDK client's pipeline and parses the JSON answer; used where
 * the SDK model lacks fields the REST API needs (export identity) or has no operation (subscriptions).
 */
export async function armJson(
  sender: ArmSender,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  apiVersion: string,
  body?: unknown,
  abortSignal?: AbortSignal,
): Promise<{ status: number; body: unknown }> {
  const request = createPipelineRequest({
    url: `https://management.azure.com${path}?api-version=${apiVersion}`,
    method,
    headers: createHttpHeaders(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    ...(abortSignal !== undefined ? { abortSignal } : {}),
  });
  const response = await sender.sendRequest(request);
  const text = response.bodyAsText ?? '';
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed };
}

interface ResolvedSubscription {
  subscriptionId: string;
  tenantId: string | undefined;
}

async function resolveSubscription(
  config: KitConfig,
  sender: () => ArmSender,
): Promise<ResolvedSubscription> {
  try {
    const configured = config.azure.subscriptionId;
    if (configured !== undefined) {
      const { status, body } = await armJson(
        sender(),
        'GET',
        `/subscriptions/${configured}`,
        SUBSCRIPTIONS_API_VERSION,
      );
      if (status === 200) return { subscriptionId: configured, tenantId: tenantOf(body) };
      const arm = describeBody(body);
      if (status !== 403 && status !== 404) {
        throw new AzureRequestError(
          `Azure request failed while checking subscription ${configured} (${status}${arm}); run the cell again.`,
          status,
          parseArmError(body)?.code,
        );
      }
      throw new TargetUnavailableError(
        `Subscription ${configured} is not visible to the signed-in identity (${status}${arm}). ` +
          'Sign in with an account that has access (`az login`, then `az account set`), or fix azure.subscriptionId in cell A1.',
      );
    }
    const { status, body } = await armJson(
      sender(),
      'GET',
      '/subscriptions',
      SUBSCRIPTIONS_API_VERSION,
    );
    const list =
      status === 200 && body !== null && typeof body === 'object'
        ? ((body as { value?: unknown }).value ?? [])
        : [];
    const found = (Array.isArray(list) ? list : [])
      .map((s: unknown) => ({
        subscriptionId: fieldOf(s, 'subscriptionId'),
        tenantId: fieldOf(s, 'tenantId'),
      }))
      .filter((s): s is ResolvedSubscription => s.subscriptionId !== undefined);
    const ids = found.map((s) => s.subscriptionId);
    if (found.length === 1 && found[0] !== undefined) return found[0];
    if (ids.length === 0) {
      throw new TargetUnavailableError(
        'The signed-in identity cannot see any Azure subscription. Sign in with another account (`az login`) or set azure.subscriptionId in cell A1.',
      );
    }
    throw new TargetUnavailableError(
      `The signed-in identity can see ${ids.length} subscriptions (${ids.join(', ')}); set azure.subscriptionId in cell A1 (or AZURE_SUBSCRIPTION_ID) to choose one.`,
    );
  } catch (error) {
    if (isCredentialError(error)) throw new TargetUnavailableError(SIGN_IN_HINT, { cause: error });
    if (hasStatus(error, 401)) throw new TargetUnavailableError(SIGN_IN_HINT, { cause: error });
    if (error instanceof TargetUnavailableError || error instanceof AzureRequestError) throw error;
    throw toKitError(error, 'finding the Azure subscription');
  }
}

function fieldOf(value: unknown, name: string): string | undefined {
  const field =
    value !== null && typeof value === 'object'
      ? (value as Record<string, unknown>)[name]
      : undefined;
  return typeof field === 'string' ? field : undefined;
}

function tenantOf(body: unknown): string | undefined {
  return fieldOf(body, 'tenantId');
}

function describeBody(body: unknown): string {
  const arm = parseArmError(body);
  return arm !== undefined ? `, ${arm.code}: ${arm.message}` : '';
}
