/**
 * A ListObjectsV2 server on 127.0.0.1 for a synthetic key space of any size (a million keys
 * without a million PUTs): prefix, delimiter, start-after, max-keys and continuation tokens,
 * answered with the XML S3 sends. Keys are computed from their index, in S3 order, so nothing is
 * stored. Signatures are not checked. Only for measuring a client's memory and speed.
 */
import { createServer } from 'node:http';
import { compareS3Keys } from '../../shared/s3-key-order.ts';

export interface ListSimulatorOptions {
  readonly keys: number;
  /** Objects per folder: `dir-0000/file-0000000.bin`. Default 1000. */
  readonly perFolder?: number;
  /** Objects whose size and ETag differ from the unchanged listing (a bucket after a sync changed them). */
  readonly changed?: (index: number) => boolean;
}

export interface ListSimulator {
  readonly endpoint: string;
  readonly bucket: string;
  readonly stats: { requests: number };
  /** The i-th key in S3 order. */
  keyAt(index: number): string;
  /** The i-th object as the unchanged listing shows it. */
  objectAt(index: number): { readonly key: string; readonly size: number; readonly etag: string };
  close(): Promise<void>;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function startListSimulator(options: ListSimulatorOptions): Promise<ListSimulator> {
  const count = options.keys;
  const perFolder = options.perFolder ?? 1000;
  const bucket = 'simulated';
  const keyAt = (index: number): string => `dir-${String(Math.floor(index / perFolder)).padStart(4, '0')}/file-${String(index).padStart(7, '0')}.bin`;
  /** First index whose key is greater than `key` (or ≥ when `inclusive`). */
  const lowerBound = (key: string, inclusive: boolean): number => {
    let low = 0;
    let high = count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareS3Keys(keyAt(middle), key);
      if (order < 0 || (!inclusive && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const stats = { requests: 0 };
  const objectAt = (index: number): { key: string; size: number; etag: string } => {
    const key = keyAt(index);
    return { key, size: index % 5000, etag: Buffer.from(key).toString('hex').slice(-32).padStart(32, '0') };
  };
  const modified = '2026-01-15T10:00:00.000Z';

  const server = createServer((request, response) => {
    stats.requests++;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
    if (path !== bucket || url.searchParams.get('list-type') !== '2') {
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${path === bucket ? 'NotImplemented' : 'NoSuchBucket'}</Code><Message>Only ListObjectsV2 on ${bucket}</Message></Error>`;
      response.writeHead(path === bucket ? 501 : 404, { 'content-type': 'application/xml' });
      response.end(body);
      return;
    }
    const prefix = url.searchParams.get('prefix') ?? '';
    const delimiter = url.searchParams.get('delimiter') ?? '';
    const maxKeys = Math.min(1000, Math.max(0, Number(url.searchParams.get('max-keys') ?? 1000)));
    const token = url.searchParams.get('continuation-token');
    const startAfter = url.searchParams.get('start-after') ?? '';
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : startAfter;
    let index = Math.max(after === '' ? 0 : lowerBound(after, false), lowerBound(prefix, true));
    const contents: string[] = [];
    const prefixes: string[] = [];
    let last = '';
    let truncated = false;
    while (index < count) {
      const key = keyAt(index);
      if (!key.startsWith(prefix)) break;
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const common = key.slice(0, cut + delimiter.length);
        prefixes.push(`<CommonPrefixes><Prefix>${escapeXml(common)}</Prefix></CommonPrefixes>`);
        // Resume after every key under it (no key contains U+10FFFF).
        last = `${common}\u{10ffff}`;
        // Skip every key under this common prefix.
        index = lowerBound(`${common}\u{10ffff}`, false);
        continue;
      }
      const object = objectAt(index);
      const changed = options.changed?.(index) === true;
      const etag = changed ? `${object.etag.slice(0, 31)}${object.etag.endsWith('f') ? '0' : 'f'}` : object.etag;
      const size = changed ? object.size + 1 : object.size;
      contents.push(
        `<Contents><Key>${escapeXml(key)}</Key><LastModified>${modified}</LastModified><ETag>&quot;${etag}&quot;</ETag><Size>${size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
      last = key;
      index++;
    }
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>' +
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
      (startAfter ? `<StartAfter>${escapeXml(startAfter)}</StartAfter>` : '') +
      (token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '') +
      `<KeyCount>${contents.length + prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
      (delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : '') +
      `<IsTruncated>${truncated}</IsTruncated>` +
      (truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '') +
      contents.join('') +
      prefixes.join('') +
      '</ListBucketResult>';
    response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    stats,
    keyAt,
    objectAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
