import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBucketObjects } from '../../companion/src/s3/list-bucket-objects.ts';
import { listMultipartUploads } from '../../companion/src/s3/list-multipart-uploads.ts';
import type { InventoryEntry } from '../../shared/inventory.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

const MiB = 1024 * 1024;

/** The multipart ETag S3 gives: MD5 of the parts' MD5s, then "-N". */
function multipartEtag(parts: readonly Buffer[]): string {
  const digests = parts.map((part) => createHash('md5').update(part).digest());
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts.length}`;
}

describe('multipart uploads on Ceph RGW', () => {
  let client: S3Client;
  let bucket: string;
  const parts = [Buffer.alloc(5 * MiB, 1), Buffer.alloc(5 * MiB, 2), Buffer.from('last part, smaller')];

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'multipart');
  });
  afterAll(() => client.destroy());

  it('an empty bucket has no uploads in progress, and says it can tell', async () => {
    expect(await listMultipartUploads(client, bucket)).toEqual({ supported: true, uploads: [] });
  });

  it('reports an upload that was started and not completed', async () => {
    const started = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big/unfinished.bin' }));
    await client.send(new UploadPartCommand({ Bucket: bucket, Key: 'big/unfinished.bin', UploadId: started.UploadId, PartNumber: 1, Body: parts[0] }));
    const result = await listMultipartUploads(client, bucket);
    expect(result).toMatchObject({ supported: true, uploads: [{ key: 'big/unfinished.bin', uploadId: started.UploadId }] });
    expect(result.supported && result.uploads[0]?.initiated).toMatch(/^\d{4}-\d\d-\d\dT/);
    // An unfinished upload is not an object.
    const listed: InventoryEntry[] = [];
    for await (const entry of listBucketObjects({ client, bucket })) listed.push(entry);
    expect(listed.map((entry) => entry.key)).not.toContain('big/unfinished.bin');
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'big/unfinished.bin', UploadId: started.UploadId }));
    expect(await listMultipartUploads(client, bucket)).toEqual({ supported: true, uploads: [] });
  });

  it('lists a completed multipart object with its -N ETag, equal to the one computed from the parts', async () => {
    const key = 'big/three-parts.bin';
    const started = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const completed = [];
    for (const [index, body] of parts.entries()) {
      const part = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: started.UploadId, PartNumber: index + 1, Body: body }));
      completed.push({ PartNumber: index + 1, ETag: part.ETag });
    }
    await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: started.UploadId, MultipartUpload: { Parts: completed } }));
    const listed: InventoryEntry[] = [];
    for await (const entry of listBucketObjects({ client, bucket })) listed.push(entry);
    const entry = listed.find((candidate) => candidate.key === key);
    expect(entry?.etag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(entry?.etag).toBe(multipartEtag(parts));
    expect(entry?.size).toBe(parts.reduce((sum, part) => sum + part.length, 0));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ETag?.replace(/"/g, '')).toBe(entry?.etag);
  });
});
