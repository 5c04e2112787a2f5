/**
 * Environment for a process that runs the engine over millions of rows (the notebook kernel,
 * the scale benchmark): set when the process starts, since the C library reads it only then.
 *
 * Each query allocates its columns afresh as typed arrays. Past glibc's mmap ceiling (32 MB: a
 * 4M-row Float64Array) every such buffer is a new mapping the kernel zeroes page by page and
 * unmaps on free, so at 10M rows a query spends a fifth of its time in page faults (13.7 s of
 * system time for the kit's queries run four times, against 7.3 s with this). Keeping freed
 * memory in the heap (no mmap, no trim) lets the next query's buffers reuse it. The heap then
 * stays at its peak (3.2 GB against 2.8 GB at 10M rows); other C libraries ignore the variable.
 */
export const ENGINE_PROCESS_ENV: Readonly<Record<string, string>> = {
  GLIBC_TUNABLES: 'glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=4294967295',
};

/** Whether this process was started with {@link ENGINE_PROCESS_ENV}. */
export function hasEngineProcessEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return Object.entries(ENGINE_PROCESS_ENV).every(([k, v]) => env[k] === v);
}
