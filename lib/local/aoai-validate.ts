/**
 * The Azure OpenAI emulator's request checks, in the order Azure applies them: route, key,
 * api-version, JSON body, model/deployment, then the surface's own body rules. Each rejection is
 * worded as Azure words it.
 */
import type { ModelDeployment } from '../target.js';
import { azureError, invalidRequest, type AoaiRequest } from './aoai-wire.js';

/** The lowest api-versions the emulator serves per surface. */
export const MIN_API_VERSION = { chat: '2024-10-21', responses: '2025-03-01-preview' } as const;

/** The surface a path addresses; chat names its deployment in the path. */
export type AoaiRoute = { surface: 'chat'; deployment: string } | { surface: 'responses' };

/** What {@link parseJsonBody} returns for an empty or unparsable body. */
export const PARSE_FAILED: unique symbol = Symbol('parse-failed');

/** A request that passed every check. */
export interface AcceptedRequest {
  route: AoaiRoute;
  apiVersion: string;
  body: Record<string, unknown>;
  deployment: ModelDeployment;
}

/** The outcome of {@link checkAoaiRequest}: the accepted request, or Azure's error answer. */
export type CheckResult =
  { ok: true; request: AcceptedRequest } | { ok: false; status: number; body: unknown };

/** The request facts the checks read (the body already parsed). */
export interface CheckInput {
  method: string;
  url: URL;
  headers: AoaiRequest['headers'];
  parsedBody: unknown;
}

/**
 * Runs the checks of one request against the deployments (keys are lower-case names).
 * @example const r = checkAoaiRequest({ method, url, headers, parsedBody }, deployments);
 */
export function checkAoaiRequest(
  input: CheckInput,
  deployments: ReadonlyMap<string, ModelDeployment>,
): CheckResult {
  const segments = input.url.pathname.split('/').filter((s) => s !== '');
  const route = matchAoaiPath(segments, input.method);
  if (!route) return reject(404, NOT_FOUND);
  if (!headerValue(input.headers, 'api-key') && !headerValue(input.headers, 'authorization'))
    return reject(401, ACCESS_DENIED);
  const apiVersion = input.url.searchParams.get('api-version');
  if (!apiVersion) return reject(404, NOT_FOUND);
  if (
    !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(apiVersion) ||
    apiVersion < MIN_API_VERSION[route.surface]
  )
    return reject(400, azureError('BadRequest', 'API version not supported'));
  const parsed = input.parsedBody;
  if (
    parsed === PARSE_FAILED ||
    parsed === null ||
    typeof parsed !== 'object' ||
    Array.isArray(parsed)
  )
    return reject(400, invalidRequest(UNPARSABLE_BODY, null));
  const body = parsed as Record<string, unknown>;
  const deploymentName = route.surface === 'chat' ? route.deployment : body.model;
  if (
    route.surface === 'responses' &&
    (typeof deploymentName !== 'string' || deploymentName === '')
  )
    return reject(
      400,
      invalidRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter'),
    );
  const deployment = deployments.get(String(deploymentName).toLowerCase());
  if (!deployment) return reject(404, azureError('DeploymentNotFound', DEPLOYMENT_NOT_FOUND));
  const problem = route.surface === 'chat' ? validateChat(body) : validateResponses(body);
  if (problem) return reject(400, problem);
  return { ok: true, request: { route, apiVersion, body, deployment } };
}

/** Parses a JSON body; {@link PARSE_FAILED} when it is empty or not JSON. */
export function parseJsonBody(body: Uint8Array): unknown {
  if (body.length === 0) return PARSE_FAILED;
  try {
    return JSON.parse(
      Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
    ) as unknown;
  } catch {
    return PARSE_FAILED;
  }
}

// --- Internal helpers ---

const NOT_FOUND = { error: { code: '404', message: 'Resource not found' } };
const ACCESS_DENIED = {
  error: {
    code: '401',
    message:
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  },
};
const UNPARSABLE_BODY =
  'We could not parse the JSON body of your request. The API expects a JSON object as the body; check that the body is valid JSON and that Content-Type is application/json.';
const DEPLOYMENT_NOT_FOUND =
  'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.';

function reject(status: number, body: unknown): CheckResult {
  return { ok: false, status, body };
}

function matchAoaiPath(segments: string[], method: string): AoaiRoute | undefined {
  if (method.toUpperCase() !== 'POST' || segments[0] !== 'openai') return undefined;
  if (
    segments.length === 5 &&
    segments[1] === 'deployments' &&
    segments[3] === 'chat' &&
    segments[4] === 'completions'
  ) {
    try {
      return { surface: 'chat', deployment: decodeURIComponent(segments[2] as string) };
    } catch {
      return undefined;
    }
  }
  if (segments.length === 2 && segments[1] === 'responses') return { surface: 'responses' };
  return undefined;
}

function headerValue(headers: AoaiRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function validateChat(body: Record<string, unknown>): unknown {
  const messages = body.messages;
  if (messages === undefined)
    return invalidRequest("'messages' is a required property", 'messages');
  if (!Array.isArray(messages)) return invalidType('messages', 'an array', messages);
  if (messages.length === 0) return invalidRequest("[] is too short - 'messages'", 'messages');
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as unknown;
    if (
      m === null ||
      typeof m !== 'object' ||
      typeof (m as Record<string, unknown>).role !== 'string'
    ) {
      return invalidRequest(
        `Invalid value for 'messages[${i}]': each message needs a string 'role'.`,
        `messages[${i}]`,
        'invalid_value',
      );
    }
    const content = (m as Record<string, unknown>).content;
    if (
      content !== undefined &&
      content !== null &&
      typeof content !== 'string' &&
      !Array.isArray(content)
    ) {
      return invalidRequest(
        `Invalid type for 'messages[${i}].content': expected a string or an array of content parts.`,
        `messages[${i}].content`,
        'invalid_type',
      );
    }
  }
  for (const field of ['max_completion_tokens', 'max_tokens']) {
    const v = body[field];
    if (v !== undefined && v !== null && (!Number.isInteger(v) || (v as number) < 1)) {
      return invalidRequest(
        `Invalid '${field}': expected an integer of 1 or more.`,
        field,
        'invalid_value',
      );
    }
  }
  return validateStream(body);
}

function validateResponses(body: Record<string, unknown>): unknown {
  const input = body.input;
  if (input === undefined || input === null)
    return invalidRequest(
      "Missing required parameter: 'input'.",
      'input',
      'missing_required_parameter',
    );
  if (typeof input !== 'string' && !Array.isArray(input))
    return invalidType('input', 'a string or an array', input);
  const max = body.max_output_tokens;
  if (max !== undefined && max !== null && (!Number.isInteger(max) || (max as number) < 16)) {
    return invalidRequest(
      `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${JSON.stringify(max)} instead.`,
      'max_output_tokens',
      'integer_below_min_value',
    );
  }
  return validateStream(body);
}

/** Both surfaces take an optional boolean `stream`. */
function validateStream(body: Record<string, unknown>): unknown {
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    return invalidType('stream', 'a boolean', body.stream);
  return undefined;
}

function invalidType(field: string, expected: string, got: unknown): unknown {
  return invalidRequest(
    `Invalid type for '${field}': expected ${expected}, but got ${typeName(got)} instead.`,
    field,
    'invalid_type',
  );
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
