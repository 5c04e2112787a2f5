import { showMarkdown } from '../mime.js';
import type { TrafficSummary } from '../../traffic/session.js';
import { trafficSummaryMarkdown } from './traffic-summary.js';

/**
 * Shows a traffic cell's outcome: planned vs delivered per BU (and per caller), or why it skipped.
 * @example showTrafficSummary(await sendBuTraffic(target, config));
 */
export function showTrafficSummary(summary: TrafficSummary): void {
  showMarkdown(trafficSummaryMarkdown(summary));
}
