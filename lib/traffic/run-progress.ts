/**
 * The progress line of a traffic run: done/total, rate, retries and failures, four times a
 * second at most, and a last line saying how the run ended.
 */
import type { RunRequestsOptions, RunRequestsResult } from './runner.js';

/** The progress reporter of one run. */
export interface Progress {
  tick(done: number, retries: number, failures: number): void;
  end(done: number, retries: number, failures: number, stopped: RunRequestsResult['stopped']): void;
}

export function createProgress(
  options: Pick<RunRequestsOptions, 'label' | 'onProgress'>,
  total: number,
  started: number,
): Progress {
  let lastAt = 0;
  const text = (done: number, retries: number, failures: number, suffix = ''): string => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    return `${options.label}: ${done}/${total} (${pct}%) · ${rate.toFixed(1)} req/s · retries ${retries} · failures ${failures}${suffix}`;
  };
  const emit = (message: string, done: number): void => {
    options.onProgress?.({ message, done, total });
  };
  return {
    tick(done, retries, failures) {
      const now = performance.now();
      // A progress line per request would flood a terminal; four a second reads as live.
      if (now - lastAt < 250 && done < total) return;
      lastAt = now;
      emit(text(done, retries, failures), done);
    },
    end(done, retries, failures, stopped) {
      const suffix =
        stopped === 'aborted'
          ? ' · aborted'
          : stopped === 'unreachable'
            ? ' · gateway unreachable'
            : ' · done';
      emit(text(done, retries, failures, suffix), done);
    },
  };
}
