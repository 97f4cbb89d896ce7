/**
 * The real host process (`connect-guard host`, as the browser starts it) guarding a connect
 * against the real Ceph gateway: probing an empty and a non-empty bucket (with an upload in
 * progress), a verified backup into the folder `CONNECT_GUARD_BACKUP_ROOT` names with progress
 * events, a backup cancelled mid-copy and finished by the next run, a restore dry run that lists
 * exactly the objects deleted and changed since the backup, and a restore that puts the bucket
 * back byte for byte. The secret is in no file under the backup folder and in no log line.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readBackupHeader } from '../../companion/src/backup/backup-folder.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { checkChunk, checkProgress, checkResult } from '../../shared/protocol/companion-guards.ts';
import type { BucketConnection } from '../../shared/protocol/views.ts';
import type { CompanionRequestType } from '../../shared/protocol/companion-protocol.ts';
import { spawnNativeHostProcess } from '../support/native-host-process.ts';
import { createBucket, flatKeys, putKeys, testClient } from './s3-fixtures.ts';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'companion', 'bin', 'connect-guard.js');
const ORIGIN = `chrome-extension://${DEV_EXTENSION_ID}/`;
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

function startHost(env: Record<string, string> = {}) {
  const host = spawnNativeHostProcess(process.execPath, [bin, 'host', '--allowed-origin', ORIGIN, ORIGIN], { env: { ...process.env, ...env } });
  return {
    ...host,
    /** The validated progress events of request `id` of `type`. */
    progress: <T extends CompanionRequestType>(type: T, id: string) =>
      host.received.flatMap((message) => {
        if (message.id !== id || !('event' in message) || message.event !== 'progress') return [];
        const checked = checkProgress(type, message.data);
        if (!checked.ok) throw new Error(checked.problem);
        return [checked.value];
      }),
  };
}
type Host = ReturnType<typeof startHost>;

/** Sends a request and returns its checked final value (throws with the error reply otherwise). */
async function call<T extends CompanionRequestType>(host: Host, id: string, type: T, data: unknown, timeoutMs = 120_000) {
  host.send({ id, type, data, timeoutMs });
  const final = await host.final(id);
  if (!('ok' in final)) throw new Error(`${type} failed: ${JSON.stringify(final)}`);
  const result = checkResult(type, final.ok);
  if (!result.ok) throw new Error(result.problem);
  return { value: result.value, chunks: final.chunks };
}

/** Every file under `folder`, recursively. */
async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

async function bodyOf(client: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!response.Body) throw new Error(`no body for ${key}`);
  return response.Body.transformToByteArray();
}

let client: S3Client;
let connectionTo: (bucket: string) => BucketConnection;
const hosts: Host[] = [];
const folders: string[] = [];

async function tempRoot(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'connect-guard-host-backup-'));
  folders.push(folder);
  return folder;
}

function newHost(env: Record<string, string> = {}): Host {
  const host = startHost(env);
  hosts.push(host);
  return host;
}

beforeAll(() => {
  const server = inject('s3');
  client = testClient();
  connectionTo = (bucket) => ({ endpoint: server.endpoint, region: server.region, bucket, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });
});

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close()));
  for (const host of hosts) expect(host.stderr()).not.toContain(inject('s3').secretAccessKey);
  client.destroy();
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

describe('bucket.probe through the real host', () => {
  it('tells an empty bucket (a Fresh Start) from one with data and an upload in progress', async () => {
    const empty = await createBucket(client, 'probe-empty');
    const full = await createBucket(client, 'probe-full');
    await putKeys(client, full, flatKeys(1003));
    await client.send(new CreateMultipartUploadCommand({ Bucket: full, Key: 'uploading/big.iso' }));
    const host = newHost();
    expect((await call(host, 'e', 'bucket.probe', { connection: connectionTo(empty) })).value).toEqual({ objects: 0, hasMore: false, multipartUploads: { supported: true, count: 0, keys: [] } });
    expect((await call(host, 'f', 'bucket.probe', { connection: connectionTo(full) })).value).toEqual({ objects: 1000, hasMore: true, multipartUploads: { supported: true, count: 1, keys: ['uploading/big.iso'] } });
    host.send({ id: 'w', type: 'bucket.probe', data: { connection: { ...connectionTo(full), secretAccessKey: 'cg-test-wrong-secret-0002' } }, timeoutMs: 60_000 });
    expect(await host.final('w')).toMatchObject({ error: { code: 'WRONG_SECRET_KEY' } });
  }, 120_000);
});

