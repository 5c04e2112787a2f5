/**
 * Option types of the Azure target that the kit's public types name. They live apart from the
 * modules that use them so the public declarations do not reach the Azure SDKs' own.
 */
import type { OperationOptions } from '../target.js';

/** Timing of the role-assignment retries (tests shorten them). */
export interface RoleRetryOptions {
  /** @default 10 */
  attempts?: number;
  /** Delay between attempts. @default 10000 */
  delayMs?: number;
}

/** Options of `queryAzureMetric`. */
export interface MetricQueryOptions extends OperationOptions {
  /** Metric namespace of the `emit-metric` policy. @default 'apim-costing' */
  namespace?: string;
  /** Dimension to split by, e.g. `CallerId`; none = one series. */
  splitBy?: string;
  /** How far back to read. @default 86400000 (one day) */
  lookbackMs?: number;
  /** Bucket size (ISO 8601). @default 'PT1H' */
  interval?: string;
  /** Clock (tests). @default `new Date()` */
  now?: Date;
}
