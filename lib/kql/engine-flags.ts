/**
 * V8 flags for a process that runs the engine over millions of rows (the notebook kernel, the
 * scale benchmark). They are command-line flags, so the kernelspec starts the kernel with them
 * and the benchmark restarts itself with them.
 *
 * A query's columns are typed arrays, whose memory V8 counts as external. By default every
 * 64 MB of it starts a full marking of the heap, however large the heap is: at 10M rows a
 * query allocates a few GB of columns over a heap of 750 MB (the store's strings), so one
 * query marked that heap some 30 times and the GC cost grew with the square of the rows.
 * Counting external memory in the global limit makes collections proportional to the heap;
 * growing that limit by a quarter over what is live bounds the dead columns kept (measured at
 * 10M rows: the kit's 15 queries 6.0 s against 11.5 s, peak RSS 3.7 GB against 2.8 GB).
 */
export const ENGINE_NODE_FLAGS: readonly string[] = [
  '--external-memory-accounted-in-global-limit',
  '--heap-growing-percent=25',
];

/** The engine flags missing from a process's `execArgv`. */
export function missingEngineFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return ENGINE_NODE_FLAGS.filter((f) => !execArgv.includes(f));
}
