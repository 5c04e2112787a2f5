/**
 * A month of generated gateway, LLM and metric rows (deterministic), shaped like the kit's own
 * traffic: the configured BUs by weight, the AI APIs with the six modes and three models, a
 * daily and weekly rhythm, some 429s and 5xx, and the Entra ID callers. Used to render the
 * workbook for a 30-day range, where the chart grain, the PTU line and the row limits matter.
 */
import type { KitConfig } from '../../lib/config/types.js';
import { createLogStore, type LocalLogStore } from '../../lib/local/log-store.js';
import type { Deployment, KqlValue } from '../../lib/target.js';

/** Sizes of the generated month. */
export interface MonthOfTraffic {
  store: LocalLogStore;
  /** Gateway rows with a `bu-*` subscription. */
  buRequests: number;
  gatewayRows: number;
  llmRows: number;
}

const DAY_MS = 86_400_000;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Busier on working hours and weekdays: a weight in 0.15..1 for an instant. */
function rhythm(ms: number): number {
  const d = new Date(ms);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
  const daytime = Math.max(0, Math.sin(((hour - 6) / 14) * Math.PI));
  const weekday = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.35 : 1;
  return 0.15 + 0.85 * daytime * weekday;
}

/**
 * Generates `days` of traffic ending at `now` into a memory log store.
 * @param requestsPerHour - average gateway requests per hour at the busiest rhythm.
 */
export function monthOfTraffic(
  config: KitConfig,
  deployment: Deployment,
  now: Date,
  { days = 30, requestsPerHour = 90, seed = 11 } = {},
): MonthOfTraffic {
  const rand = rng(seed);
  const pick = <T>(items: readonly T[], weight: (t: T) => number): T => {
    const total = items.reduce((n, t) => n + weight(t), 0);
    let r = rand() * total;
    for (const t of items) {
      r -= weight(t);
      if (r <= 0) return t;
    }
    return items[items.length - 1] as T;
  };
  const gateway: Record<string, KqlValue>[] = [];
  const llm: Record<string, KqlValue>[] = [];
  const metrics: Record<string, KqlValue>[] = [];
  const end = now.getTime();
  const start = end - days * DAY_MS;
  const models = config.models.map((m) => ({ name: m.name, dated: `${m.name}-${m.version}` }));
  let id = 0;
  // Candidate instants every ~40 s, kept by the rhythm: busy afternoons, quiet weekends.
  const step = 3_600_000 / requestsPerHour;
  for (let t = start + step * rand(); t < end; t += step * (0.5 + rand())) {
    if (rand() > rhythm(t)) continue;
    const time = new Date(Math.floor(t)).toISOString();
    const bu = pick(config.businessUnits, (b) => b.weight);
    const correlation = `m-${(id++).toString(36)}`;
    const kind = rand();
    if (kind < 0.12) {
      // Entra ID caller on the API's own subscription: a gateway row and a metric.
      const caller = pick(config.callers, (c) => c.weight);
      gateway.push(
        row(time, correlation, 'entra-own-key', deployment.apis.entra.apiId, 'get-status', 200, 8),
      );
      metrics.push({
        timestamp: time,
        name: 'caller-requests',
        value: 1,
        valueSum: 1,
        valueCount: 1,
        customDimensions: {
          CallerId: caller.appId,
          API: deployment.apis.entra.apiId,
          Operation: 'get-status',
        },
      });
      continue;
    }
    if (kind < 0.68) {
      const code = rand() < 0.02 ? 404 : 200;
      gateway.push(
        row(
          time,
          correlation,
          bu.name,
          deployment.apis.costing.apiId,
          'get-status',
          code,
          6 + Math.floor(rand() * 20),
        ),
      );
      continue;
    }
    const mode = Math.floor(rand() * 6);
    const chat = mode <= 2;
    const operation = chat ? 'chat-completions-create' : 'responses-create';
    const fate = rand();
    const code = fate < 0.03 ? 429 : fate < 0.045 ? 500 : 200;
    const model = pick(models, () => 1);
    const total = code === 200 ? 200 + Math.floor(rand() * 900) : 2;
    const g = row(time, correlation, bu.name, deployment.apis.aoai.apiId, operation, code, total);
    g.BackendTime = code === 429 ? null : Math.max(1, total - 15);
    if (mode === 2 && code === 200)
      g.TraceRecords = [
        {
          source: 'ensure-stream-include-usage',
          severity: 'information',
          message: 'IncludeUsageInjected: stream_options.include_usage set to true',
        },
      ];
    gateway.push(g);
    if (code !== 200) continue;
    const stream = mode === 1 || mode === 2 || mode === 4;
    const prompt = 20 + Math.floor(rand() * 400);
    const completion = 30 + Math.floor(rand() * 900);
    llm.push({
      TimeGenerated: time,
      CorrelationId: correlation,
      SequenceNumber: 0,
      IsStreamCompletion: stream,
      OperationName: operation,
    });
    llm.push({
      TimeGenerated: time,
      CorrelationId: correlation,
      SequenceNumber: 1,
      IsStreamCompletion: stream,
      OperationName: operation,
      ModelName: model.dated,
      DeploymentName: model.name,
      PromptTokens: prompt,
      CompletionTokens: completion,
      TotalTokens: prompt + completion,
    });
  }
  const store = createLogStore();
  store.appendRows('ApiManagementGatewayLogs', gateway);
  store.appendRows('ApiManagementGatewayLlmLog', llm);
  store.appendRows('customMetrics', metrics);
  return {
    store,
    buRequests: gateway.filter((r) => String(r.ApimSubscriptionId).startsWith('bu-')).length,
    gatewayRows: gateway.length,
    llmRows: llm.length,
  };
}

function row(
  time: string,
  correlation: string,
  subscription: string,
  apiId: string,
  operation: string,
  code: number,
  totalMs: number,
): Record<string, KqlValue> {
  return {
    TimeGenerated: time,
    CorrelationId: correlation,
    ApimSubscriptionId: subscription,
    ApiId: apiId,
    OperationId: operation,
    ResponseCode: code,
    TotalTime: totalMs,
    BackendTime: Math.max(0, totalMs - 4),
  };
}
