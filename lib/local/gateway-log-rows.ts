/**
 * The log rows one gateway request produces: its `ApiManagementGatewayLogs` row, its
 * `ApiManagementGatewayLlmLog` rows and its App Insights `customMetrics` rows, shaped by
 * `schemas/`, and their append to the log store.
 */
import { randomUUID } from 'node:crypto';
import type { KqlValue } from '../target.js';
import { maskQueryKeys } from './gateway-auth.js';
import type { RequestRecord } from './gateway-record.js';
import type { LocalLogStore, LogRowInput } from './log-store.js';

/** Where the log rows of this gateway say they come from. */
export interface LogEnvironment {
  region: string;
  /** Log Analytics workspace id (the `TenantId` column). */
  workspaceId: string;
  azureSubscriptionId: string;
  apimResourceId: string;
  appInsights: { appId: string; name: string; iKey: string };
  apimName: string;
}

/** The `ApiManagementGatewayLogs` row of a request. */
export function gatewayLogRow(r: RequestRecord, env: LogEnvironment): LogRowInput {
  const time = new Date(r.startMs).toISOString();
  const total = Math.max(0, Math.round(r.endMs - r.startMs));
  const backendTime = r.backend ? Math.max(0, Math.round(r.backend.timeMs)) : 0;
  const b = r.backend;
  const e = r.error;
  // One object literal with every field (undefined = empty): rows share one shape, which keeps
  // building and storing them cheap on the request path.
  return {
    TenantId: env.workspaceId,
    TimeGenerated: time,
    Timestamp: time,
    OperationName: 'Microsoft.ApiManagement/GatewayLogs',
    Category: 'GatewayLogs',
    CorrelationId: r.requestId,
    Region: env.region,
    IsRequestSuccess: r.responseCode >= 200 && r.responseCode < 400,
    TotalTime: total,
    CallerIpAddress: r.clientIp,
    Method: r.method,
    // Keys sent in the query string are not logged, under any spelling that authenticates.
    Url: r.url.includes('?') ? maskQueryKeys(r.url) : r.url,
    ClientProtocol: 'HTTP/1.1',
    ResponseCode: r.responseCode,
    ResponseSize: r.responseSize,
    RequestSize: r.requestSize,
    Cache: 'none',
    CacheTime: 0,
    BackendTime: backendTime,
    ClientTime: Math.max(0, total - backendTime),
    ApiId: r.api?.id ?? '',
    OperationId: r.operation?.id ?? '',
    ApimSubscriptionId: r.subscriptionId,
    ApiRevision: r.api ? '1' : '',
    BackendId: r.backendId,
    BackendMethod: b?.method,
    BackendUrl: b?.url.includes('?') ? maskQueryKeys(b.url) : b?.url,
    BackendProtocol: b ? 'HTTP/1.1' : undefined,
    BackendResponseCode: b?.responseCode,
    IsTraceRequested: false,
    IsTraceAllowed: false,
    IsTraceExpired: false,
    IsMasterTrace: false,
    TraceRecords: r.traces.length > 0 ? (r.traces as unknown as KqlValue) : null,
    LastErrorElapsed: e?.elapsedMs,
    LastErrorSource: e?.source,
    LastErrorReason: e?.reason,
    LastErrorMessage: e?.message,
    LastErrorSection: e?.section,
    LastErrorScope: e?.scope,
    Errors: e
      ? [
          {
            Source: e.source,
            Reason: e.reason,
            Message: e.message,
            Section: e.section,
            Scope: e.scope,
            Elapsed: e.elapsedMs,
          },
        ]
      : undefined,
    SourceSystem: 'Azure',
    Type: 'ApiManagementGatewayLogs',
    _ResourceId: env.apimResourceId,
    _SubscriptionId: env.azureSubscriptionId,
    _IsBillable: 'true',
  };
}

/**
 * The `ApiManagementGatewayLlmLog` rows of a request: a request row (sequence 0, prompt
 * messages) and a response row (sequence 1) that alone carries the model, deployment and
 * tokens. Empty for requests that did not get a 2xx from the model backend.
 */
export function llmLogRows(r: RequestRecord, env: LogEnvironment): LogRowInput[] {
  const llm = r.llm;
  const code = r.backend?.responseCode;
  if (!llm || code === undefined || code < 200 || code >= 300) return [];
  const time = new Date(r.startMs).toISOString();
  const common: Record<string, KqlValue> = {
    TenantId: env.workspaceId,
    TimeGenerated: time,
    CorrelationId: r.requestId,
    RequestId: llm.backendRequestId,
    ApiVersion: llm.apiVersion,
    OperationName: r.operation?.id ?? '',
    IsStreamCompletion: llm.isStream,
    Region: env.region,
    SourceSystem: 'Azure',
    Type: 'ApiManagementGatewayLlmLog',
    _ResourceId: env.apimResourceId,
    _SubscriptionId: env.azureSubscriptionId,
    _IsBillable: 'true',
  };
  const request: Record<string, KqlValue> = {
    ...common,
    SequenceNumber: 0,
    RequestMessages: llm.requestMessages,
  };
  const response: Record<string, KqlValue> = {
    ...common,
    SequenceNumber: 1,
    DeploymentName: llm.deploymentName,
    ModelName: llm.modelName,
    PromptTokens: llm.usage?.prompt ?? null,
    CompletionTokens: llm.usage?.completion ?? null,
    TotalTokens: llm.usage?.total ?? null,
    ResponseMessages: [{ role: 'assistant', content: llm.responseText }],
  };
  return [request, response];
}

/** The App Insights `customMetrics` rows of the request's `emit-metric` policies. */
export function customMetricRows(r: RequestRecord, env: LogEnvironment): LogRowInput[] {
  const time = new Date(r.startMs).toISOString();
  return r.metrics.map((m) => ({
    timestamp: time,
    name: m.name,
    value: m.value,
    valueCount: 1,
    valueSum: m.value,
    valueMin: m.value,
    valueMax: m.value,
    valueStdDev: 0,
    customDimensions: m.dimensions,
    itemType: 'customMetric',
    itemId: randomUUID(),
    operation_Id: r.requestId.replace(/-/g, ''),
    operation_Name: r.operation ? `${r.api?.name ?? ''};${r.operation.name}` : '',
    cloud_RoleName: env.apimName,
    cloud_RoleInstance: 'local',
    sdkVersion: 'apim:local',
    appId: env.appInsights.appId,
    appName: env.appInsights.name,
    iKey: env.appInsights.iKey,
    client_Type: 'PC',
    client_IP: '0.0.0.0',
  }));
}

/** Appends every row of a finished request to the store (the tables it has rows for). */
export function appendLogRows(
  store: Pick<LocalLogStore, 'appendRows'>,
  record: RequestRecord,
  env: LogEnvironment,
): void {
  store.appendRows('ApiManagementGatewayLogs', [gatewayLogRow(record, env)]);
  const llmRows = llmLogRows(record, env);
  if (llmRows.length > 0) store.appendRows('ApiManagementGatewayLlmLog', llmRows);
  const metricRows = customMetricRows(record, env);
  if (metricRows.length > 0) store.appendRows('customMetrics', metricRows);
}
