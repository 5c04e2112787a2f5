/**
 * A storage account's Blob service on the fake transport, answering as the Blob REST API says:
 * List Blobs (`GET /<container>?restype=container&comp=list`, XML `EnumerationResults` with
 * `Blobs/Blob/Name` and `Properties`, `NextMarker` paging), Get Blob Properties (`HEAD`, the
 * size in `Content-Length`) and Get Blob (`GET`, `x-ms-range` answered 206 with
 * `Content-Range`), Delete Blob (`DELETE`, 202). Every request must carry a bearer token and
 * `x-ms-version`, else the answer is Storage's 401/400.
 */
import type { FakeAzure, FakeResponse, RecordedRequest } from './fake-azure.js';

/** The fake account: blob name to content, in the container named. */
export interface FakeBlobAccount {
  account: string;
  container: string;
  blobs: Map<string, string>;
  /** Page size of List Blobs (the service's default is 5000). */
  pageSize?: number;
}

const VERSION = '2025-11-05';

function storageError(status: number, code: string, message: string): FakeResponse {
  return {
    status,
    headers: {
      'content-type': 'application/xml',
      'x-ms-error-code': code,
      'x-ms-version': VERSION,
    },
    body: `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

const xml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

const LAST_MODIFIED = 'Tue, 01 Dec 2026 06:00:00 GMT';
const etagOf = (name: string) =>
  `"0x8DD${Buffer.from(name).toString('hex').slice(0, 12).toUpperCase()}"`;

function unauthenticated(r: RecordedRequest): FakeResponse | undefined {
  if (!/^Bearer \S+$/.test(r.headers['authorization'] ?? ''))
    return storageError(
      401,
      'NoAuthenticationInformation',
      'Server failed to authenticate the request.',
    );
  if (r.headers['x-ms-version'] === undefined)
    return storageError(
      400,
      'MissingRequiredHeader',
      'An HTTP header that is mandatory for this request is not specified.',
    );
  return undefined;
}

/** Installs the account's routes; requests to other hosts are left to the other routes. */
export function installBlobRoutes(fake: FakeAzure, store: FakeBlobAccount): void {
  const host = `${store.account}.blob.core.windows.net`;
  const containerPath = new RegExp(`^/${store.container}$`);
  const blobPath = new RegExp(`^/${store.container}/(.+)$`);
  const headers = { 'x-ms-version': VERSION, date: LAST_MODIFIED };
  fake.on('GET', containerPath, (r) => {
    if (r.host !== host) return storageError(404, 'ResourceNotFound', 'Wrong host.');
    const denied = unauthenticated(r);
    if (denied) return denied;
    if (r.query.get('restype') !== 'container' || r.query.get('comp') !== 'list')
      return storageError(
        400,
        'InvalidQueryParameterValue',
        'Value for one of the query parameters specified in the request URI is invalid.',
      );
    const prefix = r.query.get('prefix') ?? '';
    const marker = r.query.get('marker') ?? '';
    const size = Math.min(Number(r.query.get('maxresults') ?? 5000), store.pageSize ?? 5000);
    const names = [...store.blobs.keys()].filter((n) => n.startsWith(prefix) && n > marker).sort();
    const page = names.slice(0, size);
    const next = names.length > size ? page[page.length - 1]! : '';
    const blobs = page
      .map((name) => {
        const length = Buffer.byteLength(store.blobs.get(name)!);
        const type = name.endsWith('.json') ? 'application/json' : 'text/csv';
        return `<Blob><Name>${xml(name)}</Name><Properties><Creation-Time>${LAST_MODIFIED}</Creation-Time><Last-Modified>${LAST_MODIFIED}</Last-Modified><Etag>${etagOf(name)}</Etag><Content-Length>${length}</Content-Length><Content-Type>${type}</Content-Type><Content-Encoding /><Content-Language /><Content-CRC64 /><Content-MD5 /><Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties><OrMetadata /></Blob>`;
      })
      .join('');
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://${host}/" ContainerName="${store.container}">${prefix !== '' ? `<Prefix>${xml(prefix)}</Prefix>` : ''}${marker !== '' ? `<Marker>${xml(marker)}</Marker>` : ''}${r.query.has('maxresults') ? `<MaxResults>${size}</MaxResults>` : ''}<Blobs>${blobs}</Blobs><NextMarker>${xml(next)}</NextMarker></EnumerationResults>`,
    };
  });
  const blobAnswer = (r: RecordedRequest, head: boolean): FakeResponse => {
    const denied = unauthenticated(r);
    if (denied) return denied;
    const name = blobPath.exec(r.path)?.[1] ?? '';
    const text = store.blobs.get(name);
    if (text === undefined)
      return storageError(404, 'BlobNotFound', 'The specified blob does not exist.');
    const bytes = Buffer.from(text, 'utf8');
    const common = {
      ...headers,
      'last-modified': LAST_MODIFIED,
      etag: etagOf(name),
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-creation-time': LAST_MODIFIED,
      'x-ms-lease-state': 'available',
      'x-ms-lease-status': 'unlocked',
      'x-ms-server-encrypted': 'true',
      'accept-ranges': 'bytes',
      'content-type': name.endsWith('.json') ? 'application/json' : 'text/csv',
    };
    if (head)
      return { status: 200, headers: { ...common, 'content-length': String(bytes.length) } };
    const range = /^bytes=(\d+)-(\d*)$/.exec(r.headers['x-ms-range'] ?? r.headers['range'] ?? '');
    if (range === null)
      return {
        status: 200,
        headers: { ...common, 'content-length': String(bytes.length) },
        body: text,
      };
    const start = Number(range[1]);
    const end = Math.min(range[2] === '' ? bytes.length - 1 : Number(range[2]), bytes.length - 1);
    const slice = bytes.subarray(start, end + 1);
    return {
      status: 206,
      headers: {
        ...common,
        'content-length': String(slice.length),
        'content-range': `bytes ${start}-${end}/${bytes.length}`,
      },
      body: slice.toString('utf8'),
    };
  };
  fake.on('HEAD', blobPath, (r) => blobAnswer(r, true));
  fake.on('GET', blobPath, (r) => blobAnswer(r, false));
  fake.on('DELETE', blobPath, (r) => {
    const denied = unauthenticated(r);
    if (denied) return denied;
    const name = blobPath.exec(r.path)?.[1] ?? '';
    if (!store.blobs.delete(name))
      return storageError(404, 'BlobNotFound', 'The specified blob does not exist.');
    return { status: 202, headers: { ...headers, 'x-ms-delete-type-permanent': 'true' } };
  });
}
