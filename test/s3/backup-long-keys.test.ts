/**
 * Keys whose readable path would not fit the file system: a legal 1,023-byte key of one-letter
 * upper-case folders (each folder name gets a case tag, so the path grows to about 9 KB, past
 * Linux's 4,096-byte PATH_MAX), with its lower-case twin, and other keys at S3's 1,024-byte
 * limit. The backup writes them under hashed paths recorded in its manifest, verifies them, and a
 * restore reads the paths back from the manifest and puts every object back byte for byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { applyRestore, planRestore } from '../../companion/src/s3/restore-backup.ts';
import { parseManifestLine } from '../../shared/backup/backup-manifest.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

describe('keys too long for a readable path on disk', () => {
  let client: S3Client;
  let bucket: string;
  let sandbox: string;
  const bodies = new Map<string, Buffer>();
  const keys = [
    `${'A/'.repeat(511)}B`, // 1,023 bytes, 512 case-tagged names
    `${'a/'.repeat(511)}b`, // its lower-case twin: a readable path
    `${'Ab/'.repeat(341)}C`, // 1,024 bytes
    `${'É/'.repeat(340)}x`, // 1,021 bytes of upper-case non-ASCII folders
    'x'.repeat(1024),
    'short/Readable.txt',
  ];

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'long-keys');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-long-keys-'));
    for (const key of keys) {
      expect(Buffer.byteLength(key), key.slice(0, 20)).toBeLessThanOrEqual(1024);
      const body = randomBytes(200 + bodies.size);
      bodies.set(key, body);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
  });
  afterAll(() => {
    client.destroy();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('backs them up verified, every path within the limits, and restores them from the manifest', async () => {
    const backup = await backupBucket({ client, bucket, root: join(sandbox, 'backups') });
    expect(backup.verified).toBe(true);
    expect(backup.objects).toBe(keys.length);

    const manifest = readFileSync(join(backup.folder, 'manifest.ndjson'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line, index) => parseManifestLine(line, `line ${index + 1}`));
    const byKey = new Map(manifest.map((entry) => [entry.key, entry]));
    expect([...byKey.keys()].sort()).toEqual([...keys].sort());
    expect(byKey.get(keys[0] ?? '')?.path).toMatch(/^objects\/%#\/[0-9a-f]{2}\/[0-9a-f]{64}\.%$/);
    expect(byKey.get('short/Readable.txt')?.path).toMatch(/^objects\/short\/Readable%~[0-9a-f]{14}\.txt$/);
    const onDisk = filesUnder(join(backup.folder, 'objects'));
    expect(onDisk.length).toBe(keys.length);
    for (const file of onDisk) {
      const absolute = join(backup.folder, 'objects', file);
      expect(Buffer.byteLength(absolute), file.slice(0, 60)).toBeLessThan(4096);
      for (const name of file.split('/')) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
      expect(statSync(absolute).isFile()).toBe(true);
    }
    for (const entry of manifest) {
      if (entry.path === undefined) throw new Error(`no path for ${entry.key.slice(0, 40)}`);
      expect(sha256(readFileSync(join(backup.folder, ...entry.path.split('/'))))).toBe(sha256(bodies.get(entry.key) ?? Buffer.alloc(0)));
    }

    // The sync deletes them all; the restore puts them back from the paths the manifest names.
    for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const plan = await planRestore({ client, folder: backup.folder });
    expect(plan.totals).toMatchObject({ deleted: keys.length, toWrite: keys.length });
    const restored = await applyRestore({ client, plan });
    expect(restored.verified).toBe(true);
    expect([...restored.restored].sort()).toEqual([...keys].sort());
    for (const key of keys) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(sha256(await object.Body?.transformToByteArray() ?? new Uint8Array()), key.slice(0, 20)).toBe(sha256(bodies.get(key) ?? Buffer.alloc(0)));
    }
  });
});
