import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupBucket } from '../../companion/src/s3/backup-bucket.ts';
import { readBackupHeader, readBackupJournal } from '../../companion/src/backup/backup-folder.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { internalError, startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { createBucket, flatKeys, testClient, testConnection } from './s3-fixtures.ts';

describe('an interrupted backup resumes without fetching finished objects again', () => {
  let client: S3Client;
  let bucket: string;
  let sandbox: string;
  let proxy: FaultProxy;
  let proxied: S3Client;
  /** Keys of GetObject requests seen by the proxy, in order. */
  const gets: string[] = [];
  let failGets = false;
  const keys = flatKeys(60, 'photos/img-');

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'resume');
    sandbox = mkdtempSync(join(tmpdir(), 'cg-resume-test-'));
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(2000) }));
    proxy = await startFaultProxy({
      target: testConnection().endpoint,
      fault: (_number, request) => {
        const url = new URL(request.url ?? '/', 'http://proxy');
        const prefix = `/${bucket}/`;
        if (request.method === 'GET' && url.pathname.startsWith(prefix) && url.pathname.length > prefix.length) {
          gets.push(decodeURIComponent(url.pathname.slice(prefix.length)));
          if (failGets) return internalError;
        }
        return undefined;
      },
    });
    proxied = createS3Client(testConnection({ endpoint: proxy.endpoint }), { maxAttempts: 1 });
  });
  afterAll(async () => {
    proxied.destroy();
    client.destroy();
    await proxy.close();
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('cancelled after 20 objects, then resumed: only the unfinished objects are downloaded', async () => {
    const root = join(sandbox, 'cancel');
    const controller = new AbortController();
    await expect(
      backupBucket({
        client: proxied,
        bucket,
        root,
        concurrency: 4,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (event) => {
          if (event.phase === 'copying' && event.objects >= 20) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    const [folderName] = readdirSync(join(root, bucket));
    if (!folderName) throw new Error('no backup folder');
    const folder = join(root, bucket, folderName);
    expect((await readBackupHeader(folder)).status).toBe('cancelled');
    const journaled = await readBackupJournal(folder);
    expect(journaled.size).toBeGreaterThanOrEqual(20);
    expect(journaled.size).toBeLessThan(keys.length);

    gets.length = 0;
    const resumed = await backupBucket({ client: proxied, bucket, root, concurrency: 4 });
    expect(resumed.folder).toBe(folder);
    expect(resumed.resumed).toBe(journaled.size);
    expect(resumed.transferred).toBe(keys.length - journaled.size);
    expect(resumed.verified).toBe(true);
    expect(gets.filter((key) => journaled.has(key))).toEqual([]);
    expect(new Set(gets).size).toBe(keys.length - journaled.size);
  });

  it('a run that fails on server errors is resumed the same way', async () => {
    const root = join(sandbox, 'failure');
    let served = 0;
    failGets = false;
    const counting = createS3Client(testConnection({ endpoint: proxy.endpoint }), { maxAttempts: 1 });
    gets.length = 0;
    const failing = backupBucket({
      client: counting,
      bucket,
      root,
      concurrency: 2,
      progressIntervalMs: 0,
      onProgress: (event) => {
        served = event.objects;
        // Every GET fails from the 30th object on, retries included.
        if (event.phase === 'copying' && event.objects >= 30) failGets = true;
      },
    });
    await expect(failing).rejects.toMatchObject({ code: expect.any(String) });
    failGets = false;
    expect(served).toBeGreaterThanOrEqual(30);
    const [folderName] = readdirSync(join(root, bucket));
    const folder = join(root, bucket, folderName ?? '');
    expect((await readBackupHeader(folder)).status).toBe('failed');
    const journaled = await readBackupJournal(folder);
    gets.length = 0;
    const resumed = await backupBucket({ client: counting, bucket, root });
    counting.destroy();
    expect(resumed.resumed).toBe(journaled.size);
    expect(gets.filter((key) => journaled.has(key))).toEqual([]);
    expect(resumed.verified).toBe(true);
  });
});
