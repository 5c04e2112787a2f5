/**
 * The kernel's environment (lib/artifacts/kernel-env.ts): glibc takes its malloc settings as
 * written: a misspelt tunable is ignored without a word, so ld.so is asked what it read.
 * (test/jupyter/jupyter.test.ts checks that the kernelspec carries them.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNEL_ENV } from '../../lib/artifacts/kernel-env.js';

const LD_SO = '/lib64/ld-linux-x86-64.so.2';

describe('the kernel environment', () => {
  it.runIf(existsSync(LD_SO))('sets malloc tunables this glibc reads back', () => {
    const r = spawnSync(LD_SO, ['--list-tunables'], {
      encoding: 'utf8',
      env: { ...KERNEL_ENV },
    });
    expect(r.status).toBe(0);
    const value = (name: string) =>
      Number(new RegExp(`^glibc\\.malloc\\.${name}: (0x[0-9a-f]+)`, 'm').exec(r.stdout)?.[1]);
    expect(value('mmap_threshold')).toBe(512 * 1024 * 1024);
    expect(value('trim_threshold')).toBe(1024 * 1024 * 1024);
  });
});
