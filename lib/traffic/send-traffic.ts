/**
 * Cells C1-D2: one entry point for every traffic cell. The kind names the cell; its descriptor
 * (`bu.ts`, `entra.ts`, `real-jwt.ts`, `ai.ts`, `mock-ai.ts`) says what it sends, and this module
 * runs it the same way for all: skipped with one line when off, else planned, sent with bounded
 * concurrency and retries, and recorded in the ledger as it goes.
 */
import { interruptScope } from '../common/kernel-interrupt.js';
import { withDeadline } from '../common/operation-signal.js';
import { InvalidArgumentError, TrafficInterruptedError } from '../errors.js';
import { takeOver } from './active-runs.js';
import type { CostingTarget } from '../target.js';
import { aiTraffic, type AiTrafficOptions } from './ai.js';
import { buTraffic, type BuTrafficOptions } from './bu.js';
import { entraTraffic, type EntraTrafficOptions } from './entra.js';
import { mockAiTraffic, type MockAiTrafficOptions } from './mock-ai.js';
import { realJwtTraffic, type RealJwtTrafficOptions } from './real-jwt.js';
import { recordSkipped, runTrafficSession, type TrafficSummary } from './session.js';
import type { TrafficKind } from './traffic-kind.js';

/** The options of each traffic cell, by kind. */
export interface TrafficOptionsByKind {
  /** C1: weighted subscription-key traffic per BU. */
  bu: BuTrafficOptions;
  /** C2: simulated Entra ID callers (unsigned JWTs). */
  entra: EntraTrafficOptions;
  /** C3: a real client-credentials token (optional). */
  'real-jwt': RealJwtTrafficOptions;
  /** D1: six-mode Azure OpenAI traffic. */
  ai: AiTrafficOptions;
  /** D2: mock AI traffic when no model is deployed. */
  'mock-ai': MockAiTrafficOptions;
}

/** A traffic cell's kind: `bu` (C1), `entra` (C2), `real-jwt` (C3), `ai` (D1), `mock-ai` (D2). */
export type TrafficKindName = keyof TrafficOptionsByKind;

const KINDS: { readonly [K in TrafficKindName]: TrafficKind<TrafficOptionsByKind[K]> } = {
  bu: buTraffic,
  entra: entraTraffic,
  'real-jwt': realJwtTraffic,
  ai: aiTraffic,
  'mock-ai': mockAiTraffic,
};

/** The traffic kinds, in notebook order. */
export const TRAFFIC_KINDS: readonly TrafficKindName[] = Object.keys(KINDS) as TrafficKindName[];

/**
 * Sends one traffic cell's requests and records them in the ledger; or, when the configuration
 * turns the cell off, records it as skipped and says why in the summary.
 * @param target - a deployed target (cell A2).
 * @param kind - which cell: `bu` (C1), `entra` (C2), `real-jwt` (C3), `ai` (D1), `mock-ai` (D2).
 * @param options - overrides, concurrency, cancellation, progress.
 * @returns planned vs delivered per BU (and caller), or a skipped summary with the reason.
 * @throws {@link MissingStepError} when A2 has not run; {@link ConfigError} for a bad override;
 *   {@link TargetUnavailableError} when the gateway does not answer; the signal's reason when aborted.
 * @example showTrafficSummary(await sendTraffic(target, 'bu', { onProgress: progressLine() }));
 */
export async function sendTraffic<K extends TrafficKindName>(
  target: CostingTarget,
  kind: K,
  options: TrafficOptionsByKind[K] = {},
): Promise<TrafficSummary> {
  const descriptor = KINDS[kind] as TrafficKind<TrafficOptionsByKind[K]>;
  if (descriptor === undefined) {
    throw new InvalidArgumentError(
      'traffic kind',
      JSON.stringify(kind),
      `use one of ${TRAFFIC_KINDS.join(', ')}`,
    );
  }
  const config = target.config;
  const deployment = target.requireDeployment();
  // A run of this cell still going (interrupted, or never awaited) stops first: runs of one
  // cell never overlap. Then this run stops on a kernel interrupt or when the cell runs again.
  const slot = await takeOver(descriptor.source, descriptor.cell);
  const interrupt = interruptScope(
    () => new TrafficInterruptedError(descriptor.cell, 'the kernel was interrupted'),
  );
  const signal = AbortSignal.any([
    slot.signal,
    interrupt.signal,
    ...(options.signal ? [options.signal] : []),
  ]);
  const work = (async (): Promise<TrafficSummary> => {
    const api = descriptor.api(deployment);
    const reason = await descriptor.skipReason(target, options);
    if (reason !== undefined) {
      return recordSkipped(
        config,
        deployment,
        descriptor.source,
        descriptor.cell,
        api.apiId,
        reason,
        options,
      );
    }
    // `timeoutMs` bounds the whole run: past it the run stops like an interrupt (the ledger keeps
    // what completed) and the cell gets an OperationTimeoutError.
    return withDeadline(descriptor.label, { ...options, signal }, async (_signal, bounded) => {
      const { plan, send } = await descriptor.prepare(target, { ...options, ...bounded });
      return runTrafficSession({
        config,
        deployment,
        source: descriptor.source,
        cell: descriptor.cell,
        label: descriptor.label,
        apiId: api.apiId,
        url: api.url,
        plan,
        send,
        options: { ...options, ...bounded },
      });
    });
  })();
  slot.finished(work);
  try {
    return await work;
  } finally {
    interrupt.dispose();
  }
}
