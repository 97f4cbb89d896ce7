/**
 * The sync review against the real Ceph gateway, through the real host process (as the browser
 * starts it) and the real CLI: a preview leaves its plan, the verified backup at the connect saves
 * it beside the backup with every object's SHA-256, a sync then happens to the bucket — partly as
 * predicted, partly not — and the review reports each key with the right class, proves a
 * multipart object re-uploaded with another part size by its bytes, selects exactly the lost and
 * overwritten keys, and a restore of that selection puts them back. Bad input (another bucket's
 * plan, a truncated or edited plan, an unreachable bucket) fails with the fix named and writes
 * nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import type { InventoryEntry } from '../../shared/inventory.ts';
import { checkChunk, checkResult } from '../../shared/protocol/companion-guards.ts';
import type { AuditRowView, CompanionRequestType } from '../../shared/protocol/companion-protocol.ts';
import type { BucketConnection } from '../../shared/protocol/views.ts';
import { spawnNativeHostProcess } from '../support/native-host-process.ts';
import { runCli } from '../support/run-cli.ts';
import { createBucket, testClient } from './s3-fixtures.ts';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'companion', 'bin', 'connect-guard.js');
const ORIGIN = `chrome-extension://${DEV_EXTENSION_ID}/`;
const MiB = 1024 * 1024;
const md5 = (data: Buffer | string): string => createHash('md5').update(data).digest('hex');

type Host = ReturnType<typeof spawnNativeHostProcess>;

async function call<T extends CompanionRequestType>(host: Host, id: string, type: T, data: unknown) {
  host.send({ id, type, data, timeoutMs: 120_000 });
  const final = await host.final(id);
  if (!('ok' in final)) throw new Error(`${type} failed: ${JSON.stringify(final)}`);
  const result = checkResult(type, final.ok);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
}

function findings(host: Host, id: string): AuditRowView[] {
  return host.received.flatMap((message) => {
    if (message.id !== id || !('event' in message) || message.event !== 'chunk') return [];
    const checked = checkChunk('audit.run', message.data);
    if (!checked.ok) throw new Error(checked.problem);
    return [...checked.value];
  });
}

async function put(client: S3Client, bucket: string, key: string, body: Buffer | string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function putMultipart(client: S3Client, bucket: string, key: string, data: Buffer, partSize: number): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const parts: { ETag: string; PartNumber: number }[] = [];
  for (let offset = 0, n = 1; offset < data.length; offset += partSize, n++) {
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: n, Body: data.subarray(offset, offset + partSize) }));
    parts.push({ ETag: ETag ?? '', PartNumber: n });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
}

async function bodyOf(client: S3Client, bucket: string, key: string): Promise<string> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await response.Body?.transformToString()) ?? '';
}

const big = Buffer.alloc(11 * MiB + 5, 7);
for (let i = 0; i < big.length; i += 4093) big[i] = i & 0xff;

let client: S3Client;
let connectionTo: (bucket: string) => BucketConnection;
const hosts: Host[] = [];
const folders: string[] = [];

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

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'connect-guard-audit-'));
  folders.push(folder);
  return folder;
}

const OLD = '2026-01-01T00:00:00.000Z';
const file = (key: string, content: string): InventoryEntry => ({ key, size: Buffer.byteLength(content), md5: md5(content), lastModified: OLD });

describe('sync review: preview → backup at the connect → sync → audit', () => {
  let bucket: string;
  let root: string;
  let planPath: string;
  let host: Host;

  beforeAll(async () => {
    bucket = await createBucket(client, 'audit');
    root = await tempFolder();
    // The bucket before the connect.
    await put(client, bucket, 'same/a.txt', 'same on both sides');
    await put(client, bucket, 'same/changed.txt', 'will be changed by someone');
    await put(client, bucket, 'keep/kept.txt', 'only in the bucket');
    await put(client, bucket, 'keep/lost.txt', 'only in the bucket, then lost');
    await put(client, bucket, 'conflict/wesendit-wins.txt', 'bucket version');
    await put(client, bucket, 'conflict/other-side.txt', 'bucket version 2');
    await putMultipart(client, bucket, 'video/big.bin', big, 5 * MiB);
    // WeSendit's side, as the tab's file browser would send it.
    const wesendit: InventoryEntry[] = [
      file('conflict/other-side.txt', 'WeSendit version 2'),
      file('conflict/wesendit-wins.txt', 'WeSendit version'),
      file('new/arrives.txt', 'arrives'),
      file('new/late.txt', 'late'),
      file('same/a.txt', 'same on both sides'),
      file('same/changed.txt', 'will be changed by someone'),
      { key: 'video/big.bin', size: big.length, md5: md5(big), lastModified: OLD },
    ];
    host = spawnNativeHostProcess(process.execPath, [bin, 'host', '--allowed-origin', ORIGIN, ORIGIN], { env: { ...process.env, CONNECT_GUARD_BACKUP_ROOT: root } });
    hosts.push(host);
    const preview = await call(host, 'p', 'diff.preview', { connection: connectionTo(bucket), wesendit: { kind: 'inline', entries: wesendit }, includeRows: false });
    expect(preview.totals.classes.conflict.objects).toBe(2);
    const backup = await call(host, 'b', 'backup.run', { connection: connectionTo(bucket) });
    expect(backup.verified).toBe(true);
    expect(backup.plan).toBe(join(backup.folder, 'plan.ndjson'));
    planPath = backup.plan ?? '';
    const planText = await readFile(planPath, 'utf8');
    expect(planText).not.toContain(inject('s3').secretAccessKey);
    expect(planText).not.toContain(inject('s3').accessKeyId);

    // The sync: WeSendit wins conflicts, writes its files — and misbehaves.
    await put(client, bucket, 'conflict/wesendit-wins.txt', 'WeSendit version');
    await put(client, bucket, 'conflict/other-side.txt', 'WeSendit version 2');
    await put(client, bucket, 'new/arrives.txt', 'arrives');
    // new/late.txt: not yet.
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'keep/lost.txt' }));
    await put(client, bucket, 'same/changed.txt', 'was changed by someone !!');
    await put(client, bucket, 'extra/tool.txt', 'written by another tool');
    // The same bytes, uploaded again with another part size: a new multipart ETag.
    await putMultipart(client, bucket, 'video/big.bin', big, 6 * MiB);
  }, 180_000);

  it('reports every key with its class, proves the multipart object by SHA-256, selects the restore', async () => {
    const result = await call(host, 'a1', 'audit.run', { connection: connectionTo(bucket) });
    const rows = findings(host, 'a1');
    const byKey = Object.fromEntries(rows.map((row) => [row.key, [row.status, row.kind, row.mark, row.restore ?? '-']]));
    expect(byKey).toEqual({
      'extra/tool.txt': ['unexpected', 'extra-key', '-', '-'],
      'keep/lost.txt': ['unexpected', 'gone-from-bucket', '+', 'restore'],
      'new/late.txt': ['not-yet-arrived', 'not-written-yet', '+', '-'],
      'same/changed.txt': ['unexpected', 'changed-unexpectedly', '*', 'overwrite'],
    });
    expect(result).toMatchObject({ verdict: 'unexpected', objects: 10, contentChecked: 1, bucket, policy: 'wesendit-wins' });
    expect(result.asPredicted.objects).toBe(6);
    expect(result.notYetArrived.objects).toBe(1);
    expect(result.unexpected.objects).toBe(3);
    expect(result.restore.objects).toBe(2);
  }, 120_000);

  it('with WeSendit\'s file browser staged as an upload (as the dock\'s review sends it), a conflict the bucket won is named as such', async () => {
    const won = await createBucket(client, 'audit-won');
    await put(client, won, 'c.txt', 'bucket version');
    await put(client, won, 'd.txt', 'same');
    const before = [file('c.txt', 'WeSendit version'), file('d.txt', 'same')];
    const preview = await call(host, 'pw', 'diff.preview', { connection: connectionTo(won), wesendit: { kind: 'inline', entries: before }, includeRows: false });
    expect(preview.totals.classes.conflict.objects).toBe(1);
    expect((await call(host, 'bw', 'backup.run', { connection: connectionTo(won) })).plan).toBeTruthy();
    // The sync let the bucket's version win: the bucket is unchanged, and WeSendit shows the bucket's c.txt.

    await call(host, 'aw0', 'audit.run', { connection: connectionTo(won) });
    expect(findings(host, 'aw0').map((row) => [row.key, row.kind])).toEqual([['c.txt', 'not-overwritten-yet']]);

    // The tab's listing arrives in parts; the review waits for the last one.
    host.send({ id: 'uw1', type: 'inventory.upload', data: { uploadId: 'tab-listing', entries: [file('d.txt', 'same')], done: false }, timeoutMs: 10_000 });
    expect(await host.final('uw1')).toMatchObject({ ok: { staged: 1 } });
    host.send({ id: 'aw1', type: 'audit.run', data: { connection: connectionTo(won), wesendit: { kind: 'upload', uploadId: 'tab-listing' } }, timeoutMs: 120_000 });
    host.send({ id: 'uw2', type: 'inventory.upload', data: { uploadId: 'tab-listing', entries: [file('c.txt', 'bucket version')], done: true }, timeoutMs: 10_000 });
    expect(await host.final('uw2')).toMatchObject({ ok: { staged: 2 } });
    const final = await host.final('aw1');
    expect(final).toMatchObject({ ok: { verdict: 'unexpected', unexpected: { objects: 1 } } });
    expect(findings(host, 'aw1').map((row) => [row.key, row.kind])).toEqual([['c.txt', 'conflict-won-by-other-side']]);

    // A listing that was never uploaded on this connection is named, with what to do.
    host.send({ id: 'aw2', type: 'audit.run', data: { connection: connectionTo(won), wesendit: { kind: 'upload', uploadId: 'never-sent' } }, timeoutMs: 120_000 });
    expect(await host.final('aw2')).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/inventory\.upload/) } });
  }, 120_000);

  it('the CLI writes the sorted rclone-style report with the proof per key, and exits 7', async () => {
    const home = await tempFolder();
    const out = join(home, 'review.ndjson');
    const run = await runCli(['audit', '--plan', planPath, '--endpoint', inject('s3').endpoint, '--format', 'ndjson', '--out', out], home);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(7);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const rows = lines.filter((line) => line.type !== 'totals');
    expect(rows.map((row) => `${String(row.mark)} ${String(row.key)}`)).toEqual([
      '= conflict/other-side.txt',
      '= conflict/wesendit-wins.txt',
      '- extra/tool.txt',
      '+ keep/lost.txt',
      '= keep/kept.txt',
      '= new/arrives.txt',
      '+ new/late.txt',
      '= same/a.txt',
      '* same/changed.txt',
      '= video/big.bin',
    ].sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : 1)));
    expect(rows.find((row) => row.key === 'video/big.bin')).toMatchObject({ status: 'as-predicted', proof: 'sha256' });
    expect(rows.find((row) => row.key === 'same/a.txt')).toMatchObject({ proof: 'etag', predicted: 'same content on both sides: stays as it is' });
    expect(run.stdout).toContain('Unexpected');
  }, 120_000);

  it('"check again" looks at the late key only; once it arrived, exit 0 for it', async () => {
    const home = await tempFolder();
    const pending = join(home, 'pending.txt');
    await writeFile(pending, 'new/late.txt\n');
    const before = await runCli(['audit', '--plan', planPath, '--endpoint', inject('s3').endpoint, '--only-keys', pending, '--format', 'ndjson'], home);
    expect(before.code).toBe(6);
    await put(client, bucket, 'new/late.txt', 'late');
    const after = await runCli(['audit', '--plan', planPath, '--endpoint', inject('s3').endpoint, '--only-keys', pending, '--format', 'ndjson'], home);
    expect(after.code).toBe(0);
    const rows = after.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.filter((row) => row.type !== 'totals').map((row) => [row.key, row.kind])).toEqual([['new/late.txt', 'written-from-wesendit']]);
  }, 120_000);

  it('restoring the selection puts back exactly the lost and overwritten keys', async () => {
    const selection = findings(host, 'a1').flatMap((row) => (row.restore ? [row.key] : []));
    const applied = await call(host, 'r', 'restore.apply', { connection: connectionTo(bucket), keys: selection });
    expect(applied).toMatchObject({ restored: 1, overwritten: 1, verified: true });
    expect(await bodyOf(client, bucket, 'keep/lost.txt')).toBe('only in the bucket, then lost');
    expect(await bodyOf(client, bucket, 'same/changed.txt')).toBe('will be changed by someone');
    // The conflicts WeSendit won stay as the sync left them.
    expect(await bodyOf(client, bucket, 'conflict/wesendit-wins.txt')).toBe('WeSendit version');
    const again = await call(host, 'a2', 'audit.run', { connection: connectionTo(bucket) });
    expect(findings(host, 'a2').map((row) => row.kind)).toEqual(['extra-key']);
    expect(again.restore.objects).toBe(0);
  }, 120_000);

  it('refuses a plan of another bucket, a truncated and an edited plan, and an unreachable bucket: the fix named, nothing written', async () => {
    const home = await tempFolder();
    const out = join(home, 'report.csv');
    const text = await readFile(planPath, 'utf8');
    const other = await runCli(['audit', '--plan', planPath, '--bucket', 'some-other-bucket', '--endpoint', inject('s3').endpoint, '--out', out], home);
    expect(other.code).toBe(3);
    expect(other.stderr).toContain(`is the plan of bucket ${bucket}, not of some-other-bucket`);
    const truncated = join(home, 'truncated.ndjson');
    await writeFile(truncated, text.split('\n').slice(0, 4).join('\n') + '\n');
    const cut = await runCli(['audit', '--plan', truncated, '--endpoint', inject('s3').endpoint, '--out', out], home);
    expect(cut.code).toBe(3);
    expect(cut.stderr).toMatch(/truncated.*run the preview again and save a new plan/s);
    const edited = join(home, 'edited.ndjson');
    await writeFile(edited, text.replace('"winner":"wesendit"', '"winner":"bucket"'));
    const tampered = await runCli(['audit', '--plan', edited, '--endpoint', inject('s3').endpoint, '--out', out], home);
    expect(tampered.code).toBe(3);
    expect(tampered.stderr).toContain('checksum does not match');
    const unreachable = await runCli(['audit', '--plan', planPath, '--endpoint', 'http://127.0.0.1:9', '--out', out], home);
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toMatch(/127\.0\.0\.1:9/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 120_000);
});

describe('diff --check-content and --save-plan', () => {
  it('reads only the unknown rows, turns them into same or conflict, and saves a plan the audit accepts', async () => {
    const bucket = await createBucket(client, 'audit-diff');
    const other = Buffer.from(big);
    other[5] = 99;
    await putMultipart(client, bucket, 'a-same.bin', big, 5 * MiB);
    await putMultipart(client, bucket, 'b-differs.bin', other, 5 * MiB);
    await put(client, bucket, 'c-plain.txt', 'plain');
    const home = await tempFolder();
    const manifest = join(home, 'wesendit.csv');
    await writeFile(manifest, ['path,size,modified,md5', `a-same.bin,${big.length},${OLD},${md5(big)}`, `b-differs.bin,${big.length},${OLD},${md5(big)}`, `c-plain.txt,5,${OLD},${md5('plain')}`, `d-new.txt,3,${OLD},${md5('new')}`].join('\n') + '\n');
    const base = ['diff', '--bucket', bucket, '--endpoint', inject('s3').endpoint, '--manifest', manifest, '--format', 'ndjson'];
    const plain = await runCli(base, home);
    expect(plain.code).toBe(0);
    const classes = (stdout: string): Record<string, unknown> => Object.fromEntries(stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((row) => row.key !== undefined).map((row) => [row.key, row.class]));
    expect(classes(plain.stdout)).toMatchObject({ 'a-same.bin': 'unknown', 'b-differs.bin': 'unknown' });
    const planFile = join(home, 'plan.ndjson');
    const checked = await runCli([...base, '--check-content', '--save-plan', planFile], home);
    expect(checked.code).toBe(0);
    expect(classes(checked.stdout)).toEqual({ 'a-same.bin': 'same', 'b-differs.bin': 'conflict', 'c-plain.txt': 'same', 'd-new.txt': 'only-in-wesendit' });
    expect(checked.stderr).toMatch(/Check content: read 2 objects/);
    const audit = await runCli(['audit', '--plan', planFile, '--endpoint', inject('s3').endpoint, '--format', 'ndjson'], home);
    // Nothing synced yet: WeSendit's file and the conflict WeSendit wins have not arrived.
    expect(audit.code).toBe(6);
  }, 180_000);
});
