/**
 * The sync review end to end: the built extension in Chromium, the real companion host, the real
 * Ceph gateway and the fake WeSendit UI whose Connect really syncs. The user previews the connect
 * (WeSendit's side from a manifest), clicks Connect, the hold backs the bucket up and keeps the
 * plan beside the backup, and WeSendit syncs — well, or misbehaving as a real sync could (a file
 * it should write dropped, a bucket file deleted, one conflict won by the other side, one object
 * corrupted, one file late). The review from Connect Guard's popup reports each exactly, with its
 * class and the restore selection; "Check again" re-lists only the late key; a well-behaved sync
 * reports nothing unexpected; the dock's review on the storage's page reads WeSendit's side from
 * the file browser in that tab (and is offered only in the tab that connected); and the popup's
 * "Review sync result" shows the findings and opens the restore of exactly the selection, dry run
 * first.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import type { AuditView, ConnectHoldState, PreviewState } from '../../shared/protocol/extension-protocol.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { choosePopupTab, openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { chooseBackupToReview, dockCount, isExtensionUrl, waitForDockFrame } from '../support/dock.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';
import { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import type { FakeFileSpec } from '../fake-wesendit/fake-storage.ts';
import type { SyncMisbehaviour } from '../fake-wesendit/fake-connect-sync.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';

const OLD = '2020-01-01T00:00:00.000Z';

let rgw: CephRgw;
let s3: S3Client;
let ui: FakeWeSendit;
let chromium: ChromiumWithExtension | undefined;
let workDir: string;
let popup: Page;

async function request<T = unknown>(type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

/** Polls until `check` holds (a condition, not a fixed wait). */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} never happened: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function direct(bucket: string) {
  return { kind: 'direct', connection: { endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } };
}

/** The storage's files as a WeSendit manifest (CSV: path,size,modified,md5). */
async function writeManifest(storageId: string, name: string): Promise<string> {
  const path = join(workDir, `${name}.csv`);
  const lines = ui.storageFiles(storageId).map((file) => `${file.key},${file.size},${file.lastModified},${file.md5}`);
  await writeFile(path, ['path,size,modified,md5', ...lines].join('\n') + '\n');
  return path;
}

const BUCKET_FILES: Record<string, string> = {
  'archive/old-0.bin': 'archived 0',
  'archive/old-1.bin': 'archived 1',
  'docs/report-0.txt': 'bucket version 0',
  'docs/report-1.txt': 'bucket version 1',
  'shared/same-0.txt': 'same 0',
  'shared/same-1.txt': 'same 1',
};
const STORAGE_FILES: readonly FakeFileSpec[] = [
  { key: 'docs/report-0.txt', content: 'WeSendit version 0', lastModified: OLD },
  { key: 'docs/report-1.txt', content: 'WeSendit version 1', lastModified: OLD },
  { key: 'shared/same-0.txt', content: 'same 0' },
  { key: 'shared/same-1.txt', content: 'same 1' },
  { key: 'new/upload-0.txt', content: 'new 0' },
  { key: 'new/upload-1.txt', content: 'new 1' },
  { key: 'new/upload-2.txt', content: 'new 2' },
];

