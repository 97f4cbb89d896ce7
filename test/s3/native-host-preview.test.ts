/**
 * The real host process (`connect-guard host`, as the browser starts it) previewing a connect
 * against the real Ceph gateway: WeSendit's listing uploaded in batches, the bucket listed and
 * diffed, rows streamed in chunk frames under Chromium's 1 MB limit; cancel while the host is
 * held by backpressure; a wrong secret reported by the doctor; the secret in no log.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import type { InventoryEntry } from '../../shared/inventory.ts';
import { CHROMIUM_MAX_HOST_MESSAGE_BYTES, COMPANION_PROTOCOL_VERSION } from '../../shared/protocol/companion-protocol.ts';
import { checkChunk, checkProgress, checkResult } from '../../shared/protocol/companion-guards.ts';
import type { BucketConnection } from '../../shared/protocol/views.ts';
import { spawnNativeHostProcess } from '../support/native-host-process.ts';
import { createBucket, putKeys, sortByUtf8, testClient } from './s3-fixtures.ts';

const bin = join(fileURLToPath(new URL('../..', import.meta.url)), 'companion', 'bin', 'connect-guard.js');
const ORIGIN = `chrome-extension://${DEV_EXTENSION_ID}/`;
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** `tempDir`: the host's TMPDIR, where a preview spools its rows while the totals go out first. */
function startHost(tempDir?: string) {
  return spawnNativeHostProcess(process.execPath, [bin, 'host', '--allowed-origin', ORIGIN, ORIGIN], tempDir === undefined ? {} : { env: { ...process.env, TMPDIR: tempDir } });
}

function isRowsPhase(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'phase' in data && data.phase === 'rows';
}

let connection: BucketConnection;
let bucket: string;
const SAME = 'docs/same.txt';
const CONFLICT = 'docs/conflict.txt';
const ONLY_WESENDIT = 'docs/only-in-wesendit.txt';
/** Long keys only in the bucket, so the rows add up to well over 1 MB. */
const bucketOnly = Array.from({ length: 2500 }, (_, i) => `photos/${String(i).padStart(5, '0')}-${'ä'.repeat(120)}.jpg`);

beforeAll(async () => {
  const server = inject('s3');
  const client = testClient();
  bucket = await createBucket(client, 'host-preview');
  await putKeys(client, bucket, bucketOnly);
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: SAME, Body: 'same content' }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: CONFLICT, Body: 'bucket version, longer' }));
  client.destroy();
  connection = { endpoint: server.endpoint, region: server.region, bucket, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
}, 120_000);

const wesendit: InventoryEntry[] = [
  { key: SAME, size: 'same content'.length, md5: md5('same content') },
  { key: CONFLICT, size: 'wesendit version'.length, md5: md5('wesendit version'), lastModified: '2020-01-01T00:00:00Z' },
  { key: ONLY_WESENDIT, size: 42, md5: md5('x') },
];

