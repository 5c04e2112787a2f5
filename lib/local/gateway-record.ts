/**
 * What the gateway emulator learns about one request as it passes through: the facts its log
 * rows are built from (`gateway-log-rows.ts`).
 */
import type { KqlValue } from '../target.js';
import type { CatalogApi, CatalogOperation } from './api-catalog.js';

/** One record of `TraceRecords`. */
export interface TraceRecord {
  source: string;
  severity: string;
  message: string;
  metadata?: Record<string, string>;
  timestamp: string;
}

/** One `emit-metric` the inbound section emitted. */
export interface EmittedMetric {
  name: string;
  namespace: string;
  value: number;
  dimensions: Record<string, string>;
}

/** The LLM exchange of a request that reached the model backend. */
export interface LlmExchange {
  deploymentName: string;
  modelName: string;
  apiVersion: string;
  isStream: boolean;
  backendRequestId: string;
  usage: { prompt: number; completion: number; total: number } | undefined;
  requestMessages: KqlValue;
  responseText: string;
}

/** Where and why the gateway failed a request (the `LastError*` columns). */
export interface GatewayFault {
  source: string;
  reason: string;
  message: string;
  section: string;
  scope: string;
}

/** Everything the gateway learned about one request. */
export interface RequestRecord {
  requestId: string;
  startMs: number;
  endMs: number;
  method: string;
  url: string;
  clientIp: string;
  api: CatalogApi | undefined;
  operation: CatalogOperation | undefined;
  subscriptionId: string;
  responseCode: number;
  backend:
    { url: string; method: string; responseCode: number | undefined; timeMs: number } | undefined;
  backendId: string;
  requestSize: number;
  responseSize: number;
  traces: TraceRecord[];
  error: (GatewayFault & { elapsedMs: number }) | undefined;
  llm: LlmExchange | undefined;
  metrics: EmittedMetric[];
}
