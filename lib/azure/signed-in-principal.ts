/**
 * Who is signed in, read from the claims of an ARM access token (`oid`, `idtyp`): the deployment
 * grants that principal Monitoring Metrics Publisher on the allocation's data collection rule,
 * so cell E4 can upload with the same sign-in. No Graph call: the token already says it.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { SignedInPrincipal } from './preflight.js';

const ARM_SCOPE = 'https://management.azure.com/.default';

/** The claims of a JWT's payload, or `undefined` when the token is not a JWT. */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object'
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in principal; `{ id: '' }` when the token carries no object id (the deployment then
 * makes no role assignment and E4 says which role to grant).
 */
export async function signedInPrincipal(
  credential: TokenCredential,
  signal?: AbortSignal,
): Promise<SignedInPrincipal> {
  const token = await credential.getToken(ARM_SCOPE, signal ? { abortSignal: signal } : {});
  const claims = token === null ? undefined : tokenClaims(token.token);
  const oid = claims?.['oid'];
  if (typeof oid !== 'string' || !/^[0-9a-f-]{36}$/i.test(oid)) return { id: '', type: 'User' };
  // `idtyp` is `app` in app-only tokens (a service principal signed in), absent or `user` otherwise.
  return { id: oid, type: claims?.['idtyp'] === 'app' ? 'ServicePrincipal' : 'User' };
}
