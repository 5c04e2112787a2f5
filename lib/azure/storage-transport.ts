/**
 * The injected transport for `@azure/storage-blob`: its pipeline takes the older core-http
 * `RequestPolicy` shape as `httpClient` (StoragePipelineOptions), not core-rest-pipeline's
 * `HttpClient` the other SDK clients take. This adapter turns one into the other, so a test's
 * fake transport (and anyone's own transport) sees the blob requests too.
 */
import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
} from '@azure/core-rest-pipeline';
import { toCompatResponse } from '@azure/core-http-compat';
import type { IHttpClient, WebResource } from '@azure/storage-blob';

/** Storage's `httpClient` option made from a core-rest-pipeline transport. */
export function storageHttpClient(httpClient: HttpClient): IHttpClient {
  return {
    async sendRequest(resource: WebResource) {
      const request = createPipelineRequest({
        url: resource.url,
        method: resource.method as HttpMethods,
        headers: createHttpHeaders(resource.headers.toJson({ preserveCase: true })),
        ...(resource.body !== undefined ? { body: resource.body } : {}),
        ...(resource.abortSignal !== undefined ? { abortSignal: resource.abortSignal } : {}),
        ...(resource.streamResponseStatusCodes !== undefined
          ? { streamResponseStatusCodes: resource.streamResponseStatusCodes }
          : {}),
        ...(resource.timeout !== undefined ? { timeout: resource.timeout } : {}),
      });
      // The answer must point at Storage's own request (`resource`): its deserializer finds the
      // operation (XML List Blobs, download headers) through it.
      return { ...toCompatResponse(await httpClient.sendRequest(request)), request: resource };
    },
  };
}
