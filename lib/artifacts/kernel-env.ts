/**
 * The environment the kit's kernelspec gives the tslab kernel (`scripts/kernel.mjs` writes it;
 * the scale bench runs each size under it, so it measures what a notebook's kernel gets).
 *
 * glibc malloc: a 10M-row column is an 80 MB typed array, above glibc's highest automatic mmap
 * threshold (32 MB), so each one was fresh pages from the operating system, faulted in one by
 * one and zeroed, about 2 µs a page on this VM. At 10M gateway rows, a round of the 15 kql/
 * queries took about 500,000 page faults. Served from the heap and kept after `free`, the
 * round took about 75,000 and ran 15% faster (7.8 s against 6.6 s, alternating runs); 1M rows
 * ran a few percent faster; peak RSS rose by about 250 MB at 10M rows and 50 MB at 1M. Other C
 * libraries ignore the variable. It replaces a GLIBC_TUNABLES the Jupyter server itself has.
 */
export const KERNEL_ENV: Readonly<Record<string, string>> = {
  GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=536870912:glibc.malloc.trim_threshold=1073741824',
};
