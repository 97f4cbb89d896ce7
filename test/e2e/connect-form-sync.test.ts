/**
 * The fake WeSendit UI's "Connect" does what WeSendit does, against the real Ceph gateway on
 * 127.0.0.1: files only in the bucket appear in the storage, files only in the storage are
 * written to the bucket, same content stays, and a same-name file with different content is
 * overwritten by WeSendit's version (`wesendit-wins`) or by the newer side (`newer-wins`). The
 * expected outcome is computed here from what the test put on both sides, and checked against
 * the bucket as Ceph lists and serves it afterwards and against the server's sync report.
 *
 * In Chromium with the built extension and the companion host registered: the connect form's own
 * Connect button on an empty bucket passes the connect hold (a Fresh Start needs no backup),
 * syncs, then WeSendit's one-time credentials dialog appears and the gate holds it.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import type { ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { approveHold } from '../support/dock.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';
import { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import type { FakeFileSpec } from '../fake-wesendit/fake-storage.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';

let rgw: CephRgw;
let s3: S3Client;
let ui: FakeWeSendit;
let chromium: ChromiumWithExtension | undefined;
let page: Page;
let workDir: string | undefined;

const md5 = (bytes: string | Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const OLD = '2020-01-01T00:00:00.000Z';
const FUTURE = '2099-01-01T00:00:00.000Z';

interface Scenario {
  readonly bucketFiles: Record<string, string>;
  readonly storageFiles: readonly FakeFileSpec[];
}

/** Same, conflicting (WeSendit older for 0–1, newer for 2–3), bucket-only and storage-only files. */
function scenario(tag: string): Scenario {
  const bucketFiles: Record<string, string> = {};
  const storageFiles: FakeFileSpec[] = [];
  for (let i = 0; i < 4; i += 1) {
    bucketFiles[`shared/same-${i}.txt`] = `same ${tag} ${i}`;
    storageFiles.push({ key: `shared/same-${i}.txt`, content: `same ${tag} ${i}` });
    bucketFiles[`docs/report-${i}.txt`] = `bucket version ${tag} ${i}`;
    storageFiles.push({ key: `docs/report-${i}.txt`, content: `wesendit version ${tag} ${i}`, lastModified: i < 2 ? OLD : FUTURE });
    bucketFiles[`archive/old-${i}.bin`] = `${'b'.repeat(100 + i)} ${tag}`;
    storageFiles.push({ key: `new/upload-${i}.txt`, size: 500 + i, seed: tag });
  }
  return { bucketFiles, storageFiles };
}

async function fillBucket(bucket: string, files: Record<string, string>): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of Object.entries(files)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** key → MD5 of the bytes Ceph serves. */
async function bucketContents(bucket: string): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const contents = new Map<string, string>();
  for (const object of listed.Contents ?? []) {
    if (!object.Key) continue;
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
    contents.set(object.Key, md5(await body.Body?.transformToByteArray() ?? new Uint8Array()));
  }
  return contents;
}

