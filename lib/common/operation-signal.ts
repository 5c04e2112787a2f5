/**
 * The one place `OperationOptions.signal` and `timeoutMs` become a single `AbortSignal`, and that
 * signal becomes the Azure SDKs' `abortSignal` option. Every operation goes through here, so a
 * cell's cancel and time limit reach every request the operation makes.
 */
import { OperationTimeoutError } from '../errors.js';
import type { OperationOptions } from '../target.js';

/** The operation's signal: the caller's `signal`, its `timeoutMs`, both, or neither. */
export function operationSignal(
  options: Pick<OperationOptions, 'signal' | 'timeoutMs'>,
): AbortSignal | undefined {
  const signals: AbortSignal[] = [];
  if (options.signal !== undefined) signals.push(options.signal);
  if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs));
  if (signals.length === 0) return undefined;
  return signals.length === 1 ? signals[0] : AbortSignal.any(signals);
}

/** `{ abortSignal }` for an Azure SDK call, or `{}` when there is no signal. */
export function abortOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal !== undefined ? { abortSignal: signal } : {};
}

/** `{ signal }` for fetch-style options, or `{}` when there is none. */
export function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal !== undefined ? { signal } : {};
}

/**
 * Runs `work` under the operation's deadline. When `timeoutMs` passes first, the rejection is an
 * {@link OperationTimeoutError} naming `what` (or the one `timeoutError` makes); the caller's own
 * cancel still rejects with its reason.
 * @example await withDeadline('E1 log ingestion', options, (signal) => poll(signal));
 */
export async function withDeadline<T>(
  what: string,
  options: OperationOptions,
  work: (signal: AbortSignal | undefined, options: OperationOptions) => Promise<T>,
  timeoutError?: (timeoutMs: number, cause: unknown) => Error,
): Promise<T> {
  options.signal?.throwIfAborted();
  if (options.timeoutMs === undefined) return work(options.signal, options);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal !== undefined ? AbortSignal.any([options.signal, deadline]) : deadline;
  const { timeoutMs: _limit, ...rest } = options;
  try {
    return await work(signal, { ...rest, signal });
  } catch (error) {
    if (deadline.aborted && options.signal?.aborted !== true) {
      throw timeoutError !== undefined
        ? timeoutError(options.timeoutMs, error)
        : new OperationTimeoutError(what, options.timeoutMs, { cause: error });
    }
    throw error;
  }
}
