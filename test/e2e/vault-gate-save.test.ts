/**
 * The vault side of the gate in real Chromium with the built extension and the fake WeSendit UI:
 * create the vault in the prompt frame, save, verified → released → the page's own Continue
 * works; saving the same storage again updates; the popup lists it, reveals only on request,
 * locks and unlocks; export and import round trip; and afterwards the whole profile directory
 * holds no copy of the Secret Key.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { choosePopupTab, launchChromiumWithExtension, openPopup, waitForGateFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { scanDirectoryForSecret } from '../support/profile-scan.ts';

const PASSPHRASE = 'e2e vault passphrase: quiet river 93';
// Clearly fake; issued by the fake UI for both "Create storage" clicks, so the second save is of the same storage.
const CREDENTIALS: StorageCredentials = {
  storageName: 'NAS backup e2e',
  permissions: 'Read & Write',
  allowedIps: '192.0.2.10',
  serverAddress: 'https://s3.wesendit.example',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'CGTESTE2EACCESS00001',
  secretKey: `cgtest-secret-e2e-${Date.now().toString(36)}-Zq9Xw2`,
};

const SECOND: StorageCredentials = {
  ...CREDENTIALS,
  storageName: 'Office archive e2e',
  bucketName: 'usr-48291-itm-00386-office-archive',
  accessKey: 'CGTESTE2EACCESS00002',
  secretKey: `cgtest-secret-e2e-second-${Date.now().toString(36)}-Hy6Ud1`,
};

let issued: StorageCredentials = CREDENTIALS;
let fake: FakeWeSendit;
let chromium: ChromiumWithExtension;
let profileDir: string;
let downloadDir: string;

async function textOf(target: Page | Frame): Promise<string> {
  return target.evaluate(() => document.body.innerText);
}

async function waitForText(target: Page | Frame, text: string): Promise<void> {
  await target.waitForFunction((wanted) => document.body.innerText.includes(wanted), { timeout: 30_000 }, text);
}

/** Opens the storages page, creates a storage and returns the page and its gate prompt frame. */
async function createStorageAndWaitForGate(): Promise<{ page: Page; frame: Frame }> {
  const page = await chromium.browser.newPage();
  await page.goto(`${fake.url}/storages`);
  await page.locator('::-p-aria(Create storage)').click();
  await page.waitForSelector('[data-connect-guard="gated"]', { timeout: 15_000 });
  const frame = await waitForGateFrame(page);
  await frame.waitForSelector('::-p-aria(Save your Secret Key)');
  return { page, frame };
}

async function pageFlag(page: Page, name: '__continued' | '__ticked'): Promise<unknown> {
  return page.evaluate((flag) => Reflect.get(window, flag), name);
}

beforeAll(async () => {
  fake = await startFakeWeSendit({ issueCredentials: () => issued });
  profileDir = await mkdtemp(join(tmpdir(), 'connect-guard-vault-e2e-'));
  downloadDir = await mkdtemp(join(tmpdir(), 'connect-guard-downloads-'));
  chromium = await launchChromiumWithExtension({ userDataDir: profileDir, keepProfile: true });
});

let browserClosed = false;

afterAll(async () => {
  if (!browserClosed) await chromium?.close();
  await fake?.stop();
  await rm(profileDir, { recursive: true, force: true });
  await rm(downloadDir, { recursive: true, force: true });
});

