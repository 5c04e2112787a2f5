/**
 * Listening on 127.0.0.1 for the local emulators (the gateway and the Azure OpenAI server share
 * it), with a close that also ends kept-alive connections.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running emulator server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (port 0 = ephemeral) and returns the URL and an idempotent close.
 * The server and every connection it accepts are unref'd: an emulator must not keep a process
 * alive once its own work is done (Jupyter waits for a kernel's event loop to drain before it
 * kills it). A request in flight is still held by its client's socket.
 * @example const running = await listen(createServer(handler), 0); await running.close();
 */
export async function listen(server: Server, port: number): Promise<RunningServer> {
  server.on('connection', (socket) => socket.unref());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
