/**
 * A restore plan compares what the backup proved (size and SHA-256), not the ETag alone: a
 * multipart object's ETag depends on its part size, so an object put back exactly (by a restore,
 * or re-uploaded by another tool in other parts) must show as unchanged, and one whose content
 * changed at the same size must still show as changed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { applyRestore, planRestore } from '../../companion/src/s3/restore-backup.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

const MiB = 1024 * 1024;

/** Uploads `body` in parts of the given sizes (the last takes the rest). */
async function putMultipart(client: S3Client, bucket: string, key: string, body: Buffer, partSizes: readonly number[]): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts: { PartNumber: number; ETag: string }[] = [];
  let offset = 0;
  for (let i = 0; i < partSizes.length; i++) {
    const end = i === partSizes.length - 1 ? body.length : offset + (partSizes[i] ?? 0);
    const part = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body.subarray(offset, end) }));
    parts.push({ PartNumber: i + 1, ETag: part.ETag ?? '' });
    offset = end;
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

describe('a restore plan on multipart objects', () => {
  let client: S3Client;
  let bucket: string;
  let sandbox: string;
  let folder: string;
  const video = randomBytes(11 * MiB);
  const audio = randomBytes(11 * MiB);
  const notes = randomBytes(6 * MiB);

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'restore-content');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-restore-content-'));
    await putMultipart(client, bucket, 'video.bin', video, [5 * MiB, 5 * MiB]);
    await putMultipart(client, bucket, 'audio.bin', audio, [5 * MiB, 5 * MiB]);
    await putMultipart(client, bucket, 'notes.bin', notes, [5 * MiB]);
    const backup = await backupBucket({ client, bucket, root: join(sandbox, 'backups') });
    expect(backup.verified).toBe(true);
    folder = backup.folder;
  });
  afterAll(() => {
    client.destroy();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('re-uploaded in other parts with the same bytes: unchanged, by SHA-256; other bytes of the same size: changed', async () => {
    await putMultipart(client, bucket, 'video.bin', video, [6 * MiB]);
    await putMultipart(client, bucket, 'audio.bin', randomBytes(audio.length), [6 * MiB]);
    const plan = await planRestore({ client, folder });
    expect(plan.totals).toMatchObject({ backupObjects: 3, unchanged: 2, changed: 1, deleted: 0, comparedByContent: 2 });
    expect(plan.rows.map((row) => [row.key, row.state, row.comparedBy])).toEqual([['audio.bin', 'changed', 'sha256']]);
  });

  it('right after restore --apply --force put every object back, a new plan finds nothing changed', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'notes.bin', Body: randomBytes(notes.length) }));
    const plan = await planRestore({ client, folder, force: true });
    expect(plan.rows.map((row) => row.key).sort()).toEqual(['audio.bin', 'notes.bin']);
    const applied = await applyRestore({ client, plan });
    expect(applied.verified).toBe(true);
    expect([...applied.overwritten].sort()).toEqual(['audio.bin', 'notes.bin']);

    const after = await planRestore({ client, folder });
    expect(after.rows).toEqual([]);
    expect(after.totals).toMatchObject({ backupObjects: 3, unchanged: 3, changed: 0, deleted: 0 });
  });
});
