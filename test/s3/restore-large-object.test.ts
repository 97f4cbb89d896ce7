/**
 * Objects over S3's 5 GiB limit for one request are restored as streamed multipart uploads with
 * progress per part. The threshold and part size are lowered here (12 MiB in parts of 5 MiB) so
 * the same code path runs in seconds against Ceph; no 5 GiB file is written. A part the server
 * refuses for good aborts the upload: no invisible parts are left behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { applyRestore, planRestore, type RestoreProgress } from '../../companion/src/s3/restore-backup.ts';
import { partSizeFor } from '../../companion/src/s3/upload-file-multipart.ts';
import { startFaultProxy, internalError } from '../support/fault-proxy.ts';
import { createBucket, testClient, testConnection } from './s3-fixtures.ts';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('restoring an object larger than one request may carry', () => {
  let client: S3Client;
  let bucket: string;
  let sandbox: string;
  let folder: string;
  const body = randomBytes(12 * MiB + 12345);
  const small = randomBytes(1000);

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'restore-large');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-restore-large-'));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'disk-image.iso', Body: body, ContentType: 'application/x-iso9660-image', Metadata: { origin: 'nas' } }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'readme.txt', Body: small }));
    folder = (await backupBucket({ client, bucket, root: join(sandbox, 'backups') })).folder;
  });
  afterAll(() => {
    client.destroy();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('streams it in parts with progress per part, verified, byte for byte, with its type and metadata', async () => {
    for (const key of ['disk-image.iso', 'readme.txt']) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const plan = await planRestore({ client, folder });
    const events: RestoreProgress[] = [];
    const applied = await applyRestore({ client, plan, multipartThresholdBytes: 8 * MiB, partSizeBytes: 5 * MiB, progressIntervalMs: 0, onProgress: (event) => events.push(event) });
    expect(applied.verified).toBe(true);
    expect([...applied.restored].sort()).toEqual(['disk-image.iso', 'readme.txt']);

    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'disk-image.iso' }));
    expect(head.ETag?.replace(/"/g, '')).toMatch(/^[0-9a-f]{32}-3$/);
    expect(head.ContentType).toBe('application/x-iso9660-image');
    expect(head.Metadata).toEqual({ origin: 'nas' });
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'disk-image.iso' }));
    expect(sha256(await object.Body?.transformToByteArray() ?? new Uint8Array())).toBe(sha256(body));
    expect((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'readme.txt' }))).ETag?.replace(/"/g, '')).toMatch(/^[0-9a-f]{32}$/);

    // Progress moved while the big object was still being sent: after its first part, before its last.
    const restoring = events.filter((event) => event.phase === 'restoring').map((event) => event.bytes);
    expect(restoring.some((bytes) => bytes >= 5 * MiB && bytes < body.length)).toBe(true);
    expect(restoring.at(-1)).toBe(body.length + small.length);
    // What the plan says afterwards: nothing to do.
    expect((await planRestore({ client, folder })).rows).toEqual([]);
  });

  it('a part the server keeps refusing aborts the upload, leaving no parts behind', async () => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'disk-image.iso' }));
    const proxy = await startFaultProxy({
      target: testConnection().endpoint,
      fault: (_number, request) => (request.method === 'PUT' && /[?&]partNumber=2\b/.test(request.url ?? '') ? internalError : undefined),
    });
    const proxied = testClient({ endpoint: proxy.endpoint }, { maxAttempts: 1 });
    try {
      const plan = await planRestore({ client: proxied, folder });
      await expect(applyRestore({ client: proxied, plan, multipartThresholdBytes: 8 * MiB, partSizeBytes: 5 * MiB })).rejects.toMatchObject({ code: 'ENDPOINT_UNREACHABLE' });
    } finally {
      proxied.destroy();
      await proxy.close();
    }
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});

describe('partSizeFor', () => {
  it.each([
    [12 * MiB, 5 * MiB, 5 * MiB],
    [6 * 1024 * MiB, 64 * MiB, 64 * MiB],
    // S3's largest object, 5 TiB: no more than 10,000 parts.
    [5 * 1024 * 1024 * MiB, 64 * MiB, 525 * MiB],
    [100 * MiB, 1 * MiB, 5 * MiB],
  ])('%i bytes, preferred %i: parts of %i', (size, preferred, expected) => {
    const part = partSizeFor(size, preferred);
    expect(part).toBe(expected);
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(10_000);
  });
});
