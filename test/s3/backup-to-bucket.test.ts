import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { applyRestore, planRestore } from '../../companion/src/s3/restore-backup.ts';
import { listBucketObjects } from '../../companion/src/s3/list-bucket-objects.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

describe('backup into another bucket by server-side copy', () => {
  let client: S3Client;
  let source: string;
  let target: string;
  let sandbox: string;
  const bodies = new Map<string, Buffer>();
  const keys = ['a.txt', 'dir/b.txt', 'plus+and space.txt', 'hash#percent%.txt', 'ümlaut/ü.txt', '../odd'];

  beforeAll(async () => {
    client = testClient();
    source = await createBucket(client, 'copy-src');
    target = await createBucket(client, 'copy-dst');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-copy-test-'));
    for (const key of keys) {
      const body = randomBytes(200);
      bodies.set(key, body);
      await client.send(new PutObjectCommand({ Bucket: source, Key: key, Body: body }));
    }
  });
  afterAll(() => {
    client.destroy();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('copies every object under the prefix, writes the manifest locally, verifies the copies, and restores from them', async () => {
    const result = await backupBucket({ client, bucket: source, root: sandbox, toBucket: { bucket: target, prefix: 'nas/2026/' } });
    expect(result.verified).toBe(true);
    expect(result.transferred).toBe(keys.length);
    const copies = [];
    for await (const entry of listBucketObjects({ client, bucket: target })) copies.push(entry.key);
    expect(copies.sort()).toEqual(keys.map((key) => `nas/2026/${key}`).sort());
    const manifest = readFileSync(join(result.folder, 'manifest.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; copyKey: string });
    expect(manifest.map((entry) => entry.copyKey).sort()).toEqual(copies.sort());

    await client.send(new DeleteObjectCommand({ Bucket: source, Key: 'dir/b.txt' }));
    await client.send(new PutObjectCommand({ Bucket: source, Key: 'a.txt', Body: 'changed' }));
    const plan = await planRestore({ client, folder: result.folder, force: true });
    expect(plan.rows.map((row) => [row.key, row.action])).toEqual([
      ['a.txt', 'overwrite'],
      ['dir/b.txt', 'restore'],
    ]);
    const restored = await applyRestore({ client, plan });
    expect(restored.verified).toBe(true);
    for (const key of ['a.txt', 'dir/b.txt']) {
      const object = await client.send(new GetObjectCommand({ Bucket: source, Key: key }));
      expect(Buffer.from(await object.Body?.transformToByteArray() ?? new Uint8Array()).equals(bodies.get(key) ?? Buffer.alloc(0)), key).toBe(true);
    }
  });

  it('a copy into the same bucket skips its own earlier copies, and refuses to copy onto itself', async () => {
    const first = await backupBucket({ client, bucket: source, root: join(sandbox, 'same'), toBucket: { bucket: source, prefix: 'backup/' } });
    const second = await backupBucket({ client, bucket: source, root: join(sandbox, 'same'), toBucket: { bucket: source, prefix: 'backup/' } });
    expect(second.objects).toBe(first.objects);
    await expect(backupBucket({ client, bucket: source, root: sandbox, toBucket: { bucket: source } })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/cannot be copied onto itself/) });
  });
});
