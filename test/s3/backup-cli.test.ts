/**
 * `connect-guard backup` and `connect-guard restore` as a user runs them (child process, keys in
 * the environment) against the real Ceph gateway.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { createBucket, testClient } from './s3-fixtures.ts';


describe('connect-guard backup / restore', () => {
  let client: S3Client;
  let bucket: string;
  let home: string;
  const bodies = new Map<string, Buffer>();

  beforeAll(async () => {
    client = testClient();
    bucket = await createBucket(client, 'cli-backup');
    home = mkdtempSync(join(tmpdir(), 'cg-backup-cli-'));
    for (let i = 0; i < 12; i++) {
      const key = i % 3 === 0 ? `Photos/IMG_${i}.JPG` : `docs/file-${i}.txt`;
      const body = randomBytes(300 + i);
      bodies.set(key, body);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
  });
  afterAll(() => {
    client.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  it('backs up to ~/ConnectGuard/backups/BUCKET/TIME, then restores what was deleted and names what changed', async () => {
    const endpoint = inject('s3').endpoint;
    const backup = await runCli(['backup', '--bucket', bucket, '--endpoint', endpoint], home);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`Backup of ${bucket} verified: 12 objects`));
    expect(backup.stdout).toMatch(/In-progress uploads: none\./);
    const folder = /^Folder: (.+)$/m.exec(backup.stdout)?.[1] ?? '';
    expect(folder.startsWith(join(home, 'ConnectGuard', 'backups', bucket))).toBe(true);

    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'docs/file-1.txt' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/file-2.txt', Body: 'overwritten by the sync' }));

    // The endpoint comes from the backup.
    const dryRun = await runCli(['restore', '--from', folder, '--format', 'ndjson'], home);
    expect(dryRun.code).toBe(0);
    const lines = dryRun.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; key?: string; state?: string; action?: string });
    expect(lines.filter((line) => line.type === 'object').map((line) => [line.key, line.state, line.action])).toEqual([
      ['docs/file-1.txt', 'deleted', 'restore'],
      ['docs/file-2.txt', 'changed', 'keep'],
    ]);
    expect(lines.at(-1)).toMatchObject({ type: 'totals', applied: false, deleted: 1, changed: 1, toWrite: 1, kept: 1 });
    expect(dryRun.stderr).toMatch(/Restore preview \(dry run/);

    const csv = await runCli(['restore', '--from', folder, '--format', 'csv', '--out', join(home, 'plan.csv')], home);
    expect(csv.code).toBe(0);
    expect(readFileSync(join(home, 'plan.csv'), 'utf8').split('\r\n')[0]).toBe('key,state,action,backup_size,backup_etag,backup_modified,current_size,current_etag,current_modified');

    const apply = await runCli(['restore', '--from', folder, '--apply'], home);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/Written: 1 object/);
    expect(apply.stdout).toMatch(/1 object changed after the backup and was kept as it is \(not overwritten without --force\)[\s\S]*"docs\/file-2\.txt"/);
    const restored = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/file-1.txt' }));
    const bytes = Buffer.from(await restored.Body?.transformToByteArray() ?? new Uint8Array());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(bodies.get('docs/file-1.txt') ?? '').digest('hex'));

    const forced = await runCli(['restore', '--from', folder, '--apply', '--force'], home);
    expect(forced.code).toBe(0);
    const overwritten = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/file-2.txt' }));
    expect(Buffer.from(await overwritten.Body?.transformToByteArray() ?? new Uint8Array()).equals(bodies.get('docs/file-2.txt') ?? Buffer.alloc(0))).toBe(true);
  });

  it.each([
    [['backup'], 2, /--bucket is required/],
    [['backup', '--bucket', 'b', '--concurrency', '0'], 2, /--concurrency must be a whole number/],
    [['restore'], 2, /--from is required/],
    [['restore', '--from', '/nonexistent/backup'], 3, /not a Connect Guard backup folder/],
    [['restore', '--from', 'x', '--force', '--only-missing'], 2, /contradict/],
    [['backup', '--bucket', 'b', '--secret-key', 'abc'], 2, /not accepted on the command line/],
  ])('%j → exit %i with a clear message', async (args, code, message) => {
    const result = await runCli(args, home, { AWS_ENDPOINT_URL: inject('s3').endpoint });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it('a bucket that does not exist is an access error (exit 4), and nothing is written', async () => {
    const result = await runCli(['backup', '--bucket', 'cg-no-such-bucket-here', '--endpoint', inject('s3').endpoint, '--to', join(home, 'none')], home);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/bucket/i);
    await expect(import('node:fs/promises').then((fs) => fs.readdir(join(home, 'none')))).rejects.toThrow(/ENOENT/);
  });
});
