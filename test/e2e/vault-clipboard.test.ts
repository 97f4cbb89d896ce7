/**
 * Copy secret in real Chromium: the offscreen document writes the secret to the system
 * clipboard; after `clipboardSeconds` the background clears it, but only while the clipboard
 * still holds that secret. The storage arrives through the popup's import (an export made by
 * the same vault code in Node), so this runs without the gate.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryVaultStore } from '../../shared/vault-format/memory-vault-store.ts';
import { VaultService } from '../../shared/vault-format/vault-service.ts';
import { choosePopupTab, launchChromiumWithExtension, openPopup, type ChromiumWithExtension } from '../support/chromium.ts';

/** The extension page's `chrome` global, as functions passed to page.evaluate see it. */
declare const chrome: { storage: { session: { get(key: string): Promise<Record<string, unknown>> } } };

const PASSPHRASE = 'clipboard e2e passphrase: copper kettle 28';
const SECRET = `cgtest-secret-clipboard-${Date.now().toString(36)}-Vb7Nm3`;

let chromium: ChromiumWithExtension;
let popup: Page;

async function clipboardText(page: Page): Promise<string> {
  await page.bringToFront();
  return page.evaluate(() => navigator.clipboard.readText());
}

beforeAll(async () => {
  const source = new VaultService(createMemoryVaultStore());
  await source.create(PASSPHRASE);
  await source.saveStorage({
    storageName: 'Clipboard test',
    permissions: 'Read & Write',
    allowedIps: '',
    serverAddress: 'https://s3.wesendit.example',
    bucketName: 'usr-48291-itm-00385-clipboard',
    accessKey: 'CGTESTCLIPBOARD00001',
    secretKey: SECRET,
  });
  const { text } = await source.exportVault();

  chromium = await launchChromiumWithExtension();
  await chromium.browser.defaultBrowserContext().overridePermissions(`chrome-extension://${chromium.extensionId}`, ['clipboard-read', 'clipboard-write']);
  popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
  await popup.locator('::-p-aria(Vault passphrase)').fill(PASSPHRASE);
  await popup.locator('::-p-aria(Confirm passphrase)').fill(PASSPHRASE);
  await popup.locator('::-p-aria(Create vault)').click();
  await popup.locator('::-p-aria(Lock vault)').wait();
  await choosePopupTab(popup, 'Settings');
  const input = await popup.waitForSelector('input[type=file]');
  // uploadFile needs a path; the export goes through a data transfer instead, as a dropped file would.
  await input?.evaluate((element, content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], 'connect-guard-vault.json', { type: 'application/json' }));
    if (element instanceof HTMLInputElement) {
      element.files = transfer.files;
      element.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }, text);
  await popup.locator('::-p-aria(Passphrase of the export)').fill(PASSPHRASE);
  await popup.locator('::-p-aria(Import vault)').click();
  await popup.waitForFunction(() => document.body.innerText.includes('Import done: 1 new'), { timeout: 20_000 });
  await choosePopupTab(popup, 'Storages');
  await popup.waitForFunction(() => document.body.innerText.includes('Saved storages (1)'), { timeout: 20_000 });

  await choosePopupTab(popup, 'Settings');
  await popup.locator('::-p-aria(Clipboard seconds)').fill('5');
  await popup.locator('::-p-aria(Save settings)').click();
  await popup.waitForFunction(() => document.body.innerText.includes('Settings saved.'));
  await choosePopupTab(popup, 'Storages');
});

afterAll(async () => {
  await chromium?.close();
});

describe('Copy secret', () => {
  it('puts the secret on the clipboard and clears it after the configured seconds', async () => {
    await popup.locator('::-p-aria(Copy secret)').click();
    await popup.waitForFunction(() => document.body.innerText.includes('clipboard clears in 5 s'));
    expect(await clipboardText(popup)).toBe(SECRET);
    // The background clears it, not the test: wait for the condition.
    await popup.waitForFunction(async (secret) => (await navigator.clipboard.readText()) !== secret, { timeout: 20_000, polling: 200 }, SECRET);
    expect(await clipboardText(popup)).toBe('');
  });

  it('leaves the clipboard alone when the user copied something else meanwhile', async () => {
    const started = Date.now();
    await popup.locator('::-p-aria(Copy secret)').click();
    await popup.waitForFunction((secret) => navigator.clipboard.readText().then((text) => text === secret), { polling: 100 }, SECRET);
    await popup.evaluate(() => navigator.clipboard.writeText('something the user copied'));
    // Wait past the clear (5 s) with a condition on the background's own record of it.
    await popup.waitForFunction(
      () => chrome.storage.session.get('connectGuard.pendingClipboardClear').then((items) => Object.keys(items).length === 0),
      { timeout: 20_000, polling: 200 },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(await clipboardText(popup)).toBe('something the user copied');
  });
});
