import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { listBucketObjects } from './list-bucket-objects.ts';
import { createS3Client } from './s3-client.ts';

/**
 * Exactness of the range splitting over generated trees: folders with and without their own
 * marker key, files sorting between one folder and the next (`a.x` < `a/` < `a0` < `a0/`),
 * non-ASCII names, folders of up to a hundred files. Served by a small ListObjectsV2 fake on
 * 127.0.0.1 that answers some requests with SlowDown, so retries resume mid-range. (The Ceph
 * suite checks the same against a real server on fixed key sets.)
 */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}

function generateKeys(seed: number): string[] {
  const next = random(seed);
  const names = ['a', 'b', 'a0', 'a.', 'ab', 'x', 'é', '😀', 'z', 'a-', '0', 'photos', 'IMG_'];
  const keys = new Set<string>();
  const grow = (depth: number, folder: string): void => {
    const count = Math.floor(next() * (depth === 0 ? 16 : 10));
    for (let i = 0; i < count; i++) {
      const name = (names[Math.floor(next() * names.length)] ?? 'a') + (next() < 0.5 ? String(Math.floor(next() * 30)) : '');
      const kind = next();
      if (kind < 0.25 && depth < 4) {
        if (next() < 0.5) keys.add(`${folder}${name}/`);
        grow(depth + 1, `${folder}${name}/`);
      } else if (kind < 0.35) {
        const files = Math.floor(next() * 120);
        for (let j = 0; j < files; j++) keys.add(`${folder}${name}/f${String(j).padStart(4, '0')}`);
      } else {
        keys.add(folder + name);
      }
    }
  };
  grow(0, '');
  return [...keys].sort(compareS3Keys);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** ListObjectsV2 over `keys.current`: prefix, delimiter, start-after, max-keys, continuation tokens. */
function startFakeServer(keys: { current: string[] }): Promise<{ server: Server; endpoint: string }> {
  const firstAbove = (key: string, inclusive: boolean): number => {
    const list = keys.current;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareS3Keys(list[middle] ?? '', key);
      if (order < 0 || (!inclusive && order === 0)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    if (requests % 53 === 0) {
      response.writeHead(503, { 'content-type': 'application/xml' });
      response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    const list = keys.current;
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const prefix = url.searchParams.get('prefix') ?? '';
    const delimiter = url.searchParams.get('delimiter') ?? '';
    const maxKeys = Math.min(1000, Number(url.searchParams.get('max-keys') ?? 1000));
    const token = url.searchParams.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (url.searchParams.get('start-after') ?? '');
    let index = Math.max(after === '' ? 0 : firstAbove(after, false), firstAbove(prefix, true));
    const contents: string[] = [];
    const folders: string[] = [];
    let last = '';
    let truncated = false;
    while (index < list.length) {
      const key = list[index] ?? '';
      if (!key.startsWith(prefix)) break;
      if (contents.length + folders.length >= maxKeys) {
        truncated = true;
        break;
      }
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut >= 0) {
        const folder = key.slice(0, cut + delimiter.length);
        folders.push(`<CommonPrefixes><Prefix>${escapeXml(folder)}</Prefix></CommonPrefixes>`);
        last = `${folder}\u{10ffff}`;
        index = firstAbove(last, false);
        continue;
      }
      contents.push(`<Contents><Key>${escapeXml(key)}</Key><LastModified>2026-01-15T10:00:00.000Z</LastModified><ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size></Contents>`);
      last = key;
      index++;
    }
    const body =
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>${escapeXml(prefix)}</Prefix><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>` : '') +
      contents.join('') +
      folders.join('') +
      '</ListBucketResult>';
    // Answers arrive out of order, as they do from a real server under load.
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    }, requests % 5);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
    });
  });
}

describe('listBucketObjects over generated trees', () => {
  const keys = { current: [] as string[] };
  let server: Server;
  let endpoint = '';

  beforeAll(async () => {
    ({ server, endpoint } = await startFakeServer(keys));
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const seeds = [3, 11, 14, 58];
  it.each(seeds)('lists every key of tree %i exactly once, in order, at several page sizes and prefixes', async (seed) => {
    keys.current = generateKeys(seed);
    const client = createS3Client({ endpoint, accessKeyId: 'CGFAKEACCESSKEY00001', secretAccessKey: 'cg-fake-secret-not-a-real-key' }, { maxAttempts: 1 });
    try {
      for (const [pageSize, concurrency] of [
        [7, 4],
        [50, 16],
        [1000, 16],
      ] as const) {
        for (const prefix of [undefined, 'a', 'a0/']) {
          const expected = prefix === undefined ? keys.current : keys.current.filter((key) => key.startsWith(prefix));
          const listed: string[] = [];
          for await (const entry of listBucketObjects({ client, bucket: 'b', pageSize, concurrency, prefix, maxPageAttempts: 20 })) listed.push(entry.key);
          expect(listed, `page size ${pageSize}, concurrency ${concurrency}, prefix ${prefix}`).toEqual(expected);
        }
      }
    } finally {
      client.destroy();
    }
  }, 60_000);
});
