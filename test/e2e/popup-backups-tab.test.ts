/**
 * The popup's Backups tab end to end: the built extension in Chromium at a popup's width, the
 * real companion host (backing up into a temporary CONNECT_GUARD_BACKUP_ROOT) and the real Ceph
 * gateway. "Back up now" with a storage saved in the vault writes a verified backup; the list
 * (`backup.list`) shows it verified with its bucket, endpoint, objects and size, and names a
 * damaged folder it skipped; after the bucket changed, "Restore…" on that backup shows the dry
 * run's rows and "Apply restore" right under it, in view, with nothing written; the apply puts
 * the objects back, checked by MD5.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';

const BUCKET = 'popup-backups';
const PASSPHRASE = 'backups tab e2e passphrase: quiet meadow 73';
const FILES: Readonly<Record<string, string>> = { 'docs/report.txt': 'the report as backed up', 'photos/cat.jpg': 'c'.repeat(2_000), 'notes.md': '# notes' };
const md5 = (bytes: string | Uint8Array): string => createHash('md5').update(bytes).digest('hex');

let rgw: CephRgw;
let s3: S3Client;
let chromium: ChromiumWithExtension | undefined;
let workDir: string;
let backupRoot: string;

async function request<T = unknown>(page: Page, type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(page.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

/** key → MD5 of the bytes Ceph serves. */
async function bucketContents(): Promise<Map<string, string>> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const contents = new Map<string, string>();
  for (const object of listed.Contents ?? []) {
    if (!object.Key) continue;
    const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
    contents.set(object.Key, md5((await body.Body?.transformToByteArray()) ?? new Uint8Array()));
  }
  return contents;
}

/** Waits until the page shows `text`; a failure says what it shows instead. */
async function waitForText(page: Page, text: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForFunction((wanted) => document.body.innerText.includes(wanted), { timeout, polling: 100 }, text);
  } catch (error) {
    throw new Error(`"${text}" never appeared. The popup shows:\n${await page.evaluate(() => document.body.innerText)}`, { cause: error });
  }
}

const textOf = (element: ElementHandle): Promise<string> => element.evaluate((node) => (node instanceof HTMLElement ? node.innerText : (node.textContent ?? '')));

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-backups-tab-e2e-'));
  const profileDir = join(workDir, 'profile');
  backupRoot = join(workDir, 'backups');
  await mkdir(profileDir);
  // A folder the list must skip, naming why.
  await mkdir(join(backupRoot, BUCKET, 'damaged'), { recursive: true });
  await writeFile(join(backupRoot, BUCKET, 'damaged', 'backup.json'), '{ "format": "connect-guard-backup", ');
  rgw = await startCephRgw({ buckets: [] });
  s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const [key, body] of Object.entries(FILES)) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  chromium = await launchChromiumWithCompanion(profileDir, { env: { CONNECT_GUARD_BACKUP_ROOT: backupRoot } });
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  s3?.destroy();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the popup’s Backups tab with the companion and Ceph', () => {
  it('Back up now → listed verified; after the bucket changed, Restore… shows the dry run under the backup, in view; Apply restore puts the objects back', async () => {
    if (!chromium) throw new Error('Chromium did not start');
    // The vault holds the bucket's keys, saved as the preview's "Save to vault" does.
    const setup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
    await setup.locator('::-p-aria(Vault passphrase)').fill(PASSPHRASE);
    await setup.locator('::-p-aria(Confirm passphrase)').fill(PASSPHRASE);
    await setup.locator('::-p-aria(Create vault)').click();
    await setup.locator('::-p-aria(Lock vault)').wait();
    const source = { kind: 'direct', connection: { endpoint: rgw.endpoint, bucket: BUCKET, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } };
    const { storageId } = await request<{ storageId: string }>(setup, 'storage.saveConnection', { source, storageName: 'Popup backups' });
    await setup.close();

    const popup = await chromium.browser.newPage();
    await popup.setViewport({ width: 460, height: 600 });
    // A background tab gets no animation frames: keep the popup in front.
    await popup.bringToFront();
    await popup.goto(`chrome-extension://${chromium.extensionId}/popup.html#tab=backups`);
    // The popup renders after its first answers from the background: wait for its tabs.
    const selected = await popup.waitForSelector('[role="tab"][aria-selected="true"]');
    expect(await selected?.evaluate((tab) => tab.textContent)).toBe('Backups');
    await waitForText(popup, 'No backups on this computer yet');
    const skipped = await popup.waitForSelector('details.skipped');
    if (!skipped) throw new Error('no note of the skipped folder');
    expect(await textOf(skipped)).toContain('1 folder in the backups folder not listed');

    await popup.locator('::-p-aria(Saved storage to back up)').fill(storageId);
    await popup.locator('::-p-aria(Back up now)').click();
    await waitForText(popup, 'Backup verified', 120_000);

    // The list is read again when the backup ends: it shows the new one, verified.
    const item = await popup.waitForSelector('li.backup-item[data-status="verified"]', { timeout: 15_000 });
    if (!item) throw new Error('no verified backup listed');
    const listed = await textOf(item);
    expect(listed).toContain(BUCKET);
    expect(listed).toContain('Verified');
    expect(listed).toContain(rgw.endpoint);
    expect(listed).toMatch(/Objects\s+3/);
    expect(await popup.$$('li.backup-item')).toHaveLength(1);

    // WeSendit's sync (or a user) changes the bucket after the backup.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'docs/report.txt' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'photos/cat.jpg', Body: 'overwritten by the sync' }));

    const restoreButton = await item.waitForSelector('::-p-aria(Restore…)');
    await restoreButton?.click();
    // The saved storage of this bucket and endpoint is used at once: the dry run needs no typing.
    await item.waitForSelector('tr[data-change]', { timeout: 60_000 });
    const rows = await item.$$eval('tr[data-change]', (found) => found.map((row) => `${row.getAttribute('data-change')} ${row.querySelector('th')?.textContent ?? ''}`));
    expect(rows).toEqual(['deleted docs/report.txt', 'changed photos/cat.jpg']);
    expect(await textOf(item)).toContain('Dry run, nothing written yet');
    const apply = await item.waitForSelector('::-p-aria(Apply restore)');
    if (!apply) throw new Error('no Apply restore');
    // Right under the chosen backup and scrolled into view, not below the fold.
    expect(await apply.isIntersectingViewport()).toBe(true);
    expect(await item.$$eval('tr[data-change]', (found) => found.length)).toBe(2);
    // A dry run writes nothing.
    expect((await bucketContents()).has('docs/report.txt')).toBe(false);

    await (await item.waitForSelector('::-p-aria(Also overwrite changed objects)'))?.click();
    await item.waitForSelector('::-p-text(will be overwritten with the backup’s version)', { timeout: 60_000 });
    const forcedApply = await item.waitForSelector('::-p-aria([name="Apply restore"][role="button"])');
    expect(await forcedApply?.evaluate((button) => button instanceof HTMLButtonElement && !button.disabled)).toBe(true);
    await forcedApply?.click();
    await item.waitForSelector('::-p-text(Restore verified)', { timeout: 60_000 });
    expect(await bucketContents()).toEqual(new Map(Object.entries(FILES).map(([key, body]) => [key, md5(body)])));
    expect(await popup.evaluate(() => document.body.innerText)).not.toContain(rgw.secretAccessKey);
    await popup.close();
  }, 240_000);
});
