/**
 * A tiny real HTTP server on 127.0.0.1 standing in for the gateway in the traffic unit tests, and
 * a target whose deployment points at it. Each test passes the handler that decides responses.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MissingStepError } from '../../lib/errors.js';
import type { KitConfig } from '../../lib/config/types.js';
import type { CostingTarget, Deployment } from '../../lib/target.js';

export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** 1-based arrival number. */
  n: number;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface TinyGateway {
  url: string;
  seen: SeenRequest[];
  /** Responses the server finished writing. */
  finished: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startTinyGateway(handler: Handler): Promise<TinyGateway> {
  let inFlight = 0;
  const gw: TinyGateway = {
    url: '',
    seen: [],
    finished: 0,
    maxInFlight: 0,
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        n: gw.seen.length + 1,
      };
      gw.seen.push(seen);
      inFlight += 1;
      gw.maxInFlight = Math.max(gw.maxInFlight, inFlight);
      const settle = (): void => {
        inFlight -= 1;
      };
      res.on('finish', () => {
        gw.finished += 1;
      });
      res.on('close', settle);
      Promise.resolve(handler(seen, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gw.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gw.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gw;
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The deployment a real target would expose, pointed at `gatewayUrl`. */
export function deploymentFor(
  config: KitConfig,
  gatewayUrl: string,
  withModels = false,
): Deployment {
  const p = config.deployment.apiPrefix;
  const api = (id: string, path: string, own = false) => ({
    apiId: `${p}${id}`,
    path: `${p}${path}`,
    url: `${gatewayUrl}/${p}${path}`,
    name: `Costing: ${path}`,
    // The Entra ID and token-tracking APIs carry their own subscription, as main.bicep makes them.
    ...(own ? { subscription: { id: `api-${p}${id}`, primaryKey: `key-api-${p}${id}` } } : {}),
  });
  return {
    target: 'local',
    gatewayUrl,
    apimName: 'apim-tiny',
    apimSku: config.deployment.apimSku,
    resourceGroup: config.deployment.resourceGroup,
    location: config.deployment.location,
    apis: {
      costing: api('subscription-api', 'subscription'),
      entra: api('entraid-api', 'entraid', true),
      tokenTracking: api('token-tracking-api', 'token-tracking', true),
      aoai: api('aoai-gateway-api', 'aoai-gateway'),
    },
    subscriptions: config.businessUnits.map((b) => ({
      id: b.name,
      displayName: b.displayName,
      primaryKey: `key-${b.name}-0123456789`,
    })),
    aoai: withModels
      ? {
          backendUrl: `${gatewayUrl}/openai`,
          emulated: true,
          deployments: config.models.map((m) => ({
            deploymentName: m.name,
            modelName: m.name,
            modelVersion: m.version,
            capacityKTpm: m.capacityKTpm,
          })),
        }
      : undefined,
    appInsights: { name: 'appi', appId: 'app', resourceId: 'r' },
    logAnalytics: { name: 'log', workspaceId: 'w', resourceId: 'r' },
    storage: { accountName: 'st', container: 'cost-exports' },
  };
}

/**
 * A target over the tiny gateway: `requireDeployment` behaves as the real ones do (MissingStepError
 * naming A2 before `deploy`). Operations the traffic never calls reject.
 */
export function tinyTarget(
  config: KitConfig,
  gatewayUrl: string,
  options: { deployed?: boolean; withModels?: boolean } = {},
): CostingTarget {
  let deployment: Deployment | undefined =
    options.deployed === false ? undefined : deploymentFor(config, gatewayUrl, options.withModels);
  const unused = (): Promise<never> => Promise.reject(new Error('not used by traffic'));
  return {
    kind: 'local',
    config,
    deploy: async () => (deployment = deploymentFor(config, gatewayUrl, options.withModels)),
    requireDeployment: () => {
      if (!deployment) throw new MissingStepError('A2', 'The deployment');
      return deployment;
    },
    queryLogs: unused,
    createCostExport: unused,
    runCostExport: unused,
    readCostExport: unused,
    ingestCostAllocation: unused,
    createBudgetAlerts: unused,
    publishWorkbook: unused,
    cleanUp: unused,
    readEnforcement: unused,
    createForecastAlerts: unused,
    writeEnforcement: unused,
    close: async () => undefined,
  };
}
