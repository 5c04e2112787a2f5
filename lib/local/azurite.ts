/**
 * Azurite, the Azure Storage emulator (npm `azurite`), as the local target's storage account:
 * its blob service in a child process on 127.0.0.1 (a free port), its data under
 * `<dataDir>/azurite/`, one account named as the deployment's storage account. Started on first
 * use, stopped by pid with the other emulators (and when the kernel exits).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire, getCompileCacheDir } from 'node:module';
import * as path from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { LocalEmulatorError } from '../errors.js';

/** A running Azurite blob service. */
export interface RunningAzurite {
  /** `http://127.0.0.1:<port>/<account>` */
  url: string;
  accountName: string;
  pid: number;
  /** A client for the account (shared key, as Azurite wants it). */
  client: BlobServiceClient;
  close(): Promise<void>;
}

/** The account key Azurite is given: derived from the name, so a restarted Azurite keeps its data readable. */
export function azuriteAccountKey(accountName: string): string {
  return createHash('sha512').update(`azurite:${accountName}`).digest('base64');
}

/**
 * Starts Azurite's blob service.
 * @param options.timeoutMs - how long to wait for it to listen. @default 20000
 * @throws LocalEmulatorError when it does not start (its output is in the message).
 */
export async function startAzurite(options: {
  dataDir: string;
  accountName: string;
  timeoutMs?: number;
}): Promise<RunningAzurite> {
  const location = path.join(options.dataDir, 'azurite');
  mkdirSync(location, { recursive: true });
  const main = createRequire(__filename).resolve('azurite/dist/src/blob/main.js');
  const key = azuriteAccountKey(options.accountName);
  const child = spawn(
    process.execPath,
    [
      main,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--location',
      location,
      '--disableTelemetry',
      '--skipApiVersionCheck',
    ],
    {
      env: {
        ...process.env,
        AZURITE_ACCOUNTS: `${options.accountName}:${key}`,
        // This process's V8 code cache, when it has one: Azurite then boots in about 1 s, not 1.5.
        ...compileCacheEnv(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stopOnExit = (): void => {
    child.kill();
  };
  process.once('exit', stopOnExit);
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`did not listen within ${options.timeoutMs ?? 20_000} ms`),
      options.timeoutMs ?? 20_000,
    );
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill();
      reject(
        new LocalEmulatorError(
          `Azurite (the local storage emulator) ${why}. Its output: ${output.trim().slice(-500) || '(none)'}. Check that \`npm ci\` installed the azurite package and run the cell again.`,
        ),
      );
    }
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const m = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => fail(`could not start (${e.message})`));
    child.once('exit', (code) => fail(`exited with code ${code}`));
  });
  child.removeAllListeners('exit');
  // The kernel must be able to exit with Azurite still running: the exit hook stops it.
  child.unref();
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  const url = `http://127.0.0.1:${port}/${options.accountName}`;
  const client = new BlobServiceClient(
    url,
    new StorageSharedKeyCredential(options.accountName, key),
  );
  return {
    url,
    accountName: options.accountName,
    pid: child.pid ?? -1,
    client,
    close: () => stopChild(child, stopOnExit),
  };
}

function compileCacheEnv(): { NODE_COMPILE_CACHE?: string } {
  const dir = typeof getCompileCacheDir === 'function' ? getCompileCacheDir() : undefined;
  return dir ? { NODE_COMPILE_CACHE: dir } : {};
}

function stopChild(child: ChildProcess, hook: () => void): Promise<void> {
  process.removeListener('exit', hook);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // Held while it stops: with the child and the timer unref'd, a script awaiting close()
    // would otherwise end with the promise never settled.
    child.ref();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Azurite started on the first `get()` or `warm()` (a failed start is retried on the next
 * `get()`), stopped by `stop()`.
 */
export function lazyAzurite(options: { dataDir: string; accountName: string }): {
  get: () => Promise<RunningAzurite>;
  /** Starts it in the background; a failure is reported by the next `get()`, not here. */
  warm: () => void;
  stop: () => Promise<void>;
} {
  let running: Promise<RunningAzurite> | undefined;
  const get = (): Promise<RunningAzurite> => {
    running ??= startAzurite(options).catch((err: unknown) => {
      running = undefined;
      throw err;
    });
    return running;
  };
  return {
    get,
    warm: () => {
      get().catch(() => undefined);
    },
    async stop() {
      const r = running;
      running = undefined;
      if (r) await (await r.catch(() => undefined))?.close();
    },
  };
}
