/**
 * What one traffic cell is, as data: its ledger source and cell, the API it calls, when it sends
 * nothing (and why), and how it plans and sends its requests. `sendTraffic` runs any of them the
 * same way (ledger, progress, retries, cancellation).
 */
import type { KitConfig } from '../config/types.js';
import type { TrafficSource } from '../ledger/ledger-types.js';
import type { ApiEndpoint, CostingTarget, Deployment, OperationOptions } from '../target.js';
import type { PlannedRequest, SendAttempt } from './runner.js';

/** Options every traffic cell takes. */
export interface TrafficOptions extends OperationOptions {
  /** Requests in flight at once. @default config.traffic.concurrency */
  concurrency?: number;
  /** Timeout of one attempt in milliseconds. @default config.traffic.requestTimeoutMs */
  requestTimeoutMs?: number;
  /** Retries per request. @default config.traffic.maxRetries */
  maxRetries?: number;
  /** Retries allowed for the whole run. @default max(10, half the plan) */
  retryBudget?: number;
  /** First backoff delay when the gateway gives no `Retry-After`. @default 200 */
  baseDelayMs?: number;
}

/** A plan and the function that sends one attempt of one of its requests. */
export interface PreparedTraffic {
  plan: readonly PlannedRequest[];
  send: SendAttempt<PlannedRequest>;
}

/**
 * Pairs a plan with its sender. The sender is only ever called with the plan's own requests,
 * so it may take the plan's richer request type.
 */
export function prepared<P extends PlannedRequest>(
  plan: readonly P[],
  send: SendAttempt<P>,
): PreparedTraffic {
  return { plan, send: (request, context) => send(request as P, context) };
}

/** One traffic cell (C1, C2, C3, D1, D2) as data. */
export interface TrafficKind<O extends TrafficOptions> {
  readonly source: TrafficSource;
  /** Notebook cell, e.g. `C1`. */
  readonly cell: string;
  /** Progress label, e.g. `C1 BU traffic`. */
  readonly label: string;
  /** The API the traffic goes to. */
  api(deployment: Deployment): ApiEndpoint;
  /** Why the cell sends nothing in this configuration (one line saying what to change), or `undefined`. */
  skipReason(target: CostingTarget, options: O): Promise<string | undefined> | string | undefined;
  /** The requests and how one attempt is sent. */
  prepare(target: CostingTarget, options: O): Promise<PreparedTraffic> | PreparedTraffic;
}

/** Why C1/C2 send nothing (`runRegularRequests` or `generateSampleLoad` off), or `undefined`. */
export function regularTrafficOff(config: KitConfig, what: string): string | undefined {
  if (!config.traffic.runRegularRequests) {
    return `traffic.runRegularRequests is false; set it to true in cell A1 to send ${what} traffic.`;
  }
  if (!config.traffic.generateSampleLoad) {
    return `traffic.generateSampleLoad is false; set it to true in cell A1 to send ${what} traffic.`;
  }
  return undefined;
}

/** Why the AI cells send nothing (`runAiRequests` off), or `undefined`. */
export function aiTrafficOff(config: KitConfig): string | undefined {
  return config.traffic.runAiRequests
    ? undefined
    : 'traffic.runAiRequests is false; set it to true in cell A1 to send AI traffic.';
}
