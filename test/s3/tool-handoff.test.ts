/**
 * `connect-guard setup rclone|aws` against the real tools and the Ceph gateway: the config is
 * written for a storage taken from an encrypted vault export, then the commands it printed run
 * as printed (dry run first) and copy a local folder into a bucket that already holds other files
 * and same-name files with other content. The bucket has versioning on, so every overwrite and
 * delete would leave a trace.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { createBucket, testClient } from './s3-fixtures.ts';
import { TOOL_PASSPHRASE, VAULT_PASSPHRASE, bucketState, bucketVersions, peerEnv, printedCommands, runCli, runShell, writeVaultExport } from './tool-fixtures.ts';

const NEW_BINARY = randomBytes(200_000);

/** The bucket before the copy: a file only there, one the same, two with the same names and other content. */
const IN_BUCKET: Record<string, string> = {
  'keep/only-in-bucket.txt': 'only in the bucket\n',
  'same.txt': 'same content on both sides\n',
  'changed-same-size.txt': 'content B, bucket\n',
  'changed-size.txt': 'short\n',
};

/** The local folder: the same file, both changed ones, and new files. */
function writeLocalFolder(folder: string): void {
  mkdirSync(join(folder, 'new'), { recursive: true });
  writeFileSync(join(folder, 'same.txt'), IN_BUCKET['same.txt'] ?? '');
  writeFileSync(join(folder, 'changed-same-size.txt'), 'content A, local!\n');
  writeFileSync(join(folder, 'changed-size.txt'), 'a longer local version\n');
  writeFileSync(join(folder, 'new', 'a.txt'), 'a new file\n');
  writeFileSync(join(folder, 'new', 'b.bin'), NEW_BINARY);
}

async function seedBucket(client: S3Client, label: string): Promise<string> {
  const bucket = await createBucket(client, label);
  await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  for (const [key, body] of Object.entries(IN_BUCKET)) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return bucket;
}

async function body(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
}

/** Every file under `dir`, as text, for "no secret in plain text" checks. */
function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, text: readFileSync(path).toString('latin1') });
  }
  return out;
}

