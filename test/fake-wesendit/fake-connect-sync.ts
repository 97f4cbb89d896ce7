/**
 * What WeSendit does when a storage is connected to a bucket, as its help article describes it:
 * both sides are merged — files only in the bucket appear in the storage, files only in the
 * storage are written to the bucket, same-name files with the same content stay — and a
 * same-name file with different content is overwritten: by WeSendit's version
 * (`wesendit-wins`, the default) or by the newer one (`newer-wins`). The bucket changes for real
 * (S3 on 127.0.0.1 only: the fake never talks to anything else).
 */
import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, paginateListObjectsV2, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { parseEndpoint } from '../../shared/endpoint.ts';
import type { FakeStorage } from './fake-storage.ts';

export type ConflictPolicy = 'wesendit-wins' | 'newer-wins';

/**
 * Ways a real sync can go wrong, each switched on for one key, so tests and the demo can check
 * that the sync review reports it exactly:
 * - `dropWrite`: a WeSendit-only file it should write to the bucket is never written;
 * - `deleteBucketFile`: a bucket file is deleted (data loss);
 * - `otherSideWins`: this conflict is won by the other side than the policy says;
 * - `corrupt`: this object's bytes in the bucket are replaced by bytes neither side had;
 * - `late`: these WeSendit-only files are written only when `finishLate()` is called (or after
 *   the sync otherwise finished, if `lateMs` is given).
 */
export interface SyncMisbehaviour {
  readonly dropWrite?: string;
  readonly deleteBucketFile?: string;
  readonly otherSideWins?: string;
  readonly corrupt?: string;
  readonly late?: readonly string[];
}

export interface ConnectSyncInput {
  readonly storage: FakeStorage;
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly policy: ConflictPolicy;
  /** Objects moved at once (default 16). */
  readonly concurrency?: number;
  readonly misbehave?: SyncMisbehaviour;
  /** Writes of `misbehave.late` are handed here instead of being awaited. */
  readonly deferLate?: (write: () => Promise<void>) => void;
}

/** What one connect did, key lists sorted. */
export interface ConnectSyncReport {
  readonly storageId: string;
  readonly bucket: string;
  readonly policy: ConflictPolicy;
  /** Only in WeSendit: written to the bucket. */
  readonly written: readonly string[];
  /** In both with different content, the bucket's copy replaced by WeSendit's. */
  readonly overwrittenInBucket: readonly string[];
  /** Only in the bucket: now visible in WeSendit. */
  readonly addedToStorage: readonly string[];
  /** In both with different content, WeSendit's copy replaced by the bucket's newer one (newer-wins). */
  readonly overwrittenInStorage: readonly string[];
  /** In both with the same content. */
  readonly unchanged: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function loopbackEndpoint(endpoint: string): string {
  if (endpoint.trim() === '') {
    throw new Error('The fake WeSendit UI syncs only with an S3 endpoint on 127.0.0.1: choose "Other S3" and enter it.');
  }
  const url = new URL(parseEndpoint(endpoint).url);
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`The fake WeSendit UI syncs only with S3 on 127.0.0.1, not ${url.host}.`);
  }
  return url.origin;
}

async function readAll(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!response.Body) throw new Error(`The bucket returned no body for ${key}.`);
  return Buffer.from(await response.Body.transformToByteArray());
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, () => worker()));
}

interface BucketObject {
  readonly key: string;
  readonly etag: string;
  readonly lastModified: Date;
}

