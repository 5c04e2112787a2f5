/**
 * A fake HTTP transport for the Azure SDK clients: every request is recorded (method, path,
 * api-version, parsed body) and answered by the first matching route with a response shaped
 * like the real service's. Unmatched requests get a 418 and are listed in `unexpected`.
 */
import {
  createHttpHeaders,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  /** Host, e.g. `management.azure.com`. */
  host: string;
  /** URL path, decoded. */
  path: string;
  apiVersion: string | null;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** The JSON body, parsed (undefined when none). */
  body: unknown;
}

/** What a route answers. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (request: RecordedRequest, call: number) => FakeResponse;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  calls: number;
}

export class FakeAzure implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  readonly unexpected: string[] = [];
  private readonly routes: Route[] = [];

  /** Adds a route; later routes win over earlier ones, so a test can override a default. */
  on(method: string, pattern: RegExp, answer: Handler | FakeResponse): this {
    const handler: Handler = typeof answer === 'function' ? answer : () => answer;
    this.routes.unshift({ method, pattern, handler, calls: 0 });
    return this;
  }

  /** Requests whose method and path match. */
  find(method: string, pattern: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path));
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name.toLowerCase()] = value;
    let body: unknown = undefined;
    // The Logs Ingestion client sends its JSON gzipped (Content-Encoding: gzip), as a Buffer.
    const raw =
      request.body instanceof Uint8Array
        ? headers['content-encoding'] === 'gzip'
          ? gunzipSync(request.body).toString('utf8')
          : Buffer.from(request.body).toString('utf8')
        : request.body;
    if (typeof raw === 'string' && raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const recorded: RecordedRequest = {
      method: request.method,
      host: url.host,
      path: decodeURIComponent(url.pathname),
      apiVersion: url.searchParams.get('api-version'),
      query: url.searchParams,
      headers,
      body,
    };
    this.requests.push(recorded);
    const route = this.routes.find(
      (r) => r.method === request.method && r.pattern.test(recorded.path),
    );
    let answer: FakeResponse;
    if (route === undefined) {
      this.unexpected.push(`${request.method} ${recorded.path}`);
      answer = {
        status: 418,
        body: {
          error: {
            code: 'UnexpectedRequest',
            message: `No fake route for ${request.method} ${recorded.path}`,
          },
        },
      };
    } else {
      route.calls += 1;
      answer = route.handler(recorded, route.calls);
    }
    const text =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body);
    const responseHeaders = createHttpHeaders({
      ...(text !== '' ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'x-ms-request-id': `req-${this.requests.length}`,
      ...answer.headers,
    });
    // As Node's transport does: a status the client asked to stream (blob downloads) comes as a stream.
    if (request.streamResponseStatusCodes?.has(answer.status) === true)
      return {
        request,
        status: answer.status,
        headers: responseHeaders,
        readableStreamBody: Readable.from([Buffer.from(text, 'utf8')]),
      };
    return { request, status: answer.status, headers: responseHeaders, bodyAsText: text };
  }
}

/** A credential that hands out a fixed token and counts the calls. */
export class FakeCredential implements TokenCredential {
  scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

/** ARM's error body. */
export function armError(
  status: number,
  code: string,
  message: string,
  details?: { code: string; message: string }[],
): FakeResponse {
  return {
    status,
    body: { error: { code, message, ...(details !== undefined ? { details } : {}) } },
  };
}
