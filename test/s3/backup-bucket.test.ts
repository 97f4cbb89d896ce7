import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { readBackupHeader } from '../../companion/src/backup/backup-folder.ts';
import { parseManifestLine, type BackupManifestEntry } from '../../shared/backup/backup-manifest.ts';
import { decodeKeyPath } from '../../shared/backup/key-path.ts';
import { createBucket, hostileKeys, testClient } from './s3-fixtures.ts';

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file and folder under `dir`, as paths relative to it. */
function walk(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    found.push(path);
    if (entry.isDirectory()) found.push(...walk(path));
  }
  return found;
}

function readManifest(folder: string): BackupManifestEntry[] {
  return readFileSync(join(folder, 'manifest.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => parseManifestLine(line, `line ${index + 1}`));
}

describe('backupBucket on Ceph RGW', () => {
  let client: S3Client;
  let bucket: string;
  let sandbox: string;
  let root: string;
  const bodies = new Map<string, Buffer>();
  // Case-only and Unicode-form twins, a name that is both object and folder, reserved names.
  const keys = [...hostileKeys(), 'CON', 'con.txt', 'Aux/x', 'STRASSE', 'straße', 'a/B', 'A/b', 'x.', 'x', 'x/'];

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'backup');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-backup-test-'));
    root = join(sandbox, 'backups');
    let next = 0;
    const unique = [...new Set(keys)];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < unique.length) {
          const key = unique[next++];
          if (key === undefined) break;
          const body = randomBytes(100 + (next % 7) * 300);
          bodies.set(key, body);
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-test', Metadata: { origin: 'test' } }));
        }
      }),
    );
  });
  afterAll(() => {
    client.destroy();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('writes every hostile key inside the backup folder, verified, and the paths decode back to the keys', async () => {
    const upload = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'uploading/now.bin' }));
    const events: string[] = [];
    const result = await backupBucket({ client, bucket, root, onProgress: (event) => events.push(event.phase) });
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'uploading/now.bin', UploadId: upload.UploadId }));

    expect(result.verified).toBe(true);
    expect(result.objects).toBe(bodies.size);
    expect(result.transferred).toBe(bodies.size);
    expect(result.multipartUploads).toEqual({ supported: true, count: 1, keys: ['uploading/now.bin'] });
    expect(events).toContain('listing');
    expect(events).toContain('copying');
    expect(events).toContain('verifying');
    expect(relative(root, result.folder).split(sep)).toEqual([bucket, expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/)]);

    // Nothing outside the backup folder: the sandbox holds only backups/<bucket>/<time>/….
    const everything = walk(sandbox);
    for (const path of everything) {
      const inside = !relative(result.folder, path).startsWith('..');
      const isAncestor = !relative(path, result.folder).startsWith('..');
      expect(inside || isAncestor, path).toBe(true);
    }
    const files = everything.filter((path) => statSync(path).isFile() && relative(result.folder, path).startsWith(`objects${sep}`));
    expect(files.length).toBe(bodies.size);

    const manifest = readManifest(result.folder);
    expect(manifest.map((entry) => entry.key).sort()).toEqual([...bodies.keys()].sort());
    for (const entry of manifest) {
      const body = bodies.get(entry.key);
      if (!body || !entry.path) throw new Error(`unexpected manifest entry ${entry.key}`);
      const onDisk = readFileSync(join(result.folder, ...entry.path.split('/')));
      expect(sha256(onDisk), entry.key).toBe(sha256(body));
      expect(entry.sha256).toBe(sha256(body));
      expect(entry.md5).toBe(entry.etag);
      expect(entry.contentType).toBe('application/x-test');
      expect(entry.metadata).toEqual({ origin: 'test' });
      expect(decodeKeyPath(entry.path.slice('objects/'.length))).toBe(entry.key);
    }
    const header = await readBackupHeader(result.folder);
    expect(header).toMatchObject({ status: 'verified', bucket, objects: bodies.size, verification: { failures: 0, objects: bodies.size } });
  });

  it('a second backup hard-links unchanged objects from the first (same inode) and downloads only what changed', async () => {
    const first = await backupBucket({ client, bucket, root });
    const changed = 'with space.txt';
    const changedBody = randomBytes(321);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: changed, Body: changedBody }));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'zzz' }));
    const second = await backupBucket({ client, bucket, root });
    expect(second.previousBackup).toBe(first.folder);
    expect(second.transferred).toBe(1);
    expect(second.linked).toBe(bodies.size - 2);
    expect(second.verified).toBe(true);
    const before = new Map(readManifest(first.folder).map((entry) => [entry.key, entry]));
    const after = readManifest(second.folder);
    expect(after.map((entry) => entry.key)).not.toContain('zzz');
    for (const entry of after) {
      const old = before.get(entry.key);
      if (!entry.path || !old?.path) throw new Error('missing path');
      const inodeNow = statSync(join(second.folder, ...entry.path.split('/'))).ino;
      const inodeThen = statSync(join(first.folder, ...old.path.split('/'))).ino;
      if (entry.key === changed) {
        expect(inodeNow).not.toBe(inodeThen);
        expect(entry.sha256).toBe(sha256(changedBody));
      } else expect(inodeNow, entry.key).toBe(inodeThen);
    }
    bodies.set(changed, changedBody);
    bodies.delete('zzz');
  });

  it('refuses to start when the disk is too small, before anything is written', async () => {
    const emptyRoot = join(sandbox, 'small-disk');
    await expect(backupBucket({ client, bucket, root: emptyRoot, freeSpace: async () => 1024 * 1024 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/Not enough disk space .* Nothing was written\./),
    });
    expect(() => readdirSync(emptyRoot)).toThrow(/ENOENT/);
  });
});
