/**
 * The connect hold end to end: the built extension in Chromium (project e2e) and Firefox (project e2e-firefox), the real companion host
 * (registered for this profile, backing up into a temporary CONNECT_GUARD_BACKUP_ROOT), the real
 * Ceph gateway, and the fake WeSendit connect form whose Connect syncs with the bucket as
 * WeSendit does.
 *
 * (a) A bucket with data: the click is held, the frame "Backing up before connect" runs the
 * backup, "Backup verified", the click goes through, the sync overwrites and adds files; from an
 * extension page a restore dry run lists exactly the overwritten (and a deleted) object, and the
 * forced apply puts every backed-up object back, checked by MD5.
 * (b) An empty bucket passes straight through: the sync happens, no backup folder is written.
 * (c) A backup that cannot be written keeps the click held, with the reason, and no sync runs.
 * (d) An upload in progress in the bucket: after the verified backup the click waits for
 * "Connect anyway"; then it goes through.
 * (e) "Back up now" from an extension page writes a verified backup under the backup root.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import type { BackupJobState, ConnectHoldState, RestoreView } from '../../shared/protocol/extension-protocol.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { requestFromExtensionFrame } from '../support/chromium.ts';
import { approveHold, frameHref, waitForDockFrame } from '../support/dock.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchExtensionBrowserWithCompanion, openExtensionPopup, type ExtensionBrowser } from '../support/extension-browser.ts';
import { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';

const md5 = (bytes: string | Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const FUTURE = '2099-01-01T00:00:00.000Z';

let rgw: CephRgw;
let s3: S3Client;
let ui: FakeWeSendit;
let extension: ExtensionBrowser | undefined;
let workDir: string;
let backupRoot: string;
let popup: Page;

async function request<T = unknown>(type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

/** Polls until `check` holds (a condition, not a fixed wait). */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} never happened: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** key → MD5 of the bytes Ceph serves. */
async function bucketContents(bucket: string): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const contents = new Map<string, string>();
  for (const object of listed.Contents ?? []) {
    if (!object.Key) continue;
    const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
    contents.set(object.Key, md5((await body.Body?.transformToByteArray()) ?? new Uint8Array()));
  }
  return contents;
}

async function fillBucket(bucket: string, files: Record<string, string>): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of Object.entries(files)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function openForm(storageId: string, bucket: string): Promise<{ page: Page; form: ConnectFormPageObject }> {
  if (!extension) throw new Error('The browser is not running.');
  const page = await extension.browser.newPage();
  const form = await ConnectFormPageObject.open(page, ui.url, { storageId });
  await form.fill({ provider: 'other', endpoint: rgw.endpoint, region: rgw.region, bucket, accessKey: rgw.accessKeyId, secretKey: rgw.secretAccessKey });
  return { page, form };
}

