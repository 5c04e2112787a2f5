/** The words APIM uses when it answers a request itself, before any backend. */

/** APIM's own error body (`{ statusCode, message }`). */
export function apimErrorBody(status: number, message: string): string {
  return JSON.stringify({ statusCode: status, message });
}

/** The messages APIM uses for its own rejections. */
export const APIM_MESSAGES = {
  missingKey:
    'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  invalidKey:
    'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  notFound: 'Resource not found',
  tooLarge: (max: number) =>
    `Request entity too large. The request body must be at most ${max} bytes.`,
  rateLimited: (seconds: number) => `Rate limit is exceeded. Try again in ${seconds} seconds.`,
  internal: 'Internal server error',
  /** `llm-token-limit` over its tokens-per-minute (429). */
  tokenRateLimited: (seconds: number) =>
    `Token limit is exceeded. Try again in ${seconds} seconds.`,
  /** `llm-token-limit` over its token quota (403); the wait is to the period's end. */
  tokenQuotaExceeded: (seconds: number) =>
    `Token quota is exceeded. Try again in ${new Date(seconds * 1000).toISOString().slice(11, 19)}${seconds >= 86_400 ? ` (${Math.floor(seconds / 86_400)} days)` : ''}.`,
} as const;
