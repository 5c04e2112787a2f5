/**
 * Log queries on Azure with `@azure/monitor-query-logs`: gateway and LLM logs from the Log
 * Analytics workspace, App Insights classic tables (`customMetrics`, ...) from the App Insights
 * resource, both mapped to the kit's `QueryResult`.
 */
import {
  LogsQueryResultStatus,
  type LogsQueryClient,
  type LogsTable,
  type QueryTimeInterval,
} from '@azure/monitor-query-logs';
import type { Deployment, KqlTable, KqlValue, QueryOptions, QueryResult } from '../target.js';
import { AzureRequestError, InvalidArgumentError } from '../errors.js';
import { armErrorOf, toKitError } from './azure-errors.js';
import { idForSdk } from './resource-names.js';

/** App Insights classic table names: queries over these run against the App Insights resource. */
export const APP_INSIGHTS_TABLES: readonly string[] = [
  'customMetrics',
  'requests',
  'traces',
  'dependencies',
  'exceptions',
  'customEvents',
  'pageViews',
  'availabilityResults',
];

/** Where a query runs: the workspace, or the App Insights resource for classic App Insights tables. */
export function queryScope(query: string): 'workspace' | 'appInsights' {
  // Comments and string literals may mention any table name: look at the code only.
  const code = query
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
  // `app('...').customMetrics` is a cross-resource reference that the workspace resolves itself.
  if (/\bapp\s*\(/.test(code)) return 'workspace';
  const usesAppTable = APP_INSIGHTS_TABLES.some((t) => new RegExp(`\\b${t}\\b`).test(code));
  const usesWorkspaceTable =
    /\b(ApiManagementGateway\w*|App[A-Z]\w*|AzureDiagnostics|Usage)\b/.test(code);
  return usesAppTable && !usesWorkspaceTable ? 'appInsights' : 'workspace';
}

/** `timespan` of the kit (ISO duration or `start/end`) as the SDK's interval; none = the last 30 days. */
export function toTimeInterval(timespan: string | undefined): QueryTimeInterval {
  if (timespan === undefined) return { duration: 'P30D' };
  const [start, end] = timespan.split('/');
  if (end !== undefined && start !== undefined) {
    const startTime = new Date(start);
    const endTime = new Date(end);
    if (Number.isNaN(startTime.getTime()) || Number.isNaN(endTime.getTime())) {
      throw InvalidArgumentError.because(
        'timespan',
        `Invalid timespan '${timespan}': use an ISO 8601 duration like PT1H or 'start/end' ISO dates.`,
      );
    }
    return { startTime, endTime };
  }
  if (
    !/^P(?:\d+[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?$/.test(timespan) ||
    timespan === 'P' ||
    timespan.endsWith('T')
  ) {
    throw InvalidArgumentError.because(
      'timespan',
      `Invalid timespan '${timespan}': use an ISO 8601 duration like PT1H or 'start/end' ISO dates.`,
    );
  }
  return { duration: timespan };
}

/**
 * Runs a KQL query and maps the first table to a {@link QueryResult} (datetimes as ISO strings).
 * @example const result = await queryAzureLogs(client, deployment, 'ApiManagementGatewayLogs | count');
 */
export async function queryAzureLogs(
  client: LogsQueryClient,
  deployment: Deployment,
  query: string,
  options: QueryOptions = {},
): Promise<QueryResult> {
  const interval = toTimeInterval(options.timespan);
  const scope = queryScope(query);
  const queryOptions = {
    serverTimeoutInSeconds:
      options.timeoutMs !== undefined
        ? Math.max(1, Math.min(600, Math.ceil(options.timeoutMs / 1000)))
        : 180,
    ...(options.signal !== undefined ? { abortSignal: options.signal } : {}),
  };
  let result;
  try {
    result =
      scope === 'appInsights'
        ? await client.queryResource(
            idForSdk(deployment.appInsights.resourceId),
            query,
            interval,
            queryOptions,
          )
        : await client.queryWorkspace(
            deployment.logAnalytics.workspaceId,
            query,
            interval,
            queryOptions,
          );
  } catch (error) {
    const { statusCode, body } = armErrorOf(error);
    if (statusCode === 400) {
      throw new AzureRequestError(
        `Log Analytics rejected the query (${body?.code ?? 'BadArgumentError'}): ${body?.message ?? String(error)}`,
        400,
        body?.code ?? 'BadArgumentError',
        { cause: error },
      );
    }
    throw toKitError(
      error,
      `querying ${scope === 'appInsights' ? 'Application Insights' : 'Log Analytics'}`,
    );
  }
  if (result.status === LogsQueryResultStatus.Success) {
    return { status: 'success', table: toKqlTable(result.tables[0]) };
  }
  return {
    status: 'partial',
    table: toKqlTable(result.partialTables[0]),
    error: `${result.partialError.code}: ${result.partialError.message}`,
  };
}

/** The SDK's table as a plain {@link KqlTable}. */
export function toKqlTable(table: LogsTable | undefined): KqlTable {
  if (table === undefined) return { name: 'PrimaryResult', columns: [], rows: [] };
  return {
    name: table.name,
    columns: table.columnDescriptors.map((c) => ({
      name: c.name ?? '',
      type: String(c.type ?? 'string'),
    })),
    rows: table.rows.map((row) => row.map(toKqlValue)),
  };
}

function toKqlValue(value: unknown): KqlValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (Array.isArray(value)) return value.map(toKqlValue);
  if (typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toKqlValue(v)]));
  return String(value);
}