describe('gate → vault in Chromium', () => {
  it('creates the vault in the prompt frame, saves verified, then releases the page’s own Continue', async () => {
    const { page, frame } = await createStorageAndWaitForGate();
    // Review shows the captured fields, the secret masked.
    await waitForText(frame, CREDENTIALS.bucketName);
    expect(await textOf(frame)).not.toContain(CREDENTIALS.secretKey);

    await frame.locator('::-p-aria(Vault passphrase)').fill(PASSPHRASE);
    await frame.locator('::-p-aria(Confirm passphrase)').fill('a different passphrase 12');
    await frame.locator('::-p-aria(Save to vault)').click();
    await waitForText(frame, 'do not match');
    expect(await page.$$('[data-connect-guard="released"]')).toHaveLength(0);

    await frame.locator('::-p-aria(Confirm passphrase)').fill(PASSPHRASE);
    await frame.locator('::-p-aria(Save to vault)').click();
    await waitForText(frame, 'Saved and verified');

    await page.waitForFunction(
      () => document.querySelectorAll('[data-connect-guard="released"]').length > 0 && document.querySelectorAll('[data-connect-guard="gated"]').length === 0,
      { timeout: 15_000 },
    );
    expect(await pageFlag(page, '__continued')).toBe(false);
    await page.locator('::-p-aria(I have stored the keys)').click();
    await page.locator('::-p-aria(Continue)').click();
    await page.waitForFunction(() => Reflect.get(window, '__continued') === true, { timeout: 10_000 });
    await page.close();
  });

  it('saving the same storage again updates the one record (unlocked vault: no passphrase asked)', async () => {
    issued = { ...CREDENTIALS, storageName: 'NAS backup e2e (renamed)' };
    const { page, frame } = await createStorageAndWaitForGate();
    expect(await frame.$('::-p-aria(Vault passphrase)')).toBeNull();
    await frame.locator('::-p-aria(Save to vault)').click();
    await waitForText(frame, 'Saved and verified');
    await page.waitForSelector('[data-connect-guard="released"]');
    await page.close();

    const popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
    await waitForText(popup, 'Saved storages (1)');
    await waitForText(popup, 'Unlocked · 1 storage');
    const text = await textOf(popup);
    for (const value of ['NAS backup e2e (renamed)', CREDENTIALS.bucketName, CREDENTIALS.serverAddress, CREDENTIALS.accessKey]) expect(text).toContain(value);
    expect(text).not.toContain(CREDENTIALS.secretKey);
    await popup.locator('::-p-aria(Reveal secret)').click();
    await waitForText(popup, CREDENTIALS.secretKey);
    await popup.locator('::-p-aria(Hide secret)').click();
    await popup.waitForFunction((secret) => !document.body.innerText.includes(secret), {}, CREDENTIALS.secretKey);
    await popup.close();
  });

  it('Lock vault, then Unlock refuses a wrong passphrase and accepts the right one', async () => {
    const popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
    await popup.locator('::-p-aria(Lock vault)').click();
    await waitForText(popup, 'Locked');
    await popup.locator('::-p-aria(Vault passphrase)').fill('not the vault passphrase 1');
    await popup.locator('::-p-aria(Unlock)').click();
    await popup.waitForSelector('[role=alert]');
    expect(await popup.$eval('[role=alert]', (node) => node.textContent)).toMatch(/passphrase is wrong/i);
    expect(await textOf(popup)).not.toContain(CREDENTIALS.bucketName);

    await popup.locator('::-p-aria(Vault passphrase)').fill(PASSPHRASE);
    await popup.locator('::-p-aria(Unlock)').click();
    await waitForText(popup, 'Saved storages (1)');
    await popup.close();
  });

  it('exports the vault from the popup and imports it back after the storage was deleted', async () => {
    const popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
    const session = await popup.createCDPSession();
    await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloadDir, eventsEnabled: true });
    await waitForText(popup, 'Saved storages (1)');
    await choosePopupTab(popup, 'Settings');
    await popup.locator('::-p-aria(Export vault)').click();
    await waitForText(popup, 'Exported');
    const file = await waitForDownload(downloadDir);
    expect(file).toMatch(/^connect-guard-vault-.*\.json$/);

    await choosePopupTab(popup, 'Storages');
    await popup.locator('::-p-aria(Delete)').click();
    await popup.locator('::-p-aria(Confirm delete)').click();
    await waitForText(popup, 'Saved storages (0)');

    await choosePopupTab(popup, 'Settings');
    const input = await popup.waitForSelector('input[type=file]');
    expect(await input?.evaluate((element) => (element instanceof HTMLInputElement ? [...(element.labels ?? [])].map((label) => label.textContent) : []))).toEqual(['Vault export file to import']);
    await input?.uploadFile(join(downloadDir, file));
    await popup.locator('::-p-aria(Passphrase of the export)').fill('wrong export passphrase 9');
    await popup.locator('::-p-aria(Import vault)').click();
    await popup.waitForSelector('[role=alert]');
    expect(await popup.$eval('[role=alert]', (node) => node.textContent)).toMatch(/passphrase is wrong/i);
    await choosePopupTab(popup, 'Storages');
    expect(await textOf(popup)).toContain('Saved storages (0)');

    await choosePopupTab(popup, 'Settings');
    await popup.locator('::-p-aria(Passphrase of the export)').fill(PASSPHRASE);
    await popup.locator('::-p-aria(Import vault)').click();
    await waitForText(popup, 'Import done: 1 new');
    await choosePopupTab(popup, 'Storages');
    await waitForText(popup, 'Saved storages (1)');
    await popup.locator('::-p-aria(Reveal secret)').click();
    await waitForText(popup, CREDENTIALS.secretKey);
    await popup.close();
  });

  it('with a locked vault the prompt asks only for the passphrase and says so plainly when it is wrong', async () => {
    const popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
    await popup.locator('::-p-aria(Lock vault)').click();
    await popup.locator('::-p-aria(Unlock)').wait();
    await popup.close();

    issued = SECOND;
    const { page, frame } = await createStorageAndWaitForGate();
    expect(await frame.$('::-p-aria(Confirm passphrase)')).toBeNull();
    await frame.locator('::-p-aria(Vault passphrase)').fill('not the vault passphrase 2');
    await frame.locator('::-p-aria(Save to vault)').click();
    await waitForText(frame, 'passphrase is wrong');
    expect(await page.$$('[data-connect-guard="released"]')).toHaveLength(0);

    await frame.locator('::-p-aria(Vault passphrase)').fill(PASSPHRASE);
    await frame.locator('::-p-aria(Save to vault)').click();
    await waitForText(frame, 'Saved and verified');
    await page.waitForSelector('[data-connect-guard="released"]');
    await page.close();
  });

  it('leaves no copy of the Secret Key anywhere in the Chromium profile', async () => {
    await chromium.close();
    browserClosed = true;
    // The scan must cover the vault's own IndexedDB, where the encrypted record lives.
    const vaultDb = join(profileDir, 'Default', 'IndexedDB', `chrome-extension_${chromium.extensionId}_0.indexeddb.leveldb`);
    expect(existsSync(vaultDb)).toBe(true);
    expect(await scanDirectoryForSecret(profileDir, CREDENTIALS.secretKey)).toEqual([]);
    expect(await scanDirectoryForSecret(profileDir, SECOND.secretKey)).toEqual([]);
    expect(await scanDirectoryForSecret(profileDir, PASSPHRASE)).toEqual([]);
  });
});

/** Waits until Chromium has finished writing one file into `dir` (no `.crdownload` left). */
async function waitForDownload(dir: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const names = await readdir(dir);
    const done = names.find((name) => name.endsWith('.json'));
    if (done !== undefined && !names.some((name) => name.endsWith('.crdownload'))) return done;
    if (Date.now() > deadline) throw new Error(`No export file appeared in ${dir}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