export async function syncStorageWithBucket(input: ConnectSyncInput): Promise<ConnectSyncReport> {
  const endpoint = loopbackEndpoint(input.endpoint);
  const client = createS3Client(
    { endpoint, region: input.region || 'us-east-1', accessKeyId: input.accessKey, secretAccessKey: input.secretKey },
    { maxAttempts: 2, maxSockets: 32 },
  );
  try {
    const bucketObjects = new Map<string, BucketObject>();
    for await (const page of paginateListObjectsV2({ client }, { Bucket: input.bucket })) {
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/')) continue;
        bucketObjects.set(object.Key, { key: object.Key, etag: (object.ETag ?? '').replace(/"/g, ''), lastModified: object.LastModified ?? new Date(0) });
      }
    }
    const written: string[] = [];
    const overwrittenInBucket: string[] = [];
    const addedToStorage: string[] = [];
    const overwrittenInStorage: string[] = [];
    let unchanged = 0;
    const toBucket: string[] = [];
    const toStorage: BucketObject[] = [];
    const compare: BucketObject[] = [];

    for (const file of input.storage.listFiles()) {
      const object = bucketObjects.get(file.key);
      if (!object) {
        toBucket.push(file.key);
        written.push(file.key);
      } else if (!object.etag.includes('-') && object.etag === file.md5) {
        unchanged += 1;
      } else {
        compare.push(object);
      }
    }
    for (const object of bucketObjects.values()) {
      if (!input.storage.findFile(object.key)) {
        toStorage.push(object);
        addedToStorage.push(object.key);
      }
    }
    const concurrency = input.concurrency ?? 16;
    // A multipart ETag says nothing about the content's MD5: read the object to compare.
    await inParallel(compare, concurrency, async (object) => {
      const file = input.storage.findFile(object.key);
      if (!file) return;
      let bucketBytes: Buffer | undefined;
      if (object.etag.includes('-')) {
        bucketBytes = await readAll(client, input.bucket, object.key);
        if (createHash('md5').update(bucketBytes).digest('hex') === file.md5) {
          unchanged += 1;
          return;
        }
      }
      const byPolicy = input.policy === 'wesendit-wins' || new Date(file.lastModified).getTime() >= object.lastModified.getTime();
      const wesenditWins = input.misbehave?.otherSideWins === object.key ? !byPolicy : byPolicy;
      if (wesenditWins) {
        toBucket.push(object.key);
        overwrittenInBucket.push(object.key);
      } else {
        const content = bucketBytes ?? (await readAll(client, input.bucket, object.key));
        input.storage.putFile({ key: object.key, content, lastModified: object.lastModified.toISOString() });
        overwrittenInStorage.push(object.key);
      }
    });
    const misbehave = input.misbehave ?? {};
    const late = new Set(misbehave.late ?? []);
    const lateKeys = toBucket.filter((key) => late.has(key));
    await inParallel(
      toBucket.filter((key) => key !== misbehave.dropWrite && !late.has(key)),
      concurrency,
      async (key) => {
        await client.send(new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: input.storage.content(key) }));
      },
    );
    if (lateKeys.length > 0) {
      // The late writes need their own client: this one is closed when the sync returns.
      const lateClient = createS3Client({ endpoint, region: input.region || 'us-east-1', accessKeyId: input.accessKey, secretAccessKey: input.secretKey }, { maxAttempts: 2 });
      const deferred = async (): Promise<void> => {
        try {
          for (const key of lateKeys) await lateClient.send(new PutObjectCommand({ Bucket: input.bucket, Key: key, Body: input.storage.content(key) }));
        } finally {
          lateClient.destroy();
        }
      };
      if (input.deferLate) input.deferLate(deferred);
      else await deferred();
    }
    await inParallel(toStorage, concurrency, async (object) => {
      const content = await readAll(client, input.bucket, object.key);
      input.storage.putFile({ key: object.key, content, lastModified: object.lastModified.toISOString() });
    });
    // After the merge, as a sync that goes wrong late would do it.
    if (misbehave.deleteBucketFile !== undefined) await client.send(new DeleteObjectCommand({ Bucket: input.bucket, Key: misbehave.deleteBucketFile }));
    if (misbehave.corrupt !== undefined) {
      await client.send(new PutObjectCommand({ Bucket: input.bucket, Key: misbehave.corrupt, Body: `corrupted by the sync: ${misbehave.corrupt}` }));
    }
    const sorted = (keys: string[]): string[] => keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      storageId: input.storage.spec.id,
      bucket: input.bucket,
      policy: input.policy,
      written: sorted(written),
      overwrittenInBucket: sorted(overwrittenInBucket),
      addedToStorage: sorted(addedToStorage),
      overwrittenInStorage: sorted(overwrittenInStorage),
      unchanged,
    };
  } finally {
    client.destroy();
  }
}
