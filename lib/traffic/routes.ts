/**
 * The operations the plain traffic calls, relative to each API's base URL. One place, so the
 * traffic and the deployed APIs (policies/, bicep/, the local gateway) agree.
 */

/**
 * The request C1, C2 and C3 send: the costing and Entra ID APIs answer `GET /*` and `POST /*`
 * (bicep/main.bicep), so any path works; `get` mirrors the original sample's operation.
 */
export const STATUS_OPERATION = { method: 'GET', path: 'get' } as const;

/**
 * The token-tracking API's mock AI operation, `POST /deployments/{deploymentId}/chat/completions`
 * (operation `chat-completions-create`, usage 100/200/300 from the mock policy).
 */
export function mockAiOperationPath(deploymentId: string): string {
  return `deployments/${encodeURIComponent(deploymentId)}/chat/completions`;
}

/** Header the costing and Entra ID APIs take the BU subscription key in (APIM's default). */
export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

/** Header the AI APIs (token tracking, AOAI gateway) take it in: the one the OpenAI SDKs send. */
export const AI_SUBSCRIPTION_KEY_HEADER = 'api-key';

/** `base` + `/` + `path` without doubled slashes. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