describe('diff.preview through the real host', () => {
  const hosts: ReturnType<typeof startHost>[] = [];
  afterAll(async () => {
    await Promise.all(hosts.map((host) => host.close()));
  });

  it('sends the totals first, then every row in chunk frames under 1 MB, totals that match the data, and leaves no spool behind', async () => {
    const spoolRoot = await mkdtemp(join(tmpdir(), 'connect-guard-host-spool-'));
    const host = startHost(spoolRoot);
    hosts.push(host);
    // Two batches, in reverse order: the host sorts them.
    host.send({ id: 'u1', type: 'inventory.upload', data: { uploadId: 'w', entries: wesendit.slice(2) }, timeoutMs: 10_000 });
    host.send({ id: 'u2', type: 'inventory.upload', data: { uploadId: 'w', entries: wesendit.slice(0, 2) }, timeoutMs: 10_000 });
    expect(await host.final('u2')).toMatchObject({ ok: { staged: 3 } });
    host.send({ id: 'p', type: 'diff.preview', data: { connection, wesendit: { kind: 'upload', uploadId: 'w' } }, timeoutMs: 120_000 });
    const final = await host.final('p');
    if (!('ok' in final)) throw new Error(`preview failed: ${JSON.stringify(final)}`);
    const summary = checkResult('diff.preview', final.ok);
    if (!summary.ok) throw new Error(summary.problem);
    const rows = host.received.flatMap((message) => {
      if (message.id !== 'p' || !('event' in message) || message.event !== 'chunk') return [];
      const chunk = checkChunk('diff.preview', message.data);
      if (!chunk.ok) throw new Error(chunk.problem);
      return chunk.value;
    });
    const chunkCount = host.received.filter((message) => message.id === 'p' && 'event' in message && message.event === 'chunk').length;
    expect(final.chunks).toBe(chunkCount);
    expect(chunkCount).toBeGreaterThan(4);
    expect(Math.max(...host.frameBytes)).toBeLessThan(CHROMIUM_MAX_HOST_MESSAGE_BYTES / 2);
    expect(host.received.some((message) => message.id === 'p' && 'event' in message && message.event === 'progress')).toBe(true);

    const expectedKeys = sortByUtf8([...bucketOnly, SAME, CONFLICT, ONLY_WESENDIT]);
    expect(rows.map((row) => row.key)).toEqual(expectedKeys);
    const classOf = new Map(rows.map((row) => [row.key, row.class]));
    expect(classOf.get(SAME)).toBe('same');
    expect(classOf.get(CONFLICT)).toBe('conflict');
    expect(classOf.get(ONLY_WESENDIT)).toBe('only-in-wesendit');
    expect(bucketOnly.every((key) => classOf.get(key) === 'only-in-bucket')).toBe(true);
    const { totals } = summary.value;
    expect(summary.value).toMatchObject({ rows: expectedKeys.length, bucketObjects: bucketOnly.length + 2, wesenditObjects: 3 });
    expect(totals.classes['only-in-bucket'].objects).toBe(bucketOnly.length);
    expect(totals.classes.same).toEqual({ objects: 1, bucketBytes: 12, wesenditBytes: 12 });
    expect(totals.classes.conflict).toEqual({ objects: 1, bucketBytes: 'bucket version, longer'.length, wesenditBytes: 'wesendit version'.length });
    expect(totals.classes['only-in-wesendit']).toEqual({ objects: 1, bucketBytes: 0, wesenditBytes: 42 });

    // The totals came as progress phase 'rows' before the first row, equal to the final ones.
    const ofPreview = host.received.filter((message) => message.id === 'p');
    const rowsAt = ofPreview.findIndex((message) => 'event' in message && message.event === 'progress' && checkProgress('diff.preview', message.data).ok && isRowsPhase(message.data));
    const firstChunkAt = ofPreview.findIndex((message) => 'event' in message && message.event === 'chunk');
    expect(rowsAt).toBeGreaterThanOrEqual(0);
    expect(rowsAt).toBeLessThan(firstChunkAt);
    const early = ofPreview[rowsAt];
    if (!early || !('event' in early)) throw new Error('unreachable');
    const progress = checkProgress('diff.preview', early.data);
    if (!progress.ok) throw new Error(progress.problem);
    expect(progress.value).toMatchObject({ phase: 'rows', totals, rows: expectedKeys.length, bucketObjects: bucketOnly.length + 2, wesenditObjects: 3 });
    expect(await readdir(spoolRoot)).toEqual([]);
    await rm(spoolRoot, { recursive: true, force: true });
  }, 120_000);

  it('previews against a manifest file the user picked, totals only', async () => {
    const host = startHost();
    hosts.push(host);
    const folder = await mkdtemp(join(tmpdir(), 'connect-guard-host-manifest-'));
    try {
      const manifest = join(folder, 'wesendit.csv');
      await writeFile(manifest, `path,size,modified,md5\n${SAME},12,2024-03-01T10:00:00Z,${md5('same content')}\n${ONLY_WESENDIT},42,2024-03-01T10:00:00Z,\n`);
      host.send({ id: 'm', type: 'diff.preview', data: { connection, wesendit: { kind: 'manifest', path: manifest }, includeRows: false }, timeoutMs: 120_000 });
      const final = await host.final('m');
      expect(final).toMatchObject({ ok: { rows: 0, bucketObjects: bucketOnly.length + 2, wesenditObjects: 2 }, chunks: 0 });
      if (!('ok' in final)) throw new Error('unreachable');
      const summary = checkResult('diff.preview', final.ok);
      if (!summary.ok) throw new Error(summary.problem);
      expect(summary.value.totals.classes.same.objects).toBe(1);
      expect(summary.value.totals.classes['only-in-wesendit'].objects).toBe(1);
      expect(summary.value.totals.classes['only-in-bucket'].objects).toBe(bucketOnly.length + 1);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it('cancels a preview the browser stopped reading: CANCELLED, no ok, the spool removed, and the host serves on', async () => {
    const spoolRoot = await mkdtemp(join(tmpdir(), 'connect-guard-host-spool-'));
    const host = startHost(spoolRoot);
    hosts.push(host);
    host.send({ id: 'c', type: 'diff.preview', data: { connection, wesendit: { kind: 'inline', entries: wesendit } }, timeoutMs: 120_000 });
    await host.waitFor(() => host.received.some((message) => message.id === 'c' && 'event' in message && message.event === 'chunk'));
    // Stop reading: the pipe fills and the host waits on it mid-stream.
    host.child.stdout.pause();
    host.send({ id: 'c', type: 'cancel' });
    host.child.stdout.resume();
    const final = await host.final('c');
    expect(final).toMatchObject({ error: { code: 'CANCELLED' } });
    expect(host.received.filter((message) => message.id === 'c' && ('ok' in message || 'error' in message))).toHaveLength(1);
    host.send({ id: 'after', type: 'ping', data: {}, timeoutMs: 10_000 });
    expect(await host.final('after')).toMatchObject({ ok: { protocolVersion: COMPANION_PROTOCOL_VERSION } });
    // The handler unwinds after the reply: wait until its spool folder is gone.
    await expect.poll(() => readdir(spoolRoot), { timeout: 20_000 }).toEqual([]);
    await rm(spoolRoot, { recursive: true, force: true });
  }, 120_000);

  it('reports a wrong secret through the doctor and the preview, and logs neither secret', async () => {
    const host = startHost();
    hosts.push(host);
    const wrongSecret = 'cg-test-wrong-secret-never-logged-0001';
    const wrong = { ...connection, secretAccessKey: wrongSecret };
    host.send({ id: 'd', type: 'doctor', data: { connection: wrong }, timeoutMs: 60_000 });
    host.send({ id: 'p', type: 'diff.preview', data: { connection: wrong, wesendit: { kind: 'inline', entries: [] } }, timeoutMs: 60_000 });
    const doctor = await host.final('d');
    if (!('ok' in doctor)) throw new Error(JSON.stringify(doctor));
    const report = checkResult('doctor', doctor.ok);
    if (!report.ok) throw new Error(report.problem);
    expect(report.value.ok).toBe(false);
    expect(report.value.checks.find((check) => check.status === 'fail')).toMatchObject({ code: 'WRONG_SECRET_KEY' });
    expect(await host.final('p')).toMatchObject({ error: { code: 'WRONG_SECRET_KEY' } });
    await host.close();
    expect(host.stderr()).toMatch(/request/);
    expect(host.stderr()).not.toContain(wrongSecret);
    expect(host.stderr()).not.toContain(connection.secretAccessKey);
  }, 120_000);
});
