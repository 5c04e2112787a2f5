/**
 * Turns what the Azure SDKs throw into `KitError`s that say what is wrong and what to do, in one
 * or two lines, instead of a stack trace.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import {
  AzureDeploymentError,
  AzurePreflightError,
  AzureRequestError,
  KitError,
  TargetUnavailableError,
  type DeploymentFailure,
} from '../errors.js';

export { AzureDeploymentError, AzurePreflightError, AzureRequestError, type DeploymentFailure };

/** The one line that tells the user how to sign in. */
export const SIGN_IN_HINT =
  'No Azure credentials found: run `az login` (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET), then run cell A2 again.';

/** ARM's error body: `{ error: { code, message, details[] } }`. */
export interface ArmErrorBody {
  code: string;
  message: string;
  details?: ArmErrorBody[];
}

/** Status and ARM error of an SDK error, when it has them. */
export function armErrorOf(error: unknown): {
  statusCode: number | undefined;
  body: ArmErrorBody | undefined;
} {
  if (!isRestError(error)) return { statusCode: undefined, body: undefined };
  const parsed = parseArmError(error.details) ?? parseArmError(bodyText(error));
  return {
    statusCode: error.statusCode,
    body:
      parsed ??
      (error.code !== undefined ? { code: error.code, message: error.message } : undefined),
  };
}

/** Whether an SDK error is an HTTP status (e.g. 404), for "already gone" and "not found" branches. */
export function hasStatus(error: unknown, status: number): boolean {
  return isRestError(error) && error.statusCode === status;
}

/** Whether the credential chain found no way to sign in. */
export function isCredentialError(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return (
    name === 'CredentialUnavailableError' ||
    name === 'AggregateAuthenticationError' ||
    name === 'AuthenticationRequiredError'
  );
}

/**
 * Rethrows an SDK error as a {@link KitError} that names the action and says what to do.
 * @param action - what the kit was doing, e.g. `listing the keys of subscription bu-hr`.
 */
export function toKitError(error: unknown, action: string): KitError {
  if (error instanceof KitError) return error;
  if (isCredentialError(error)) return new TargetUnavailableError(SIGN_IN_HINT, { cause: error });
  const { statusCode, body } = armErrorOf(error);
  const arm =
    body !== undefined
      ? `${body.code}: ${body.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  if (statusCode === 429) {
    return new AzureRequestError(
      `Azure is throttling requests (429) while ${action}, and the SDK's retries did not get through: ${arm}. Wait a minute and run the cell again.`,
      statusCode,
      body?.code,
      { cause: error },
    );
  }
  if (statusCode === 401) {
    return new AzureRequestError(
      `Azure refused the sign-in while ${action} (401): ${arm}. ${SIGN_IN_HINT}`,
      statusCode,
      body?.code,
      { cause: error },
    );
  }
  if (statusCode === 403) {
    return new AzureRequestError(
      `Not allowed while ${action} (403): ${arm}. Ask for the role this step needs (see the README prerequisites) or use another account.`,
      statusCode,
      body?.code,
      { cause: error },
    );
  }
  return new AzureRequestError(
    `Azure request failed while ${action}${statusCode !== undefined ? ` (${statusCode})` : ''}: ${arm}`,
    statusCode,
    body?.code,
    { cause: error },
  );
}

function bodyText(error: { response?: { bodyAsText?: string | null } }): string | undefined {
  return error.response?.bodyAsText ?? undefined;
}

/** ARM's `{ error: { code, message, details } }` (or the inner object) from a body or its text. */
export function parseArmError(value: unknown): ArmErrorBody | undefined {
  let data: unknown = value;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return undefined;
    }
  }
  if (data === null || typeof data !== 'object') return undefined;
  const inner = (data as { error?: unknown }).error ?? data;
  if (inner === null || typeof inner !== 'object') return undefined;
  const { code, message, details } = inner as {
    code?: unknown;
    message?: unknown;
    details?: unknown;
  };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  const nested = Array.isArray(details)
    ? details.map(parseArmError).filter((d): d is ArmErrorBody => d !== undefined)
    : undefined;
  return nested !== undefined && nested.length > 0
    ? { code, message, details: nested }
    : { code, message };
}

/** ARM error with its details flattened into one line. */
export function describeArmError(body: ArmErrorBody): string {
  const details = (body.details ?? []).map(describeArmError);
  return details.length > 0
    ? `${body.code}: ${body.message} (${details.join('; ')})`
    : `${body.code}: ${body.message}`;
}