/** Preview, Connect (held, backed up, released), WeSendit's sync; returns the backup folder and the tab. */
async function connect(storageId: string, bucket: string, misbehave: SyncMisbehaviour): Promise<{ folder: string; page: Page }> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [key, body] of Object.entries(BUCKET_FILES)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  ui.setStorageFiles(storageId, STORAGE_FILES);
  ui.setSyncMisbehaviour(misbehave);
  const manifest = await writeManifest(storageId, `${storageId}-before`);
  const preview = await request<PreviewState>('preview.start', { connection: direct(bucket), wesendit: { kind: 'manifest', path: manifest } });
  await until(() => request<PreviewState>('preview.state', { previewId: preview.previewId }), (state) => state.status === 'done', 'preview');

  if (!chromium) throw new Error('Chromium is not running.');
  const page = await chromium.browser.newPage();
  const form = await ConnectFormPageObject.open(page, ui.url, { storageId });
  await form.fill({ provider: 'other', endpoint: rgw.endpoint, region: rgw.region, bucket, accessKey: rgw.accessKeyId, secretKey: rgw.secretAccessKey });
  await (await form.connectButton()).click();
  const frame = await waitForDockFrame(page, '/hold.html');
  const holdId = decodeURIComponent(new URL(frame.url()).hash.replace(/^#hold=/, ''));
  const released = await until(() => request<ConnectHoldState>('connectHold.get', { holdId }), (state) => state.status !== 'checking' && state.status !== 'backing-up', 'hold end');
  expect(released).toMatchObject({ status: 'released', backup: { status: 'done', result: { verified: true } } });
  await page.waitForFunction(() => Reflect.get(window, '__connectResult') !== null, { timeout: 60_000 });
  expect(await page.evaluate(() => Reflect.get(window, '__connectResult'))).toEqual({ ok: true });
  const result = released.backup?.result;
  expect(result?.plan).toBe(join(result?.folder ?? '', 'plan.ndjson'));
  return { folder: result?.folder ?? '', page };
}

async function review(bucket: string, folder: string, wesenditManifest?: string): Promise<AuditView> {
  const started = await request<AuditView>('audit.start', { connection: direct(bucket), folder, ...(wesenditManifest ? { wesenditManifest } : {}) });
  return until(() => request<AuditView>('audit.state', { auditId: started.auditId }), (view) => view.status !== 'running', 'review');
}

const findingsOf = (view: AuditView): string[][] => view.findings.map((row) => [row.key, row.status, row.kind, row.mark, row.restore ?? '-']);

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-review-e2e-'));
  const profileDir = join(workDir, 'profile');
  await mkdir(profileDir);
  rgw = await startCephRgw({ buckets: [] });
  s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  ui = await startFakeWeSendit({
    conflictPolicy: 'wesendit-wins',
    storages: [
      { id: 'st-good', name: 'Good sync', provider: 'WeSendit', region: 'eu-central-1' },
      { id: 'st-bad', name: 'Bad sync', provider: 'WeSendit', region: 'eu-central-1' },
    ],
  });
  chromium = await launchChromiumWithCompanion(profileDir, { env: { CONNECT_GUARD_BACKUP_ROOT: join(workDir, 'backups') } });
  popup = await openPopup(chromium.browser, chromium.extensionId);
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  s3?.destroy();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('Review sync result against the plan kept at the connect', () => {
  it('a well-behaved sync: every key as predicted, nothing unexpected, nothing to restore', async () => {
    const bucket = 'review-good';
    const { folder, page } = await connect('st-good', bucket, {});
    await page.close();

    // Another tab on WeSendit's origin — as days later — is offered the review in the dock; the
    // same page on another origin (localhost, not the 127.0.0.1 WeSendit was used on) is offered
    // nothing. The foreign one is opened first, so it has had its answer when the other shows it.
    if (!chromium) throw new Error('Chromium is not running.');
    const foreign = await chromium.browser.newPage();
    await foreign.goto(`${ui.url.replace('127.0.0.1', 'localhost')}/storage/files?storage=st-good`);
    const later = await chromium.browser.newPage();
    await later.goto(`${ui.url}/storage/files?storage=st-good`);
    const frame = await waitForDockFrame(later, '/review.html');
    expect(await dockCount(foreign.mainFrame())).toBe(0);
    expect(foreign.frames().filter((candidate) => isExtensionUrl(candidate.url()))).toEqual([]);
    await foreign.close();

    const view = await review(bucket, folder);
    expect(view.status).toBe('done');
    expect(view.result).toMatchObject({ verdict: 'as-predicted', objects: 9, unexpected: { objects: 0 }, notYetArrived: { objects: 0 }, restore: { objects: 0 } });
    expect(view.result?.asPredicted.objects).toBe(9);
    expect(view.findings).toEqual([]);

    // Nothing runs until the user clicks in the dock's frame.
    const started = (await request<AuditView>('audit.state', { auditId: view.auditId })).auditId;
    await frame.waitForSelector('::-p-aria([name="Review sync result"][role="button"])');
    expect((await request<AuditView>('audit.state', { auditId: started })).auditId).toBe(started);
    await frame.locator('::-p-aria([name="Review sync result"][role="button"])').click();
    // No vault in this profile yet: the bucket's keys are typed in.
    await frame.locator('::-p-aria([name="Type the keys in"][role="radio"])').click();
    await frame.waitForSelector('::-p-aria(Access key of the bucket)', { timeout: 10_000 }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the frame shows: ${await frame.evaluate(() => document.body.innerText)}`);
    });
    await frame.locator('::-p-aria(Access key of the bucket)').fill(rgw.accessKeyId);
    await frame.locator('::-p-aria(Secret key of the bucket)').fill(rgw.secretAccessKey);
    await frame.locator('::-p-aria([name="Start review"][role="button"])').click();
    await frame.waitForSelector('::-p-text(The sync did what the preview predicted.)', { timeout: 60_000 });
    await later.close();
  }, 300_000);

  it('a misbehaving sync: each misbehaviour reported exactly, with its class and the restore selection; Check again re-lists only the keys that had not arrived', async () => {
    const bucket = 'review-bad';
    const { folder, page } = await connect('st-bad', bucket, {
      dropWrite: 'new/upload-0.txt',
      deleteBucketFile: 'archive/old-0.bin',
      otherSideWins: 'docs/report-1.txt',
      corrupt: 'shared/same-1.txt',
      late: ['new/upload-2.txt'],
    });
    const expected = [
      ['archive/old-0.bin', 'unexpected', 'gone-from-bucket', '+', 'restore'],
      ['docs/report-1.txt', 'unexpected', 'conflict-won-by-other-side', '*', '-'],
      ['new/upload-0.txt', 'not-yet-arrived', 'not-written-yet', '+', '-'],
      ['new/upload-2.txt', 'not-yet-arrived', 'not-written-yet', '+', '-'],
      ['shared/same-1.txt', 'unexpected', 'changed-unexpectedly', '*', 'overwrite'],
    ];

    // In the dock on the storage's page, the review reads WeSendit's side from the file browser in
    // this tab: the conflict the bucket won is named as such, as with a manifest below.
    await page.goto(`${ui.url}/storage/files?storage=st-bad`);
    const frame = await waitForDockFrame(page, '/review.html');
    expect(await chooseBackupToReview(frame, bucket)).toBe(true);
    await frame.locator('::-p-aria([name="Type the keys in"][role="radio"])').click();
    await frame.locator('::-p-aria(Access key of the bucket)').fill(rgw.accessKeyId);
    await frame.locator('::-p-aria(Secret key of the bucket)').fill(rgw.secretAccessKey);
    await frame.locator('::-p-aria([name="Start review"][role="button"])').click();
    await frame.waitForSelector('::-p-text(The sync did something the preview did not predict)', { timeout: 60_000 });
    const inDock = await frame.$$eval('ul.review-findings li', (rows) => rows.map((row) => `${row.querySelector('code:not(.mark)')?.textContent ?? ''} ${row.getAttribute('data-kind') ?? ''}`));
    expect(inDock).toEqual(expected.map(([key, , kind]) => `${key} ${kind}`));
    expect(await frame.evaluate(() => document.body.innerText)).toMatch(/WeSendit’s side: its file browser in this tab \(\d+ files\)/);
    await page.close();
    // WeSendit's side after the sync, as its file browser would show it now.
    const wesenditNow = await writeManifest('st-bad', 'st-bad-after');
    const view = await review(bucket, folder, wesenditNow);
    expect(findingsOf(view)).toEqual(expected);
    expect(view.result).toMatchObject({ verdict: 'unexpected', objects: 9, asPredicted: { objects: 4 }, notYetArrived: { objects: 2 }, unexpected: { objects: 3 }, restore: { objects: 2 } });
    expect(view.restoreKeys).toEqual(['archive/old-0.bin', 'shared/same-1.txt']);
    expect(view.pendingKeys).toEqual(['new/upload-0.txt', 'new/upload-2.txt']);

    // The late file arrives; the dropped one never does.
    await ui.finishLate();
    const again = await request<AuditView>('audit.checkAgain', { auditId: view.auditId });
    expect(again.rechecked).toBe(2);
    const rechecked = await until(() => request<AuditView>('audit.state', { auditId: view.auditId }), (state) => state.status !== 'running', 'check again');
    expect(findingsOf(rechecked).filter((row) => row[1] === 'not-yet-arrived')).toEqual([['new/upload-0.txt', 'not-yet-arrived', 'not-written-yet', '+', '-']]);
    expect(rechecked.result).toMatchObject({ asPredicted: { objects: 5 }, notYetArrived: { objects: 1 }, unexpected: { objects: 3 } });

    // In the popup: Backups → "Review sync result" on this backup, with the bucket's keys saved in the vault.
    await request('vault.create', { passphrase: 'review passphrase: seven quiet lanterns' });
    await request('storage.saveConnection', { source: direct(bucket), storageName: 'Bad sync bucket' });
    await popup.reload();
    await choosePopupTab(popup, 'Backups');
    const item = await popup.waitForSelector(`li.backup-item ::-p-text(${bucket})`);
    expect(item).not.toBeNull();
    const items = await popup.$$('li.backup-item');
    let reviewed = false;
    for (const element of items) {
      const text = await element.evaluate((li) => li.textContent ?? '');
      if (!text.includes(bucket)) continue;
      const button = await element.$('::-p-aria([name="Review sync result"][role="button"])');
      if (button) {
        await button.click();
        reviewed = true;
        break;
      }
    }
    expect(reviewed).toBe(true);
    await popup.waitForSelector('::-p-text(The sync did something the preview did not predict)', { timeout: 60_000 });
    const shown = await popup.$$eval('ul.review-findings li', (rows) => rows.map((row) => `${row.getAttribute('data-kind')} ${row.getAttribute('data-restore')}`));
    // The popup has no WeSendit tab: without WeSendit's side the bucket's kept version may still be replaced, so not yet arrived.
    expect(shown).toEqual(['gone-from-bucket restore', 'not-overwritten-yet ', 'not-written-yet ', 'changed-unexpectedly overwrite']);
    await popup.locator('::-p-aria([name="Restore from the backup"][role="button"])').click();
    await popup.waitForSelector('::-p-text(Dry run, nothing written yet)', { timeout: 60_000 });
    const planned = await popup.$$eval('tr[data-change] th', (rows) => rows.map((row) => row.textContent));
    expect(planned.sort()).toEqual(['archive/old-0.bin', 'shared/same-1.txt']);
    await popup.locator('::-p-aria([name="Apply restore"][role="button"])').click();
    await popup.waitForSelector('::-p-text(Restore verified)', { timeout: 60_000 });
    const after = await review(bucket, folder);
    expect(after.restoreKeys).toEqual([]);
  }, 400_000);
});
