/**
 * UNSIGNED JWTs for simulated Entra ID callers. The gateway policies only read claims (`appid`,
 * then `azp`) to attribute traffic; they never validate a signature. These tokens say so
 * openly: header `alg: none`, an empty signature segment, and a `kit_unsigned` claim. They
 * would be (and must be) rejected by anything that validates tokens.
 */

/** The claims a simulated caller's token carries. */
export interface SimulatedClaims {
  /** The application (client) id: the caller id the policy extracts. */
  appid: string;
  /** Same as `appid` (v2 tokens carry `azp`; the policy falls back to it). */
  azp: string;
  /** Tenant id. */
  tid: string;
  /** Issued at (seconds since the epoch). */
  iat: number;
  /** Expires at (seconds since the epoch). */
  exp: number;
  [claim: string]: string | number | boolean;
}

/** Tenant id put in simulated tokens when none is configured: clearly not a real tenant. */
export const SIMULATED_TENANT_ID = '00000000-0000-0000-0000-000000000000';

function base64Url(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Builds an UNSIGNED JWT (`alg: none`, empty signature) for a simulated caller.
 * @param appId - the caller's application id (`appid` and `azp`).
 * @param options - tenant id, lifetime and clock (tests).
 * @returns `header.payload.` (note the empty third segment).
 * @example const jwt = createUnsignedJwt('22222222-2222-4222-8222-222222222222');
 */
export function createUnsignedJwt(
  appId: string,
  options: { tenantId?: string; lifetimeSeconds?: number; now?: Date } = {},
): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: SimulatedClaims = {
    appid: appId,
    azp: appId,
    tid: options.tenantId ?? SIMULATED_TENANT_ID,
    iat,
    exp: iat + (options.lifetimeSeconds ?? 3600),
    ver: '1.0',
    kit_unsigned: true,
  };
  return `${base64Url({ alg: 'none', typ: 'JWT' })}.${base64Url(claims)}.`;
}

/**
 * Reads the claims of a JWT without validating it (for display and tests only).
 * @returns the payload object, or `undefined` when the token is not three base64url JSON parts.
 */
export function readJwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.replace(/^Bearer\s+/i, '').split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