describe('backup.run through the real host', () => {
  it('writes a verified backup into CONNECT_GUARD_BACKUP_ROOT with progress, and no file holds the secret', async () => {
    const bucket = await createBucket(client, 'host-backup');
    const keys = flatKeys(40, 'docs/file-');
    await putKeys(client, bucket, keys);
    const root = await tempRoot();
    const host = newHost({ CONNECT_GUARD_BACKUP_ROOT: root });
    const { value, chunks } = await call(host, 'b', 'backup.run', { connection: connectionTo(bucket) });
    expect(chunks).toBe(0);
    expect(value).toMatchObject({ objects: 40, transferred: 40, linked: 0, resumed: 0, verified: true, multipartUploads: { supported: true, count: 0 } });
    expect(value.folder.startsWith(join(root, bucket))).toBe(true);
    expect((await readBackupHeader(value.folder)).status).toBe('verified');
    const phases = new Set(host.progress('backup.run', 'b').map((event) => event.phase));
    expect(phases.has('listing') || phases.has('copying')).toBe(true);

    // The files hold the objects' bytes, and nothing under the root holds the secret.
    const files = await filesUnder(root);
    const texts = await Promise.all(files.map((file) => readFile(file)));
    const secret = inject('s3').secretAccessKey;
    expect(texts.some((bytes) => bytes.includes(secret))).toBe(false);
    const hashes = new Set(texts.map((bytes) => sha256(bytes)));
    expect(keys.every((key) => hashes.has(sha256(`body of ${key.slice(0, 40)}`)))).toBe(true);

    // The second run links every unchanged object from the first.
    const second = await call(host, 'b2', 'backup.run', { connection: connectionTo(bucket) });
    expect(second.value).toMatchObject({ objects: 40, transferred: 0, linked: 40, verified: true });
    expect(second.value.folder).not.toBe(value.folder);
  }, 120_000);

  it('stops a backup cancelled mid-copy with CANCELLED; the next run finishes it', async () => {
    const bucket = await createBucket(client, 'host-backup-cancel');
    await putKeys(client, bucket, flatKeys(3000, 'photos/img-'));
    const root = await tempRoot();
    const host = newHost();
    host.send({ id: 'c', type: 'backup.run', data: { connection: connectionTo(bucket), root }, timeoutMs: 300_000 });
    await host.waitFor(() => host.progress('backup.run', 'c').some((event) => event.phase === 'copying' && event.objects > 0));
    host.send({ id: 'c', type: 'cancel' });
    expect(await host.final('c')).toMatchObject({ error: { code: 'CANCELLED' } });
    const copied = host.progress('backup.run', 'c').filter((event) => event.phase === 'copying');
    expect(copied.every((event) => event.objects < 3000)).toBe(true);
    const [bucketFolder] = await readdir(join(root, bucket));
    if (bucketFolder === undefined) throw new Error('no backup folder was made');
    const header = await readBackupHeader(join(root, bucket, bucketFolder));
    expect(['in-progress', 'cancelled']).toContain(header.status);

    // Sent at once: the host starts it when the cancelled run has recorded where it stopped, then
    // resumes that folder (objects finished before the cancel are not fetched again).
    const resumed = await call(host, 'r', 'backup.run', { connection: connectionTo(bucket), root }, 300_000);
    expect(resumed.value).toMatchObject({ folder: join(root, bucket, bucketFolder), objects: 3000, verified: true });
    expect(resumed.value.resumed).toBeGreaterThan(0);
    expect(resumed.value.transferred + resumed.value.resumed).toBe(3000);
  }, 300_000);
});

