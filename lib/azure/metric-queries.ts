/**
 * Metric queries against App Insights (cell E2 on Azure): the `caller-requests` custom metric
 * that the Entra ID API's `emit-metric` policy sends, read with `@azure/monitor-query-metrics`
 * and split by a dimension, as a plain table.
 */
import type { MetricsClient } from '@azure/monitor-query-metrics';
import type { Deployment, KqlTable } from '../target.js';
import type { MetricQueryOptions } from './azure-options.js';
import { AzureRequestError, InvalidArgumentError } from '../errors.js';
import { toKitError } from './azure-errors.js';

/** Regional metrics endpoint of a location, e.g. `https://eastus2.metrics.monitor.azure.com`. */
export function metricsEndpoint(location: string): string {
  return `https://${location}.metrics.monitor.azure.com`;
}

/**
 * Reads one App Insights metric (sum per interval, per `splitBy` value).
 * @returns a table `TimeGenerated, <splitBy>, Total`.
 * @example await queryAzureMetric(client, deployment, 'caller-requests', { splitBy: 'CallerId' })
 */
export async function queryAzureMetric(
  client: MetricsClient,
  deployment: Deployment,
  metricName: string,
  options: MetricQueryOptions = {},
): Promise<KqlTable> {
  const endTime = options.now ?? new Date();
  const startTime = new Date(endTime.getTime() - (options.lookbackMs ?? 86_400_000));
  if (options.splitBy !== undefined && !/^[A-Za-z][A-Za-z0-9_ ]*$/.test(options.splitBy)) {
    throw InvalidArgumentError.because(
      'splitBy',
      `'${options.splitBy}' is not a metric dimension name (letters, digits, '_' or spaces).`,
    );
  }
  let results;
  try {
    results = await client.queryResources(
      [deployment.appInsights.resourceId],
      [metricName],
      options.namespace ?? 'apim-costing',
      {
        startTime,
        endTime,
        interval: options.interval ?? 'PT1H',
        aggregation: 'Total',
        ...(options.splitBy !== undefined ? { filter: `${options.splitBy} eq '*'` } : {}),
      },
    );
  } catch (error) {
    throw toKitError(error, `reading metric '${metricName}' from Application Insights`);
  }
  const columns = [
    { name: 'TimeGenerated', type: 'datetime' },
    ...(options.splitBy !== undefined ? [{ name: options.splitBy, type: 'string' }] : []),
    { name: 'Total', type: 'real' },
  ];
  const rows: KqlTable['rows'] = [];
  for (const result of results) {
    for (const metric of result.metrics) {
      if (metric.errorCode !== undefined && metric.errorCode !== 'Success') {
        throw new AzureRequestError(
          `Application Insights could not read metric '${metricName}': ${metric.errorCode}${metric.errorMessage !== undefined ? `: ${metric.errorMessage}` : ''}`,
          undefined,
          metric.errorCode,
        );
      }
      for (const series of metric.timeseries) {
        const key =
          options.splitBy === undefined
            ? undefined
            : (series.metadatavalues?.find(
                (m) => String(m.name).toLowerCase() === options.splitBy?.toLowerCase(),
              )?.value ?? '');
        for (const point of series.data ?? []) {
          if (point.total === undefined || point.total === null) continue;
          rows.push([
            point.timeStamp.toISOString(),
            ...(key !== undefined ? [key] : []),
            point.total,
          ]);
        }
      }
    }
  }
  return { name: metricName, columns, rows };
}
