/**
 * Forwarding to the model backend: builds the backend request from the inbound result, sends
 * it over keep-alive HTTP or to an in-process emulator, and passes the answer through as it
 * arrives (SSE included, no buffering), cuts included, while the LLM tap reads it.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { AoaiEmulator } from './aoai-emulator.js';
import { deliverAoaiResponse } from './aoai-http.js';
import type { RouteMatch } from './api-catalog.js';
import { APIM_MESSAGES } from './apim-messages.js';
import { fault, recordFault, sendApimError, type GatewayExchange } from './gateway-exchange.js';
import { HOP_BY_HOP } from './http-headers.js';
import type { InboundResult } from './inbound-steps.js';
import { LlmAnswerTap, llmExchangeOf } from './llm-answer-tap.js';
import { applyHeaderSteps, type CompiledPolicy, type PolicyContext } from './policy-steps.js';

/** What forwarding needs from the gateway. */
export interface ForwarderOptions {
  /** Model backend base URL (the AOAI emulator's `<url>/openai`). */
  backendUrl: string;
  /** The backend as an in-process emulator, called instead of HTTP (same answers). */
  inProcessBackend?: Pick<AoaiEmulator, 'handle'> | undefined;
  /** Called once when the exchange is over (answered, cut or abandoned). */
  finish(ex: GatewayExchange): void;
}

/** One request's forwarding inputs, as the inbound section left them. */
export interface ForwardRequest {
  route: RouteMatch;
  inbound: InboundResult;
  /** The operation's policy (its `on-error` headers go on a backend failure). */
  policy: CompiledPolicy;
  /** Headers the outbound section sets on the answer. */
  outboundHeaders: Record<string, string>;
  ctx: PolicyContext;
  /** Headers `llm-token-limit` adds to the answer, from the usage known when its head goes out. */
  answerHeaders?: ((usage: { total: number } | undefined) => Record<string, string>) | undefined;
}

/** Sends requests to the backend; `close()` drops its kept-alive sockets. */
export interface Forwarder {
  /** Forwards and passes the answer on; resolves when the exchange is over (never rejects). */
  forward(ex: GatewayExchange, request: ForwardRequest): Promise<void>;
  close(): void;
}

const BACKEND_CUT = 'The backend closed the connection before the response was complete.';

/**
 * Creates the forwarder of a gateway.
 * @example const fwd = createForwarder({ backendUrl: aoai.url + '/openai', finish }); await fwd.forward(ex, request);
 */
