/**
 * The APIM gateway emulator's HTTP server: listens on 127.0.0.1, bounds the time a client may
 * take, caches route matches, and hands each request to the pipeline (`gateway-pipeline.ts`),
 * which answers it, forwards it to the model backend and writes its log rows.
 */
import { createServer } from 'node:http';
import type { AoaiEmulator } from './aoai-emulator.js';
import { matchRoute, type CatalogApi, type RouteMatch } from './api-catalog.js';
import type { GatewayState, GatewaySubscription } from './gateway-auth.js';
import { closeExchange, openExchange, type GatewayExchange } from './gateway-exchange.js';
import { createForwarder } from './gateway-forward.js';
import { appendLogRows, type LogEnvironment } from './gateway-log-rows.js';
import { failExchange, runGatewayPipeline, type GatewayPipeline } from './gateway-pipeline.js';
import { listen, type RunningServer } from './http-listen.js';
import type { LocalLogStore } from './log-store.js';
import type { PolicySet } from './policy-engine.js';
import { RateLimiter } from './rate-limiter.js';
import { TokenLimiter } from './token-limiter.js';

export interface LocalGatewayOptions {
  catalog: readonly CatalogApi[];
  policies: PolicySet;
  /** The BU subscriptions (every API) and the APIs' own (one API each). */
  subscriptions: readonly GatewaySubscription[];
  /** Model backend base URL (the AOAI emulator's `<url>/openai`). */
  backendUrl: string;
  store: LocalLogStore;
  env: LogEnvironment;
  /** Per-subscription requests per minute. */
  rateLimitPerMinute: number;
  /** Largest accepted request body. @default 4 MiB */
  maxBodyBytes?: number;
  /** Port to listen on; 0 = ephemeral. @default 0 */
  port?: number;
  /**
   * The model backend as an in-process emulator: requests go to its `handle()` instead of over
   * loopback HTTP (same responses, streaming and faults). @default HTTP to `backendUrl`
   */
  inProcessBackend?: AoaiEmulator;
  /** Suspended subscriptions and named values; the caller keeps it and may change it. @default none suspended, no named values */
  state?: GatewayState;
  /** `llm-token-limit` counters (kept by the caller so they outlive a gateway restart). @default fresh counters */
  tokenLimiter?: TokenLimiter;
}

/** A running gateway emulator. */
export interface LocalGateway extends RunningServer {
  /** Changes the per-subscription rate limit (requests per minute). */
  setRateLimit(perMinute: number): void;
}

/**
 * Starts the gateway emulator on 127.0.0.1.
 * @example const gw = await startLocalGateway({ ...options, port: 0 }); console.log(gw.url);
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const finish = (ex: GatewayExchange): void =>
    closeExchange(ex, (record) => appendLogRows(options.store, record, options.env));
  const pipeline: GatewayPipeline = {
    routeOf: routeCache(options.catalog),
    keys: new Map(options.subscriptions.map((s) => [s.primaryKey, s] as const)),
    limiter: new RateLimiter(options.rateLimitPerMinute),
    tokenLimiter: options.tokenLimiter ?? new TokenLimiter(),
    state: options.state ?? { suspended: new Set(), namedValues: new Map() },
    policies: options.policies,
    maxBody: options.maxBodyBytes ?? 4 * 1024 * 1024,
    forwarder: createForwarder({
      backendUrl: options.backendUrl,
      inProcessBackend: options.inProcessBackend,
      finish,
    }),
    finish,
  };
  let origin = '';

  const server = createServer((req, res) => {
    const ex = openExchange(req, res, origin);
    // Whatever went wrong, answer (or cut) and still log the request.
    runGatewayPipeline(pipeline, ex).catch((err: unknown) => failExchange(pipeline, ex, err));
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 30_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const running = await listen(server, options.port ?? 0);
  origin = running.url;
  return {
    url: running.url,
    setRateLimit(perMinute) {
      pipeline.limiter.perMinute = perMinute;
    },
    async close() {
      await running.close();
      pipeline.forwarder.close();
    },
  };
}

// --- Internal helpers ---

/** Traffic repeats a handful of paths: remember their matches (bounded) instead of re-parsing. */
function routeCache(
  catalog: readonly CatalogApi[],
): (method: string, pathname: string) => RouteMatch | undefined {
  const cache = new Map<string, RouteMatch | undefined>();
  return (method, pathname) => {
    const key = `${method} ${pathname}`;
    if (cache.has(key)) return cache.get(key);
    const match = matchRoute(catalog, method, pathname);
    if (cache.size >= 1024) cache.clear();
    cache.set(key, match);
    return match;
  };
}
