/**
 * A real tslab kernel behind the Jupyter Notebook server, driven as the notebook page drives it:
 * started with the REST API, cells sent over the kernel's WebSocket (Jupyter messaging protocol
 * 5.3), interrupted and restarted with the REST API. Outputs come back shaped like the in-process
 * runner's, so the run-integrity checks read both the same way.
 */
import { randomUUID } from 'node:crypto';
import type { CellOutput, CellRun } from '../../lib/internal/notebook-runner.js';
import type { NotebookServer } from './notebook-server.js';

interface Message {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  channel: string;
  content: Record<string, unknown>;
}

interface Pending {
  outputs: CellOutput[];
  reply: Record<string, unknown> | undefined;
  idle: boolean;
  done: (run: { ok: boolean; outputs: CellOutput[] }) => void;
  fail: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface RealKernel {
  id: string;
  /** Runs code as one cell; rejects after `timeoutMs` without the kernel going idle. */
  execute(code: string, timeoutMs?: number): Promise<CellRun>;
  /** The notebook's Kernel > Interrupt. */
  interrupt(): Promise<void>;
  /** The notebook's Kernel > Restart: a new kernel process; resolves once it answers. */
  restart(): Promise<void>;
  /** Closes the WebSocket and shuts the kernel down. */
  close(): Promise<void>;
}

const join = (v: unknown): string => (Array.isArray(v) ? v.join('') : String(v ?? ''));

/** Starts a tslab kernel in the server's notebook folder and connects to it. */
export async function startRealKernel(server: NotebookServer): Promise<RealKernel> {
  const { id } = await server.api<{ id: string }>('api/kernels', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'tslab' }),
  });
  const session = randomUUID();
  const pending = new Map<string, Pending>();
  let ws: WebSocket;
  let count = 0;

  function settle(msgId: string): void {
    const p = pending.get(msgId);
    if (!p || !p.reply || !p.idle) return;
    pending.delete(msgId);
    clearTimeout(p.timer);
    p.done({ ok: p.reply.status === 'ok', outputs: p.outputs });
  }

  function onMessage(raw: string): void {
    const msg = JSON.parse(raw) as Message;
    const parent = msg.parent_header.msg_id;
    const p = parent === undefined ? undefined : pending.get(parent);
    if (!p || parent === undefined) return;
    const c = msg.content;
    switch (msg.header.msg_type) {
      case 'stream':
        p.outputs.push({
          kind: 'stream',
          name: c.name === 'stderr' ? 'stderr' : 'stdout',
          text: join(c.text),
        });
        break;
      case 'display_data':
      case 'execute_result':
      case 'update_display_data': {
        const data: Record<string, string> = {};
        for (const [k, v] of Object.entries((c.data ?? {}) as Record<string, unknown>))
          data[k] = typeof v === 'string' || Array.isArray(v) ? join(v) : JSON.stringify(v);
        const displayId = (c.transient as { display_id?: string } | undefined)?.display_id;
        p.outputs.push({
          kind: 'display',
          data,
          ...(displayId !== undefined ? { displayId } : {}),
          update: msg.header.msg_type === 'update_display_data',
        });
        break;
      }
      case 'error':
        p.outputs.push({
          kind: 'stream',
          name: 'stderr',
          text: `${join(c.ename)}: ${join(c.evalue)}\n${((c.traceback ?? []) as string[]).join('\n')}`,
        });
        break;
      case 'status':
        if (c.execution_state === 'idle') {
          p.idle = true;
          settle(parent);
        }
        break;
      case 'execute_reply':
        p.reply = c;
        settle(parent);
        break;
    }
  }

  async function connect(): Promise<void> {
    const url = new URL(`api/kernels/${id}/channels?session_id=${session}`, server.baseUrl);
    url.protocol = 'ws:';
    url.searchParams.set('token', server.token);
    ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`WebSocket to kernel ${id} failed`)), {
        once: true,
      });
    });
    ws.addEventListener('message', (e) => onMessage(String(e.data)));
  }

  function send(msgType: string, content: Record<string, unknown>): string {
    const msgId = randomUUID();
    ws.send(
      JSON.stringify({
        header: {
          msg_id: msgId,
          msg_type: msgType,
          username: 'test',
          session,
          date: new Date().toISOString(),
          version: '5.3',
        },
        parent_header: {},
        metadata: {},
        content,
        channel: 'shell',
        buffers: [],
      }),
    );
    return msgId;
  }

  function execute(code: string, timeoutMs = 240_000): Promise<CellRun> {
    const t0 = performance.now();
    count += 1;
    const cellNumber = count;
    return new Promise<CellRun>((resolve, reject) => {
      const msgId = send('execute_request', {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      });
      const timer = setTimeout(() => {
        pending.delete(msgId);
        reject(new Error(`the kernel did not finish a cell within ${timeoutMs} ms: ${code}`));
      }, timeoutMs);
      pending.set(msgId, {
        outputs: [],
        reply: undefined,
        idle: false,
        timer,
        fail: reject,
        done: ({ ok, outputs }) =>
          resolve({
            cellNumber,
            cellId: undefined,
            source: code,
            ok,
            elapsedMs: performance.now() - t0,
            outputs,
          }),
      });
    });
  }

  /** Waits (at most 60 s) until the kernel answers a trivial cell. */
  async function ready(): Promise<void> {
    const end = Date.now() + 60_000;
    for (;;) {
      try {
        const r = await execute('1', 5_000);
        if (r.ok) return;
      } catch (err) {
        if (Date.now() > end) throw err;
      }
      if (Date.now() > end) throw new Error(`kernel ${id} did not answer within 60 s`);
    }
  }

  await connect();
  await ready();
  return {
    id,
    execute,
    async interrupt() {
      await server.api(`api/kernels/${id}/interrupt`, { method: 'POST' });
    },
    async restart() {
      await server.api(`api/kernels/${id}/restart`, { method: 'POST' });
      for (const [msgId, p] of pending) {
        pending.delete(msgId);
        clearTimeout(p.timer);
        p.fail(new Error('the kernel restarted'));
      }
      await ready();
    },
    async close() {
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      ws.close();
      await server.api(`api/kernels/${id}`, { method: 'DELETE' }).catch(() => undefined);
    },
  };
}