/** Whether `text` appears in a hold frame of `page` within `timeoutMs`, polled every 50 ms across frames. */
async function seenInHoldFrame(page: Page, text: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const href = await frameHref(frame).catch(() => '');
      if (!href.includes('/hold.html')) continue;
      const shown = await frame.evaluate(() => document.body.innerText).catch(() => '');
      if (shown.includes(text)) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** The frame "Backing up before connect" in the page's Connect Guard dock. */
async function holdFrame(page: Page): Promise<Frame> {
  const frame = await waitForDockFrame(page, '/hold.html');
  expect((await frameHref(frame)).startsWith(`${extension?.baseUrl ?? 'none'}hold.html#hold=`)).toBe(true);
  return frame;
}

const holdIdOf = async (frame: Frame): Promise<string> => decodeURIComponent(new URL(await frameHref(frame)).hash.replace(/^#hold=/, ''));
const frameText = (frame: Frame): Promise<string> => frame.evaluate(() => document.body.innerText);
const connectResult = (page: Page): Promise<unknown> => page.evaluate(() => Reflect.get(window, '__connectResult'));

function direct(bucket: string) {
  return { kind: 'direct', connection: { endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } };
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-hold-e2e-'));
  const profileDir = join(workDir, 'profile');
  backupRoot = join(workDir, 'backups');
  await mkdir(profileDir);
  await mkdir(backupRoot);
  rgw = await startCephRgw({ buckets: [] });
  s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  ui = await startFakeWeSendit({
    conflictPolicy: 'wesendit-wins',
    storages: [
      { id: 'st-full', name: 'Full', provider: 'WeSendit', region: 'eu-central-1' },
      { id: 'st-empty', name: 'Empty', provider: 'WeSendit', region: 'eu-central-1' },
      { id: 'st-fail', name: 'Fail', provider: 'WeSendit', region: 'eu-central-1' },
    ],
  });
  extension = await launchExtensionBrowserWithCompanion(profileDir, { env: { CONNECT_GUARD_BACKUP_ROOT: backupRoot } });
  popup = await openExtensionPopup(extension);
}, 180_000);

afterAll(async () => {
  await extension?.close();
  await ui?.stop();
  s3?.destroy();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('connect hold through the background, the companion and Ceph', () => {
  it('bucket with data: held, backed up, verified, released; the sync’s harm is listed by the restore dry run and undone by the apply', async () => {
    const bucket = 'hold-full';
    const original: Record<string, string> = {};
    for (let i = 0; i < 4; i++) {
      original[`docs/report-${i}.txt`] = `bucket version ${i}`;
      original[`shared/same-${i}.txt`] = `same ${i}`;
      original[`archive/old-${i}.bin`] = 'b'.repeat(200 + i);
    }
    await fillBucket(bucket, original);
    ui.setStorageFiles('st-full', [
      ...[0, 1, 2, 3].map((i) => ({ key: `docs/report-${i}.txt`, content: `wesendit version ${i}`, lastModified: FUTURE })),
      ...[0, 1, 2, 3].map((i) => ({ key: `shared/same-${i}.txt`, content: `same ${i}` })),
      { key: 'new/upload.txt', content: 'only in WeSendit' },
    ]);
    const reports = ui.syncReports().length;
    // WeSendit's sync waits until the dock has been looked at: its credentials dialog, which
    // follows the sync, replaces the backup's step in the dock.
    const sync = ui.holdConnects();

    const { page, form } = await openForm('st-full', bucket);
    await (await form.connectButton()).click();
    await page.waitForSelector('#connect[data-connect-guard="gated"]', { timeout: 15_000 });
    // The user did not preview this bucket: the frame shows it and its address, and waits for them.
    const frame = await holdFrame(page);
    await frame.waitForSelector('::-p-aria([name="Back up and connect"][role="button"])');
    expect(await frameText(frame)).toContain(rgw.endpoint);
    await approveHold(page);
    await frame.waitForSelector('::-p-text(Backing up before connect)');
    // Held: the page's own handler has not run and nothing was synced.
    expect(await form.connectAttempts()).toBe(0);
    expect(ui.syncReports()).toHaveLength(reports);

    const holdId = await holdIdOf(frame);
    const released = await until(() => request<ConnectHoldState>('connectHold.get', { holdId }), (state) => state.status !== 'checking' && state.status !== 'backing-up', 'hold end', 120_000);
    expect(released).toMatchObject({ status: 'released', backup: { status: 'done', result: { verified: true, objects: 12 } } });
    // The user sees it: "Backup verified" in the dock's hold frame (looked for in whichever hold
    // frame the dock shows, as a browser may load the frame anew when the dock moves it).
    expect(await seenInHoldFrame(page, 'Backup verified', 30_000)).toBe(true);
    sync.release();
    const folder = released.backup?.result?.folder ?? '';
    expect(folder.startsWith(backupRoot)).toBe(true);

    // The click went through: the page's handler ran and the sync changed the bucket.
    await page.waitForFunction(() => Reflect.get(window, '__connectResult') !== null, { timeout: 60_000 });
    expect(await connectResult(page)).toEqual({ ok: true });
    const report = ui.syncReports().at(-1);
    expect(report?.bucket).toBe(bucket);
    const overwritten = [...(report?.overwrittenInBucket ?? [])].sort();
    expect(overwritten).toEqual(['docs/report-0.txt', 'docs/report-1.txt', 'docs/report-2.txt', 'docs/report-3.txt']);
    expect(report?.written).toEqual(['new/upload.txt']);
    // And one object is lost afterwards, as a later sync might do.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'archive/old-0.bin' }));

    const planned = await request<RestoreView>('restore.plan', { connection: direct(bucket), force: true });
    const plan = await until(() => request<RestoreView>('restore.state', { restoreId: planned.restoreId }), (view) => view.status !== 'planning', 'restore plan');
    expect(plan).toMatchObject({ status: 'planned', folder, bucket, deleted: 1, changed: 4 });
    const rows = plan.rows.map((row) => `${row.change} ${row.key}`).sort();
    expect(rows).toEqual(['deleted archive/old-0.bin', ...overwritten.map((key) => `changed ${key}`)].sort());

    await request<RestoreView>('restore.apply', { restoreId: plan.restoreId });
    const applied = await until(() => request<RestoreView>('restore.state', { restoreId: plan.restoreId }), (view) => view.status !== 'applying', 'restore apply', 120_000);
    expect(applied).toMatchObject({ status: 'done', applied: { restored: 1, overwritten: 4, verified: true } });
    const after = await bucketContents(bucket);
    for (const [key, body] of Object.entries(original)) expect(after.get(key), key).toBe(md5(body));
    // Only the file WeSendit added is beyond the backup.
    expect([...after.keys()].filter((key) => !(key in original))).toEqual(['new/upload.txt']);
    await page.close();
  }, 300_000);

  it('an empty bucket passes straight through: the sync runs, no backup is written', async () => {
    const bucket = 'hold-empty';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    ui.setStorageFiles('st-empty', [{ key: 'readme.txt', content: 'hi' }]);
    const before = await readdir(backupRoot);
    const { page, form } = await openForm('st-empty', bucket);
    await (await form.connectButton()).click();
    await approveHold(page);
    await page.waitForFunction(() => Reflect.get(window, '__connectResult') !== null, { timeout: 60_000 });
    expect(await connectResult(page)).toEqual({ ok: true });
    expect([...(await bucketContents(bucket)).keys()]).toEqual(['readme.txt']);
    expect(ui.syncReports().at(-1)).toMatchObject({ bucket, written: ['readme.txt'] });
    expect(await readdir(backupRoot)).toEqual(before);
    await page.close();
  }, 120_000);

  it('a backup that cannot be written keeps the click held with the reason; nothing is synced', async () => {
    const bucket = 'hold-fail';
    await fillBucket(bucket, { 'a.txt': 'a', 'b.txt': 'b' });
    ui.setStorageFiles('st-fail', [{ key: 'a.txt', content: 'WeSendit a' }]);
    // The backup root becomes a plain file: no folder can be made in it (even for root).
    const moved = `${backupRoot}-moved`;
    await rename(backupRoot, moved);
    await writeFile(backupRoot, 'not a folder');
    try {
      const reports = ui.syncReports().length;
      const { page, form } = await openForm('st-fail', bucket);
      await (await form.connectButton()).click();
      await approveHold(page);
      const frame = await holdFrame(page);
      const holdId = await holdIdOf(frame);
      const failed = await until(() => request<ConnectHoldState>('connectHold.get', { holdId }), (state) => state.status === 'failed' || state.status === 'released', 'hold failure', 120_000);
      expect(failed.status).toBe('failed');
      expect(failed.error?.message).toBeTruthy();
      await frame.waitForSelector('::-p-text(The backup failed)', { timeout: 15_000 });
      expect(await frameText(frame)).toContain(failed.error?.message ?? '');
      expect(await request<{ released: boolean }>('connectHold.get', { holdId })).toMatchObject({ status: 'failed' });
      expect(await form.connectAttempts()).toBe(0);
      expect(await connectResult(page)).toBeNull();
      expect(ui.syncReports()).toHaveLength(reports);
      expect(await bucketContents(bucket)).toEqual(new Map([['a.txt', md5('a')], ['b.txt', md5('b')]]));
      await page.close();
    } finally {
      await rm(backupRoot, { force: true });
      await rename(moved, backupRoot);
    }
  }, 180_000);

  it('an upload in progress needs "Connect anyway" after the verified backup; then the click goes through', async () => {
    const bucket = 'hold-uploads';
    await fillBucket(bucket, { 'kept.txt': 'kept' });
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'video/in-progress.mov' }));
    try {
      ui.setStorageFiles('st-full', [{ key: 'other.txt', content: 'other' }]);
      const { page, form } = await openForm('st-full', bucket);
      await (await form.connectButton()).click();
      await approveHold(page);
      const frame = await holdFrame(page);
      const holdId = await holdIdOf(frame);
      const waiting = await until(() => request<ConnectHoldState>('connectHold.get', { holdId }), (state) => state.status !== 'checking' && state.status !== 'backing-up', 'confirmation', 120_000);
      expect(waiting).toMatchObject({ status: 'needs-confirmation', multipartUploads: { supported: true, count: 1, keys: ['video/in-progress.mov'] }, backup: { status: 'done', result: { verified: true } } });
      expect(await form.connectAttempts()).toBe(0);
      // The connect form holds the bucket's typed keys, but it is not WeSendit's one-time credentials view: no gate prompt.
      expect(page.frames().some((candidate) => candidate.url().includes('/gate.html'))).toBe(false);
      // A mouse click on the frame's own button, found by its accessible name.
      await frame.locator('::-p-aria([name="Connect anyway"][role="button"])').click();
      await until(() => request<ConnectHoldState>('connectHold.get', { holdId }), (state) => state.status !== 'needs-confirmation', 'connect anyway', 15_000);
      expect(await request<ConnectHoldState>('connectHold.get', { holdId })).toMatchObject({ status: 'released', backup: { status: 'done' } });
      await page.waitForFunction(() => Reflect.get(window, '__connectResult') !== null, { timeout: 60_000 });
      expect(await connectResult(page)).toEqual({ ok: true });
      await page.close();
    } finally {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'video/in-progress.mov', UploadId: upload.UploadId }));
    }
  }, 180_000);

  it('"Back up now" from an extension page: a verified backup into the backup root, the latest reopens on it', async () => {
    const bucket = 'backup-now';
    await fillBucket(bucket, { 'one.txt': 'one', 'two/three.txt': 'three' });
    const started = await request<BackupJobState>('backup.start', { connection: direct(bucket) });
    expect(started).toMatchObject({ status: 'running', bucket: { bucket } });
    const done = await until(() => request<BackupJobState>('backup.state', { backupId: started.backupId }), (state) => state.status !== 'running', 'backup', 120_000);
    expect(done).toMatchObject({ status: 'done', result: { objects: 2, verified: true } });
    expect(done.result?.folder.startsWith(join(backupRoot, bucket))).toBe(true);
    expect(await request<BackupJobState | null>('backup.latest', {})).toMatchObject({ backupId: started.backupId, status: 'done' });
    expect(JSON.stringify(done)).not.toContain(rgw.secretAccessKey);
  }, 180_000);
});
