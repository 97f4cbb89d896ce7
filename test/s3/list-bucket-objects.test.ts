import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBucketObjects, type ListProgress } from '../../companion/src/s3/list-bucket-objects.ts';
import type { InventoryEntry } from '../../shared/inventory.ts';
import { createBucket, flatKeys, hostileKeys, nestedKeys, putKeys, sortByUtf8, testClient } from './s3-fixtures.ts';

async function collect(iterable: AsyncIterable<InventoryEntry>): Promise<InventoryEntry[]> {
  const entries: InventoryEntry[] = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

describe('listBucketObjects against Ceph RGW', () => {
  let client: S3Client;
  let hostileBucket: string;
  let nestedBucket: string;
  let flatBucket: string;
  const hostile = hostileKeys();
  const nested = nestedKeys();
  const flat = flatKeys(3000);

  beforeAll(async () => {
    client = testClient();
    hostileBucket = await createBucket(client, 'hostile');
    nestedBucket = await createBucket(client, 'nested');
    flatBucket = await createBucket(client, 'flat');
    await Promise.all([putKeys(client, hostileBucket, hostile), putKeys(client, nestedBucket, [...nested, ...hostile]), putKeys(client, flatBucket, flat)]);
  });
  afterAll(() => client.destroy());

  it.each([
    [1, 1],
    [1, 16],
    [7, 4],
    [1000, 16],
  ])('hostile keys: exact and in UTF-8 byte order at MaxKeys %i, concurrency %i', async (pageSize, concurrency) => {
    const entries = await collect(listBucketObjects({ client, bucket: hostileBucket, pageSize, concurrency }));
    expect(entries.map((entry) => entry.key)).toEqual(sortByUtf8(hostile));
  });

  it.each([
    [7, 16],
    [1000, 16],
    [1000, 1],
  ])('nested tree with hostile keys: exact at MaxKeys %i, concurrency %i', async (pageSize, concurrency) => {
    const entries = await collect(listBucketObjects({ client, bucket: nestedBucket, pageSize, concurrency }));
    expect(entries.map((entry) => entry.key)).toEqual(sortByUtf8([...nested, ...hostile]));
  });

  it.each([
    [7, 16],
    [100, 8],
    [1000, 16],
  ])('flat bucket of 3000 keys: exact at MaxKeys %i, concurrency %i', async (pageSize, concurrency) => {
    let pages = 0;
    const entries = await collect(
      listBucketObjects({ client, bucket: flatBucket, pageSize, concurrency, onProgress: (event) => (pages = event.pages) }),
    );
    expect(entries.map((entry) => entry.key)).toEqual(flat);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(flat.length / pageSize));
  });

  it('reports size, ETag without quotes and ISO modification time', async () => {
    const entries = await collect(listBucketObjects({ client, bucket: hostileBucket }));
    const entry = entries.find((candidate) => candidate.key === 'plus+sign');
    expect(entry).toMatchObject({ key: 'plus+sign', size: Buffer.byteLength('body of plus+sign') });
    expect(entry?.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(entry?.lastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });

  it('resumes after a given key', async () => {
    const entries = await collect(listBucketObjects({ client, bucket: flatBucket, startAfter: 'file-001499', pageSize: 250 }));
    expect(entries.map((entry) => entry.key)).toEqual(flat.slice(1500));
  });

  it('lists only keys under a prefix', async () => {
    const entries = await collect(listBucketObjects({ client, bucket: nestedBucket, prefix: 'dir-3/', pageSize: 10 }));
    expect(entries.map((entry) => entry.key)).toEqual(sortByUtf8(nested.filter((key) => key.startsWith('dir-3/'))));
  });

  it('sends progress events that end at the totals', async () => {
    const events: ListProgress[] = [];
    const entries = await collect(listBucketObjects({ client, bucket: flatBucket, pageSize: 100, onProgress: (event) => events.push(event), progressIntervalMs: 0 }));
    const last = events[events.length - 1];
    expect(events.length).toBeGreaterThan(1);
    expect(last?.objects).toBe(3000);
    expect(last?.bytes).toBe(entries.reduce((sum, entry) => sum + entry.size, 0));
    expect(last?.pages).toBeGreaterThanOrEqual(30);
    for (let i = 1; i < events.length; i++) expect(events[i]?.objects).toBeGreaterThanOrEqual(events[i - 1]?.objects ?? 0);
  });

  it('stops with CANCELLED when the signal aborts', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const entry of listBucketObjects({ client, bucket: flatBucket, pageSize: 50, signal: controller.signal })) {
          seen.push(entry.key);
          if (seen.length === 120) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.length).toBe(120);
  });

  it('an empty bucket lists nothing', async () => {
    const empty = await createBucket(client, 'empty');
    expect(await collect(listBucketObjects({ client, bucket: empty }))).toEqual([]);
  });

  it('a missing bucket is NO_SUCH_BUCKET with the name pattern', async () => {
    await expect(collect(listBucketObjects({ client, bucket: 'usr-1-itm-2-does-not-exist' }))).rejects.toMatchObject({
      code: 'NO_SUCH_BUCKET',
      message: expect.stringContaining('usr-48291-itm-00384-nas-to-wsi-backup'),
    });
  });

  it('sees an object written after the first listing', async () => {
    await client.send(new PutObjectCommand({ Bucket: hostileBucket, Key: 'zzz-late', Body: 'late' }));
    const entries = await collect(listBucketObjects({ client, bucket: hostileBucket }));
    expect(entries.map((entry) => entry.key)).toEqual(sortByUtf8([...hostile, 'zzz-late']));
  });
});
