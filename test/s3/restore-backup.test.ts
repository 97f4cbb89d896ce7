import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket, type BackupBucketOutput } from '../../companion/src/s3/backup-bucket.ts';
import { applyRestore, planRestore } from '../../companion/src/s3/restore-backup.ts';
import { listBucketObjects } from '../../companion/src/s3/list-bucket-objects.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function bucketHashes(client: S3Client, bucket: string): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for await (const entry of listBucketObjects({ client, bucket })) {
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: entry.key }));
    hashes.set(entry.key, sha256(await object.Body?.transformToByteArray() ?? new Uint8Array()));
  }
  return hashes;
}

describe('restore from a backup on Ceph RGW', () => {
  let client: S3Client;
  let bucket: string;
  let sandbox: string;
  let backup: BackupBucketOutput;
  const original = new Map<string, Buffer>();
  const keys = ['docs/a.txt', 'docs/b.txt', 'docs/C.TXT', 'photos/1.jpg', 'photos/2.jpg', 'photos/3.jpg', 'notes', 'notes/inside', 'café', 'cafe\u0301', '../odd', 'empty', 'big.bin'];
  const deleted = ['docs/b.txt', 'photos/2.jpg', 'cafe\u0301', '../odd'];
  const changed = ['docs/a.txt', 'notes', 'big.bin'];
  const added = ['new/from-wesendit.txt', 'photos/4.jpg'];

  const put = (key: string, body: Buffer): Promise<unknown> => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/x-test' }));

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'restore');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-restore-test-'));
    for (const key of keys) {
      const body = key === 'empty' ? Buffer.alloc(0) : key === 'big.bin' ? randomBytes(9 * 1024 * 1024) : randomBytes(500);
      original.set(key, body);
      await put(key, body);
    }
    backup = await backupBucket({ client, bucket, root: join(sandbox, 'backups') });
    // What a sync might do afterwards: delete, overwrite, add.
    for (const key of deleted) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    for (const key of changed) await put(key, randomBytes(700));
    for (const key of added) await put(key, randomBytes(50));
  });
  afterAll(() => {
    client.destroy();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('a dry run lists exactly the deleted and the changed objects and writes nothing', async () => {
    const before = await bucketHashes(client, bucket);
    const plan = await planRestore({ client, folder: backup.folder });
    expect(plan.bucket).toBe(bucket);
    expect(plan.rows.filter((row) => row.state === 'deleted').map((row) => row.key).sort()).toEqual([...deleted].sort());
    expect(plan.rows.filter((row) => row.state === 'changed').map((row) => row.key).sort()).toEqual([...changed].sort());
    expect(plan.totals).toMatchObject({ backupObjects: keys.length, deleted: deleted.length, changed: changed.length, unchanged: keys.length - deleted.length - changed.length, toWrite: deleted.length, kept: changed.length });
    expect([...plan.keptKeys].sort()).toEqual([...changed].sort());
    expect(await bucketHashes(client, bucket)).toEqual(before);
    const onlyMissing = await planRestore({ client, folder: backup.folder, onlyMissing: true, force: true });
    expect(onlyMissing.rows.filter((row) => row.action === 'overwrite')).toEqual([]);
    expect(onlyMissing.totals.toWrite).toBe(deleted.length);
  });

  it('apply without --force puts deleted objects back and keeps changed ones, naming them', async () => {
    const changedNow = new Map<string, string>();
    const now = await bucketHashes(client, bucket);
    for (const key of changed) changedNow.set(key, now.get(key) ?? '');
    const plan = await planRestore({ client, folder: backup.folder });
    // A deleted object written again between plan and apply is not overwritten either.
    const lateKey = 'photos/2.jpg';
    const lateBody = randomBytes(64);
    await put(lateKey, lateBody);
    const result = await applyRestore({ client, plan });
    expect([...result.restored].sort()).toEqual(deleted.filter((key) => key !== lateKey).sort());
    expect(result.overwritten).toEqual([]);
    expect([...result.kept].sort()).toEqual([...changed, lateKey].sort());
    expect(result.verified).toBe(true);
    const after = await bucketHashes(client, bucket);
    for (const key of deleted.filter((key) => key !== lateKey)) expect(after.get(key), key).toBe(sha256(original.get(key) ?? Buffer.alloc(0)));
    for (const key of changed) expect(after.get(key), key).toBe(changedNow.get(key));
    expect(after.get(lateKey)).toBe(sha256(lateBody));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/b.txt' }));
    expect(head.ContentType).toBe('text/x-test');
  });

  it('apply with --force makes every backed-up object equal to the backup by SHA-256 and leaves added objects alone', async () => {
    const plan = await planRestore({ client, folder: backup.folder, force: true });
    expect(plan.rows.map((row) => row.action).every((action) => action === 'overwrite' || action === 'restore')).toBe(true);
    const result = await applyRestore({ client, plan });
    expect([...result.overwritten].sort()).toEqual([...changed, 'photos/2.jpg'].sort());
    expect(result.kept).toEqual([]);
    const after = await bucketHashes(client, bucket);
    for (const [key, body] of original) expect(after.get(key), key).toBe(sha256(body));
    for (const key of added) expect(after.has(key)).toBe(true);
    const again = await planRestore({ client, folder: backup.folder, force: true });
    expect(again.rows).toEqual([]);
    expect(again.totals.unchanged).toBe(keys.length);
  });

  it('refuses a folder that is not a backup, with the fix', async () => {
    await expect(planRestore({ client, folder: sandbox })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not a Connect Guard backup folder/) });
  });
});
