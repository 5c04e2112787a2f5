/**
 * Debian's classic Jupyter Notebook server (`jupyter-notebook`, 6.4) for browser tests: started
 * on 127.0.0.1 with a random token, the kit's kernelspec on JUPYTER_PATH, a temporary notebook
 * folder holding copies of the kit's notebooks (so saves never touch the committed files), and
 * every other Jupyter folder (config, data, runtime) private to the run. Stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const NOTEBOOK_SERVER = '/usr/bin/jupyter-notebook';

export interface NotebookServer {
  /** `http://127.0.0.1:<port>/` */
  baseUrl: string;
  token: string;
  /** The folder the server serves notebooks from. */
  notebookDir: string;
  /** The server's pid (the process this helper started). */
  pid: number;
  /** URL of a notebook page, token included. */
  notebookUrl(name: string): string;
  /** The server's REST API with the token. */
  api<T>(route: string, init?: RequestInit): Promise<T>;
  /** The server's log so far (stdout and stderr). */
  log(): string;
  /** Shuts every kernel down through the API, then stops the server by pid. */
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Notebook server options for a test: 127.0.0.1 only, this port or none, this token, no browser. */
export function localServerArgs(port: number, token: string): string[] {
  return [
    '--no-browser',
    '--allow-root',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--port-retries=0',
    `--NotebookApp.token=${token}`,
  ];
}

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([
    new Promise<boolean>((resolve) => child.once('exit', () => resolve(true))),
    sleep(ms).then(() => false),
  ]);
}

/**
 * Starts the server and waits (at most `timeoutMs`) until its API answers.
 * @param kitRoot the kit folder: its `.jupyter/` (kernelspec), `dist/` and `node_modules/`.
 * @param notebooks notebook files of the kit to copy into the served folder.
 */
export async function startNotebookServer(
  kitRoot: string,
  notebooks: string[],
  timeoutMs = 60_000,
): Promise<NotebookServer> {
  if (!existsSync(NOTEBOOK_SERVER)) {
    throw new Error(
      `${NOTEBOOK_SERVER} is missing: install Debian's jupyter-notebook package (apt-get install -y jupyter-notebook).`,
    );
  }
  const work = mkdtempSync(path.join(tmpdir(), 'costing-notebook-ui-'));
  const notebookDir = path.join(work, 'notebooks');
  mkdirSync(notebookDir);
  for (const nb of notebooks) copyFileSync(path.join(kitRoot, nb), path.join(notebookDir, nb));
  // The notebooks import './dist'; the kernel resolves it (and tslab's types) from its cwd.
  for (const link of ['dist', 'node_modules'])
    symlinkSync(path.join(kitRoot, link), path.join(notebookDir, link), 'dir');
  for (const d of ['config', 'data', 'runtime']) mkdirSync(path.join(work, d));

  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const logFile = path.join(work, 'server.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(
    NOTEBOOK_SERVER,
    [...localServerArgs(port, token), `--notebook-dir=${notebookDir}`],
    {
      cwd: notebookDir,
      env: {
        ...process.env,
        JUPYTER_PATH: path.join(kitRoot, '.jupyter'),
        JUPYTER_CONFIG_DIR: path.join(work, 'config'),
        JUPYTER_DATA_DIR: path.join(work, 'data'),
        JUPYTER_RUNTIME_DIR: path.join(work, 'runtime'),
        COSTING_DATA_DIR: path.join(work, 'costing-data'),
      },
      stdio: ['ignore', logFd, logFd],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${NOTEBOOK_SERVER} did not start.`);
  const baseUrl = `http://127.0.0.1:${port}/`;
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

  async function api<T>(route: string, init?: RequestInit): Promise<T> {
    const res = await fetch(new URL(route, baseUrl), {
      ...init,
      headers: { Authorization: `token ${token}`, ...(init?.headers ?? {}) },
    });
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${route}: HTTP ${res.status}`);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    try {
      const kernels = await api<{ id: string }[]>('api/kernels');
      for (const k of kernels) await api(`api/kernels/${k.id}`, { method: 'DELETE' });
    } catch {
      // The server is already gone; nothing to shut down through it.
    }
    if (!(await exited(child, 0))) {
      process.kill(pid!, 'SIGTERM');
      if (!(await exited(child, 10_000))) {
        process.kill(pid!, 'SIGKILL');
        await exited(child, 5_000);
      }
    }
    rmSync(work, { recursive: true, force: true });
  }

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${NOTEBOOK_SERVER} exited (${child.exitCode}):\n${log()}`);
    }
    try {
      await api('api/status');
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${NOTEBOOK_SERVER} did not answer within ${timeoutMs} ms:\n${log()}`);
      }
      await sleep(250);
    }
  }
  return {
    baseUrl,
    token,
    notebookDir,
    pid,
    notebookUrl: (name) => `${baseUrl}notebooks/${encodeURIComponent(name)}?token=${token}`,
    api,
    log,
    stop,
  };
}
