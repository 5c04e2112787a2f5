/**
 * Moves the Azure OpenAI emulator's answers onto a wire: the HTTP server on 127.0.0.1 (bounded
 * request bodies), and the delivery of one answer to any sink, which the gateway also uses to
 * call the emulator in process.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { AoaiEmulator } from './aoai-emulator.js';
import { azureError, type AoaiResponse } from './aoai-wire.js';
import { listen, type RunningServer } from './http-listen.js';

/** Where an emulator response is written: an HTTP response, or the gateway's in-process pipe. */
export interface AoaiResponseSink {
  head(status: number, headers: Record<string, string | number>): void;
  write(chunk: string): void;
  end(): void;
  /** Drops the connection (the mid-stream disconnect fault). */
  cut(): void;
  /** Whether the receiver went away. */
  closed(): boolean;
}

/** Options of {@link startAoaiServer}. */
export interface AoaiServerOptions {
  /** Port to listen on; 0 = ephemeral. @default 0 */
  port?: number;
  /** Largest accepted request body; a larger one is answered 413. @unit bytes @default 16 MiB */
  maxBodyBytes?: number;
}

/**
 * Serves an emulator over HTTP on 127.0.0.1 (port 0 = ephemeral).
 * @example const server = await startAoaiServer(aoai, { port: 0 }); // server.url + '/openai'
 */
export async function startAoaiServer(
  emulator: Pick<AoaiEmulator, 'handle'>,
  options: AoaiServerOptions = {},
): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const server = createServer((req, res) => {
    void serve(emulator, req, res, maxBody).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  return listen(server, options.port ?? 0);
}

/**
 * Writes a response as the emulator's server does: after the injected latency, a JSON body in
 * one piece, or SSE events one at a time (yielding between them, as a model's tokens arrive),
 * cut off at `disconnectAfter`.
 * @returns `'cut'` when the stream was cut, else `'complete'` (or `'closed'` if the receiver left).
 */
export async function deliverAoaiResponse(
  response: AoaiResponse,
  sink: AoaiResponseSink,
): Promise<'complete' | 'cut' | 'closed'> {
  if (response.delayMs > 0) await sleep(response.delayMs);
  if (sink.closed()) return 'closed';
  if (response.kind === 'json') {
    sink.head(response.status, {
      ...response.headers,
      'content-length': Buffer.byteLength(response.body),
    });
    sink.write(response.body);
    sink.end();
    return 'complete';
  }
  sink.head(response.status, response.headers);
  for (let i = 0; i < response.events.length; i++) {
    if (response.disconnectAfter !== undefined && i >= response.disconnectAfter) {
      sink.cut();
      return 'cut';
    }
    if (sink.closed()) return 'closed';
    sink.write(response.events[i] as string);
    // The last event and the end go out in one turn: a client that stops at the last event
    // ([DONE], response.completed) must not finish before the gateway has ended and logged the
    // exchange, or a kernel killed in between keeps an outcome whose row was never written.
    if (i < response.events.length - 1) await nextTurn();
  }
  sink.end();
  return 'complete';
}

// --- Internal helpers ---

async function serve(
  emulator: Pick<AoaiEmulator, 'handle'>,
  req: IncomingMessage,
  res: ServerResponse,
  maxBody: number,
): Promise<void> {
  req.on('error', () => res.destroy());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) {
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(azureError('413', 'The request body is too large.')));
      req.destroy();
      return;
    }
    chunks.push(chunk);
  }
  const response = emulator.handle({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: req.headers,
    body: Buffer.concat(chunks),
  });
  await deliverAoaiResponse(response, {
    head: (status, headers) => res.writeHead(status, headers),
    write: (chunk) => {
      res.write(chunk);
    },
    end: () => res.end(),
    cut: () => res.destroy(),
    closed: () => res.destroyed,
  });
}