describe('setup rclone and aws from a vault export, then the printed upload-only commands', () => {
  let client: S3Client;
  let dir: string;
  let exportPath: string;
  const storages: StorageCredentials[] = [];
  const buckets: Record<'rclone' | 'aws', string> = { rclone: '', aws: '' };

  beforeAll(async () => {
    const server = inject('s3');
    client = testClient();
    buckets.rclone = await seedBucket(client, 'handoff-rclone');
    buckets.aws = await seedBucket(client, 'handoff-aws');
    dir = mkdtempSync(join(tmpdir(), 'cg-handoff-'));
    for (const tool of ['rclone', 'aws'] as const) {
      storages.push({
        storageName: `NAS ${tool}`,
        permissions: 'Read & Write',
        allowedIps: '',
        serverAddress: server.endpoint,
        bucketName: buckets[tool],
        accessKey: server.accessKeyId,
        secretKey: server.secretAccessKey,
      });
    }
    exportPath = await writeVaultExport(dir, storages);
    writeLocalFolder(join(dir, 'work', 'folder-to-upload'));
    // aws s3 sync compares times: the local copies are older than the bucket's, as after a restore.
    for (const name of ['same.txt', 'changed-same-size.txt', 'changed-size.txt']) utimesSync(join(dir, 'work', 'folder-to-upload', name), new Date('2020-01-01'), new Date('2020-01-01'));
  });

  afterAll(() => {
    client?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const home = (): string => join(dir, 'home');
  const env = (extra: Record<string, string> = {}): Record<string, string> =>
    peerEnv(home(), { CONNECT_GUARD_PASSPHRASE: VAULT_PASSPHRASE, CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE, ...extra });

  it('rclone: encrypted config, dry run changes nothing, copy adds the new files with 0 deletes and 0 overwrites', async () => {
    const setup = await runCli(['setup', 'rclone', '--vault-export', exportPath, '--storage', 'NAS rclone', '--provider', 'Ceph'], env());
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(setup.stdout).toMatch(/^Wrote rclone remote "wesendit-nas-rclone:" \(bucket cg-handoff-rclone-\w+\) in .*\/home\/\.config\/rclone\/rclone\.conf\.\nKeys: .*tool-keys\.json \(created/);
    const conf = join(home(), '.config', 'rclone', 'rclone.conf');
    expect(readFileSync(conf, 'utf8')).toMatch(/^# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\n[A-Za-z0-9+/=]+$/);
    expect(statSync(conf).mode & 0o777).toBe(0o600);

    const [passwordCommand, dryRun, copy, list] = printedCommands(setup.stdout);
    expect(passwordCommand).toMatch(/^export RCLONE_PASSWORD_COMMAND=/);
    expect(dryRun).toBe('rclone copy --immutable --checksum --dry-run ./folder-to-upload wesendit-nas-rclone:');
    expect(copy).toBe('rclone copy --immutable --checksum --progress ./folder-to-upload wesendit-nas-rclone:');
    const work = join(dir, 'work');

    // rclone itself opens the config through the printed password command.
    const shown = await runShell([passwordCommand ?? '', 'rclone config show --ask-password=false'], work, env());
    expect(shown.stderr).toBe('');
    expect(shown.stdout).toContain(`[wesendit-nas-rclone-s3]\ntype = s3\nprovider = Ceph\naccess_key_id = ${inject('s3').accessKeyId}\n`);
    expect(shown.stdout).toContain(`[wesendit-nas-rclone]\ntype = alias\nremote = wesendit-nas-rclone-s3:${buckets.rclone}\n`);

    const before = await bucketState(client, buckets.rclone);
    const dry = await runShell([passwordCommand ?? '', dryRun ?? ''], work, env());
    expect(dry.stderr).toMatch(/new\/a\.txt: Skipped copy as --dry-run is set/);
    expect(dry.stderr).toMatch(/new\/b\.bin: Skipped copy as --dry-run is set/);
    // The dry run already names the same-name files it will refuse.
    expect(dry.stderr).toMatch(/ERROR : changed-same-size\.txt: Source and destination exist but do not match: immutable file modified/);
    expect(dry.stderr).toMatch(/ERROR : changed-size\.txt: Source and destination exist but do not match: immutable file modified/);
    expect(dry.code).toBe(6);
    expect(await bucketState(client, buckets.rclone)).toEqual(before);

    const copied = await runShell([passwordCommand ?? '', copy ?? ''], work, env());
    // The two same-name files with other content are refused loudly (with --progress rclone logs
    // above its progress display, on stdout), the rest goes on; exit 6: "less serious errors".
    const output = copied.stdout + copied.stderr;
    expect(output).toMatch(/ERROR : changed-same-size\.txt: Source and destination exist but do not match: immutable file modified/);
    expect(output).toMatch(/ERROR : changed-size\.txt: Source and destination exist but do not match: immutable file modified/);
    expect(copied.stderr).toMatch(/Failed to copy with 2 errors: last error was: immutable file modified/);
    expect(copied.code).toBe(6);

    const after = await bucketState(client, buckets.rclone);
    for (const [key, state] of before) expect(after.get(key), key).toEqual(state);
    expect([...after.keys()].sort()).toEqual([...before.keys(), 'new/a.txt', 'new/b.bin'].sort());
    expect((await body(client, buckets.rclone, 'new/b.bin')).equals(NEW_BINARY)).toBe(true);
    const { versions, deleteMarkers } = await bucketVersions(client, buckets.rclone);
    expect(deleteMarkers).toEqual([]);
    for (const key of Object.keys(IN_BUCKET)) expect(versions.get(key), key).toBe(1);
    expect(after.get('new/a.txt')?.etag).toBe(`"${createHash('md5').update('a new file\n').digest('hex')}"`);

    const listed = await runShell([passwordCommand ?? '', list ?? ''], work, env());
    expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual(['changed-same-size.txt', 'changed-size.txt', 'keep/', 'new/', 'same.txt']);

    // No secret in plain text anywhere under HOME.
    for (const file of filesUnder(home())) expect(file.text, file.path).not.toContain(inject('s3').secretAccessKey);
  });

  it('aws: credential_process from the tool key file; dry run changes nothing; sync without --delete deletes nothing and overwrites only what the printed note says', async () => {
    const setup = await runCli(['setup', 'aws', '--vault-export', exportPath, '--storage', 'NAS aws'], env());
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(setup.stdout).toMatch(/^Wrote AWS profile "wesendit-nas-aws" in .*\/home\/\.aws\/config\./);
    expect(setup.stdout).toMatch(/The AWS CLI has no "never overwrite" mode/);
    const [dryRun, sync, list] = printedCommands(setup.stdout);
    expect(dryRun).toMatch(/^aws s3 sync --dryrun \.\/folder-to-upload s3:\/\/cg-handoff-aws-\w+\/ --profile wesendit-nas-aws --endpoint-url http:\/\/127\.0\.0\.1:\d+$/);
    const work = join(dir, 'work');

    const before = await bucketState(client, buckets.aws);
    const dry = await runShell([dryRun ?? ''], work, env());
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout.split('\n').filter(Boolean).sort()).toEqual([
      `(dryrun) upload: folder-to-upload/changed-size.txt to s3://${buckets.aws}/changed-size.txt`,
      `(dryrun) upload: folder-to-upload/new/a.txt to s3://${buckets.aws}/new/a.txt`,
      `(dryrun) upload: folder-to-upload/new/b.bin to s3://${buckets.aws}/new/b.bin`,
    ]);
    expect(await bucketState(client, buckets.aws)).toEqual(before);

    const synced = await runShell([sync ?? ''], work, env());
    expect(synced.code).toBe(0);
    const after = await bucketState(client, buckets.aws);
    const { versions, deleteMarkers } = await bucketVersions(client, buckets.aws);
    // 0 deletes; the same file and the same-size older change are untouched …
    expect(deleteMarkers).toEqual([]);
    for (const key of ['keep/only-in-bucket.txt', 'same.txt', 'changed-same-size.txt']) {
      expect(after.get(key), key).toEqual(before.get(key));
      expect(versions.get(key), key).toBe(1);
    }
    // … the new files arrive, and, as the note says, a same-name file of another size is overwritten.
    expect((await body(client, buckets.aws, 'new/b.bin')).equals(NEW_BINARY)).toBe(true);
    expect(versions.get('changed-size.txt')).toBe(2);

    const listed = await runShell([list ?? ''], work, env());
    expect(listed.stdout).toMatch(/PRE keep\//);

    // ~/.aws holds no key; the tool key file holds it encrypted.
    for (const file of filesUnder(home())) expect(file.text, file.path).not.toContain(inject('s3').secretAccessKey);
  });

  it('doctor compares each tool using the storage\'s Access Key with its bucket and names the mismatch', async () => {
    // Both storages here share the gateway's key: for "NAS rclone", the AWS profile of "NAS aws" points elsewhere.
    const result = await runCli(['doctor', '--vault-export', exportPath, '--storage', 'NAS rclone'], env());
    const key = inject('s3').accessKeyId;
    expect(result.stdout).toContain(`External tools using the Access Key ${key}:\n`);
    expect(result.stdout).toContain(
      `  ✗ AWS profile "wesendit-nas-aws" points to bucket "${buckets.aws}", but this storage's S3 API Bucket Name is "${buckets.rclone}": files sent with it do not arrive in this storage and will not appear in WeSendit. Fix: run "connect-guard setup aws --name wesendit-nas-aws --replace" for this storage.\n`,
    );
    expect(result.stdout).toContain(`  ✓ rclone remote "wesendit-nas-rclone:" uses this storage's bucket and server.\n`);
    expect(result.stdout).toMatch(/Some checks failed: see the fixes above\.\n$/);
    expect(result.code).toBe(3);
    const good = await runCli(['doctor', '--vault-export', exportPath, '--storage', 'NAS aws', '--json'], env());
    const report: unknown = JSON.parse(good.stdout);
    expect(report).toMatchObject({ ok: true, tools: expect.arrayContaining([expect.objectContaining({ tool: 'aws', name: 'wesendit-nas-aws', status: 'pass' }), expect.objectContaining({ tool: 'rclone', name: 'wesendit-nas-rclone', status: 'fail' })]) });
  });

  it('without the passphrase for external tools the AWS CLI gets no key, and says why', async () => {
    const result = await runShell([`aws s3 ls s3://${buckets.aws}/ --profile wesendit-nas-aws --endpoint-url ${inject('s3').endpoint}`], join(dir, 'work'), peerEnv(home(), { CONNECT_GUARD_TOOL_PASSPHRASE: 'wrong passphrase for the tools' }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/The passphrase for external tools is wrong/);
    expect(result.stderr).not.toContain(inject('s3').secretAccessKey);
  });
});