export function createForwarder(options: ForwarderOptions): Forwarder {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const backend = new URL(options.backendUrl);
  const backendPath = backend.pathname.replace(/\/$/, '');

  function forward(ex: GatewayExchange, request: ForwardRequest): Promise<void> {
    const { res, record } = ex;
    const { route, inbound, outboundHeaders } = request;
    const query = inbound.query.toString();
    const backendPathAndQuery = `${backendPath}${route.operationPath}${query ? `?${query}` : ''}`;
    const target = `${backend.origin}${backendPathAndQuery}`;
    // runInbound's header map is this request's own copy (lower-case names): finish it in place.
    const headers: Record<string, string> = inbound.headers;
    headers.host = backend.host;
    headers['content-length'] = String(inbound.body.length);
    if (inbound.managedIdentityResource)
      headers.authorization = `Bearer emulated-managed-identity-token-for-${inbound.managedIdentityResource}`;
    const sentAt = performance.now();
    record.backend = { url: target, method: record.method, responseCode: undefined, timeMs: 0 };
    const llm = llmExchangeOf(route, inbound);
    const tap = llm ? new LlmAnswerTap(llm) : undefined;

    // The answer's total tokens when known before its head (an in-process JSON answer).
    let knownTotal: number | undefined;
    return new Promise<void>((resolve) => {
      let done = false;
      let stopBackend: () => void = () => undefined;

      const end = (): void => {
        if (done) return;
        done = true;
        if (record.backend) record.backend.timeMs = performance.now() - sentAt;
        if (llm) record.llm = llm;
        options.finish(ex);
        resolve();
      };
      // What both transports report: the head, each body chunk, the end, or a cut.
      const onHead = (
        status: number,
        backendHeaders: Record<string, string | string[] | number>,
      ): void => {
        if (record.backend) record.backend.responseCode = status;
        record.responseCode = status;
        const passHeaders: Record<string, string | string[] | number> = {};
        for (const [k, v] of Object.entries(backendHeaders))
          if (!HOP_BY_HOP.has(k)) passHeaders[k] = v;
        Object.assign(passHeaders, outboundHeaders);
        if (request.answerHeaders)
          Object.assign(
            passHeaders,
            request.answerHeaders(
              status < 300 && knownTotal !== undefined ? { total: knownTotal } : undefined,
            ),
          );
        res.writeHead(status, passHeaders);
        tap?.head(String(backendHeaders['content-type'] ?? ''));
      };
      const onChunk = (chunk: Buffer | string): void => {
        const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        record.responseSize += bytes;
        res.write(chunk);
        tap?.chunk(chunk, bytes);
      };
      const onEnd = (): void => {
        tap?.end();
        res.end();
        end();
      };
      const onCut = (message: string): void => {
        if (done) return;
        const cause = fault(
          'forward-request',
          'BackendConnectionFailure',
          message,
          'api',
          'backend',
        );
        if (!res.headersSent) {
          const errHeaders: Record<string, string> = {};
          applyHeaderSteps(errHeaders, request.policy.onError, request.ctx);
          for (const [k, v] of Object.entries(errHeaders)) res.setHeader(k, v);
          sendApimError(ex, 500, APIM_MESSAGES.internal, cause);
        } else {
          // The backend cut the stream: pass the cut on, as APIM does without buffering.
          recordFault(ex, cause);
          res.destroy();
        }
        end();
      };
      const onClientClose = (): void => {
        if (res.writableFinished || done) return;
        // SDKs hang up as soon as they read the stream's last event ([DONE], response.completed):
        // that is a complete exchange, not a client failure.
        if (!tap?.sawTerminal) {
          // As APIM logs a client that hung up: at forward-request while the backend had not
          // answered (ResponseCode stays 0: no head went out), at transfer-response once the
          // answer had begun (the status already sent is what the row keeps).
          const answering = res.headersSent;
          recordFault(
            ex,
            fault(
              answering ? 'transfer-response' : 'forward-request',
              'ClientConnectionFailure',
              answering
                ? 'The client closed the connection while the response was being sent.'
                : 'The client closed the connection before the backend answered.',
              'api',
              'backend',
            ),
          );
        }
        stopBackend();
        end();
      };
      res.on('close', onClientClose);
      // A client that hung up while the inbound section ran (a short timeout on a busy gateway)
      // is found here, as APIM finds it when it forwards: logged, never sent to the backend.
      if (res.destroyed || res.socket === null || res.socket.destroyed) {
        onClientClose();
        return;
      }

      if (options.inProcessBackend) {
        // The local model backend lives in this process: call it without a loopback HTTP hop.
        const response = options.inProcessBackend.handle({
          method: record.method,
          url: backendPathAndQuery,
          headers,
          body: inbound.body,
        });
        if (response.kind === 'json') {
          tap?.value(response.value);
          knownTotal = totalTokensOf(response.value);
        }
        void deliverAoaiResponse(response, {
          head: (status, h) => onHead(status, h),
          write: (chunk) => onChunk(chunk),
          end: onEnd,
          cut: () => onCut(BACKEND_CUT),
          closed: () => done || res.destroyed,
        }).catch((err: unknown) => onCut(String(err)));
        return;
      }

      const upstream = httpRequest(
        target,
        { method: record.method, headers, agent },
        (backendRes) => {
          const h: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(backendRes.headers)) if (v !== undefined) h[k] = v;
          onHead(backendRes.statusCode ?? 502, h);
          backendRes.on('data', onChunk);
          backendRes.on('end', onEnd);
          backendRes.on('error', () => undefined);
          backendRes.on('aborted', () => onCut(BACKEND_CUT));
        },
      );
      stopBackend = () => upstream.destroy();
      upstream.on('error', (err) => onCut(err.message));
      upstream.end(inbound.body);
    });
  }

  return {
    forward,
    close() {
      agent.destroy();
    },
  };
}

/** `usage.total_tokens` of a Chat Completions or Responses answer, when it has one. */
function totalTokensOf(value: unknown): number | undefined {
  const usage = (value as { usage?: { total_tokens?: unknown } } | null)?.usage;
  return typeof usage?.total_tokens === 'number' ? usage.total_tokens : undefined;
}
