/**
 * The traffic runs going on in this kernel, one per traffic cell at most: running a cell again
 * while its previous run still sends (after an interrupt tslab stops waiting, but the promise
 * goes on) stops the previous run first, so two runs of one cell never overlap.
 */
import { TrafficInterruptedError } from '../errors.js';
import type { TrafficSource } from '../ledger/ledger-types.js';

interface ActiveRun {
  controller: AbortController;
  done: Promise<unknown>;
}

const active = new Map<TrafficSource, ActiveRun>();

// How long a stopped run gets to save its final entry before the new run starts anyway.
const STOP_WAIT_MS = 3_000;

/**
 * Stops the source's running run (if any) and waits for it to save its entry; then registers a
 * new one. The returned signal aborts when the cell is run again.
 */
export async function takeOver(
  source: TrafficSource,
  cell: string,
): Promise<{ signal: AbortSignal; finished(done: Promise<unknown>): void }> {
  const previous = active.get(source);
  if (previous) {
    previous.controller.abort(new TrafficInterruptedError(cell, `${cell} was run again`));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      previous.done.catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }
  const controller = new AbortController();
  const run: ActiveRun = { controller, done: Promise.resolve() };
  active.set(source, run);
  return {
    signal: controller.signal,
    finished(done) {
      run.done = done;
      void done
        .catch(() => undefined)
        .then(() => {
          if (active.get(source) === run) active.delete(source);
        });
    },
  };
}
