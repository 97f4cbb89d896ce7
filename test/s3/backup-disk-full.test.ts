/**
 * The disk filling up half-way through a backup (another program wrote to it after the space
 * check): the error names the local disk, says what to do (free space, or another folder with
 * --to), and the objects already written stay in the journal, so the next run resumes instead of
 * fetching them again. The backup folder is on a small tmpfs mounted for the test (needs root,
 * as the Ceph gateway does).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupHeader, readBackupJournal } from '../../companion/src/backup/backup-folder.ts';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

const MiB = 1024 * 1024;

/** Writes zeros until the file system says it is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(MiB);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOSPC')) throw error;
  } finally {
    closeSync(fd);
  }
}

describe('a backup whose disk fills up', () => {
  let client: S3Client;
  let bucket: string;
  let sandbox: string;
  let disk: string;
  const keys = Array.from({ length: 24 }, (_, i) => `videos/clip-${String(i).padStart(2, '0')}.bin`);

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'disk-full');
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(MiB) }));
    sandbox = mkdtempSync(join(tmpdir(), 'cg-disk-full-'));
    disk = join(sandbox, 'disk');
    mkdirSync(disk);
    // Room for the objects and the backup's 64 MiB margin, so the space check passes.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=100m', 'tmpfs', disk]);
  });
  afterAll(() => {
    client.destroy();
    try {
      execFileSync('umount', [disk]);
    } catch {
      // Not mounted.
    }
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('says the local disk is full and what to do, and the next run resumes what was written', async () => {
    const root = join(disk, 'backups');
    const filler = join(disk, 'another-program.dat');
    let filled = false;
    const failed = backupBucket({
      client,
      bucket,
      root,
      concurrency: 1,
      progressIntervalMs: 0,
      onProgress: (event) => {
        if (!filled && event.phase === 'copying' && event.objects >= 5) {
          filled = true;
          fillDisk(filler);
        }
      },
    });
    await expect(failed).rejects.toMatchObject({
      code: 'DISK_FULL',
      message: expect.stringMatching(/disk .*is full/i),
    });
    const error = await failed.catch((caught: unknown) => caught);
    const message = error instanceof Error ? error.message : String(error);
    expect(message).not.toMatch(/S3 request failed/);
    expect(message).toContain(root);
    expect(message).toMatch(/--to/);
    expect(message).toMatch(/run the same backup again/i);

    const [folderName] = readdirSync(join(root, bucket));
    const folder = join(root, bucket, folderName ?? '');
    expect(['in-progress', 'failed']).toContain((await readBackupHeader(folder)).status);
    const journaled = await readBackupJournal(folder);
    expect(journaled.size).toBeGreaterThanOrEqual(5);

    // Space again: the same command resumes that folder and fetches only the rest.
    rmSync(filler);
    const resumed = await backupBucket({ client, bucket, root });
    expect(resumed.folder).toBe(folder);
    expect(resumed.resumed).toBe(journaled.size);
    expect(resumed.transferred).toBe(keys.length - journaled.size);
    expect(resumed.verified).toBe(true);
  });
});