async function connectOverHttp(storageId: string, bucket: string, secretKey = rgw.secretAccessKey): Promise<Response> {
  return fetch(`${ui.url}/api/storages/connect?storage=${storageId}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ provider: 'other', endpoint: rgw.endpoint, region: rgw.region, bucket, accessKey: rgw.accessKeyId, secretKey }),
  });
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  rgw = await startCephRgw({ buckets: [] });
  s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  ui = await startFakeWeSendit({
    storages: [
      { id: 'st-a', name: 'Storage A', provider: 'WeSendit', region: 'eu-central-1' },
      { id: 'st-b', name: 'Storage B', provider: 'WeSendit', region: 'eu-central-1' },
      { id: 'st-c', name: 'Storage C', provider: 'WeSendit', region: 'eu-central-1' },
    ],
  });
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  s3?.destroy();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('Connect syncs the storage with the bucket', () => {
  it.each(['wesendit-wins', 'newer-wins'] as const)('%s: merge both sides, overwrite conflicts by the policy', async (policy) => {
    const storageId = policy === 'wesendit-wins' ? 'st-a' : 'st-b';
    const bucket = `sync-${policy}`;
    const { bucketFiles, storageFiles } = scenario(policy);
    await fillBucket(bucket, bucketFiles);
    ui.setStorageFiles(storageId, storageFiles);
    const before = new Map(ui.storageFiles(storageId).map((file) => [file.key, file]));

    ui.setConflictPolicy(policy);
    const response = await connectOverHttp(storageId, bucket);
    expect(response.status).toBe(200);
    const body: unknown = await response.json();
    expect(body).toMatchObject({ credentials: { secretKey: expect.stringMatching(/^cgtest-secret-/) } });

    // Expected, from the two sides as the test set them up.
    const conflicts = Object.keys(bucketFiles).filter((key) => before.has(key) && md5(bucketFiles[key] ?? '') !== before.get(key)?.md5);
    const wesenditWinsConflict = (key: string): boolean => policy === 'wesendit-wins' || before.get(key)?.lastModified === FUTURE;
    const expectedBucket = new Map<string, string>();
    for (const [key, body] of Object.entries(bucketFiles)) expectedBucket.set(key, md5(body));
    for (const [key, file] of before) if (!(key in bucketFiles) || wesenditWinsConflict(key)) expectedBucket.set(key, file.md5);
    expect(conflicts).toHaveLength(4);

    expect(await bucketContents(bucket)).toEqual(expectedBucket);
    // The storage now shows every file of both sides, each with the content that won.
    expect(new Map(ui.storageFiles(storageId).map((file) => [file.key, file.md5]))).toEqual(expectedBucket);

    const report = ui.syncReports().at(-1);
    expect(report).toEqual({
      storageId,
      bucket,
      policy,
      written: [...before.keys()].filter((key) => !(key in bucketFiles)).sort(),
      overwrittenInBucket: conflicts.filter(wesenditWinsConflict).sort(),
      addedToStorage: Object.keys(bucketFiles).filter((key) => !before.has(key)).sort(),
      overwrittenInStorage: conflicts.filter((key) => !wesenditWinsConflict(key)).sort(),
      unchanged: 4,
    });
    expect(report?.overwrittenInBucket).toHaveLength(policy === 'wesendit-wins' ? 4 : 2);
  });

  it('a wrong secret changes nothing and says which key to check', async () => {
    const bucket = 'sync-wrong-secret';
    await fillBucket(bucket, { 'a.txt': 'a' });
    ui.setStorageFiles('st-c', [{ key: 'b.txt', content: 'b' }]);
    const reports = ui.syncReports().length;
    const response = await connectOverHttp('st-c', bucket, 'cgtest-secret-wrong-0000000000000000000000');
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: expect.stringContaining('Secret Key') });
    expect([...(await bucketContents(bucket)).keys()]).toEqual(['a.txt']);
    expect(ui.syncReports()).toHaveLength(reports);
  });

  it('refuses any S3 endpoint that is not on this machine', async () => {
    const response = await fetch(`${ui.url}/api/storages/connect?storage=st-c`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provider: 'aws', region: 'eu-west-1', bucket: 'x', accessKey: 'CGTESTX', secretKey: 'cgtest-secret-x' }),
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: expect.stringContaining('127.0.0.1') });
  });

  it('in Chromium: the form’s own Connect syncs into an empty bucket, then the one-time credentials dialog appears, held by the gate', async () => {
    const bucket = 'sync-browser-empty';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    ui.setStorageFiles('st-c', [{ key: 'photos/a.jpg', size: 2048, seed: 'x' }, { key: 'readme.txt', content: 'hi' }]);
    ui.setConflictPolicy('wesendit-wins');
    // The connect hold asks the companion whether the bucket is empty: register the host for this profile.
    workDir = await mkdtemp(join(tmpdir(), 'connect-guard-sync-e2e-'));
    const profileDir = join(workDir, 'profile');
    await mkdir(profileDir);
    chromium = await launchChromiumWithCompanion(profileDir, { env: { CONNECT_GUARD_BACKUP_ROOT: join(workDir, 'backups') } });
    page = await chromium.browser.newPage();
    const form = await ConnectFormPageObject.open(page, ui.url, { storageId: 'st-c', lang: 'de' });
    await form.fill({ provider: 'other', endpoint: rgw.endpoint, region: rgw.region, bucket, accessKey: rgw.accessKeyId, secretKey: rgw.secretAccessKey });
    await (await form.connectButton()).click();
    // A bucket the user did not preview: they check its address in the hold frame and approve.
    await approveHold(page);
    await page.waitForFunction(() => Reflect.get(window, '__connectResult') !== null, { timeout: 30_000 });
    expect(await page.evaluate(() => Reflect.get(window, '__connectResult'))).toEqual({ ok: true });
    // The hold let the click through as a Fresh Start: the button carried the hold's marker.
    expect(await page.$eval('#connect', (button) => button.getAttribute('data-connect-guard'))).toBe('released');
    expect([...(await bucketContents(bucket)).entries()]).toEqual(ui.storageFiles('st-c').map((file) => [file.key, file.md5]));
    await page.waitForSelector('::-p-text(Ihre S3-Zugangsdaten)');
    await page.waitForSelector('.btn-primary[data-connect-guard="gated"]', { timeout: 15_000 });
  });
});
