/**
 * A kernel interrupt as an `AbortSignal`. Jupyter interrupts a tslab kernel with SIGINT; tslab
 * then only stops waiting for the cell (it prints "Interrupted asynchronously") while the cell's
 * promise runs on. An operation that must stop on interrupt takes a scope here: its signal aborts
 * on the next SIGINT. The listener is installed only while a scope is open, so a plain Node
 * script keeps its default Ctrl-C behaviour the rest of the time.
 */

/** An open interrupt scope. */
export interface InterruptScope {
  /** Aborts on the next SIGINT, with the scope's reason. */
  readonly signal: AbortSignal;
  /** Closes the scope (always call it, in a `finally`). */
  dispose(): void;
}

const open = new Map<AbortController, () => Error>();

function onSigint(): void {
  for (const [controller, reason] of [...open]) {
    open.delete(controller);
    controller.abort(reason());
  }
  sync();
}

function sync(): void {
  const listening = process.listeners('SIGINT').includes(onSigint);
  if (open.size > 0 && !listening) process.on('SIGINT', onSigint);
  else if (open.size === 0 && listening) process.off('SIGINT', onSigint);
}

/**
 * Opens a scope whose signal aborts on the kernel's next interrupt.
 * @param reason - the abort reason to use (an error whose message says what happened).
 * @example const scope = interruptScope(() => new Error('interrupted')); try { await work(scope.signal); } finally { scope.dispose(); }
 */
export function interruptScope(reason: () => Error): InterruptScope {
  const controller = new AbortController();
  open.set(controller, reason);
  sync();
  return {
    signal: controller.signal,
    dispose() {
      open.delete(controller);
      sync();
    },
  };
}