describe('restore.plan and restore.apply through the real host', () => {
  it('lists exactly the deleted and changed objects, then puts the bucket back as the backup saw it', async () => {
    const bucket = await createBucket(client, 'host-restore');
    const contents = new Map<string, string>(Array.from({ length: 12 }, (_, i) => [`share/doc-${String(i).padStart(2, '0')}.txt`, `original content ${i} `.repeat(i + 1)]));
    for (const [key, body] of contents) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const root = await tempRoot();
    const host = newHost();
    const connection = connectionTo(bucket);

    host.send({ id: 'none', type: 'restore.plan', data: { connection, root }, timeoutMs: 60_000 });
    expect(await host.final('none')).toMatchObject({ error: { code: 'NOT_FOUND', message: `No backup of bucket ${bucket} under ${root}. Back up first.` } });

    const backup = await call(host, 'b', 'backup.run', { connection, root });
    expect(backup.value.verified).toBe(true);

    // What a connect's sync does: files deleted, files overwritten, a file added.
    const deleted = ['share/doc-01.txt', 'share/doc-07.txt'];
    const changed = ['share/doc-03.txt', 'share/doc-10.txt'];
    for (const key of deleted) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    for (const key of changed) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'WeSendit version' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'share/new-from-wesendit.txt', Body: 'new' }));

    host.send({ id: 'p', type: 'restore.plan', data: { connection, root }, timeoutMs: 120_000 });
    const planFinal = await host.final('p');
    if (!('ok' in planFinal)) throw new Error(JSON.stringify(planFinal));
    const summary = checkResult('restore.plan', planFinal.ok);
    if (!summary.ok) throw new Error(summary.problem);
    const rows = host.received.flatMap((message) => {
      if (message.id !== 'p' || !('event' in message) || message.event !== 'chunk') return [];
      const chunk = checkChunk('restore.plan', message.data);
      if (!chunk.ok) throw new Error(chunk.problem);
      return chunk.value;
    });
    expect(planFinal.chunks).toBeGreaterThan(0);
    const sizeOf = (key: string): number => Buffer.byteLength(contents.get(key) ?? '');
    expect([...rows].sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      [...deleted.map((key) => ({ key, change: 'deleted', size: sizeOf(key) })), ...changed.map((key) => ({ key, change: 'changed', size: sizeOf(key) }))].sort((a, b) => a.key.localeCompare(b.key)),
    );
    expect(summary.value).toEqual({ folder: backup.value.folder, bucket, deleted: 2, changed: 2, bytes: deleted.reduce((sum, key) => sum + sizeOf(key), 0), kept: 2 });
    // A dry run writes nothing.
    for (const key of deleted) await expect(bodyOf(client, bucket, key)).rejects.toThrow();

    const applied = await call(host, 'a', 'restore.apply', { connection, root, force: true });
    expect(applied.value).toMatchObject({ folder: backup.value.folder, restored: 2, overwritten: 2, kept: 0, verified: true });
    expect(applied.value.bytes).toBe([...deleted, ...changed].reduce((sum, key) => sum + sizeOf(key), 0));
    expect(host.progress('restore.apply', 'a').length).toBeGreaterThan(0);

    // The bucket equals the backup by content; the file added after the backup is untouched.
    for (const [key, body] of contents) expect(sha256(await bodyOf(client, bucket, key))).toBe(sha256(body));
    expect(Buffer.from(await bodyOf(client, bucket, 'share/new-from-wesendit.txt')).toString()).toBe('new');
    const again = await call(host, 'p2', 'restore.plan', { connection, root });
    expect(again.value).toMatchObject({ deleted: 0, changed: 0, kept: 0 });
    expect(again.chunks).toBe(0);

    const secret = inject('s3').secretAccessKey;
    const texts = await Promise.all((await filesUnder(root)).map((file) => readFile(file)));
    expect(texts.some((bytes) => bytes.includes(secret))).toBe(false);
  }, 180_000);
});
