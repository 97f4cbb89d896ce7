/**
 * Copy secret through the background's clipboard path of the browser of the run: Chromium's
 * offscreen document (project e2e), Firefox's event page itself, which has no offscreen documents
 * (project e2e-firefox). The secret reaches the system clipboard exactly, and the background
 * clears it after `clipboardSeconds` — read from an extension page, which may read the clipboard.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageSummary } from '../../shared/credentials.ts';
import { createMemoryVaultStore } from '../../shared/vault-format/memory-vault-store.ts';
import { VaultService } from '../../shared/vault-format/vault-service.ts';
import { requestFromExtensionFrame } from '../support/chromium.ts';
import { E2E_BROWSER, launchExtensionBrowser, openExtensionPopup, type ExtensionBrowser } from '../support/extension-browser.ts';

const PASSPHRASE = 'clipboard each browser: slate harbour 64';
const SECRET = `cgtest-secret-clip-${E2E_BROWSER}-${Date.now().toString(36)}-Rt5Kw2`;

let extension: ExtensionBrowser;
let popup: Page;

async function ok<T>(type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

/**
 * The clipboard as the popup reads it; a page reads the clipboard only while it is in front.
 * Firefox may refuse a read (NotAllowedError) in the instant the background writes the clipboard:
 * such a read is tried again, briefly; any other answer counts.
 */
async function clipboard(): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    await popup.bringToFront();
    try {
      return await popup.evaluate(() => navigator.clipboard.readText());
    } catch (error) {
      if (attempt >= 10 || !String(error).includes('NotAllowedError')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

beforeAll(async () => {
  const source = new VaultService(createMemoryVaultStore());
  await source.create(PASSPHRASE);
  await source.saveStorage({ storageName: 'Clipboard', permissions: 'Read & Write', allowedIps: '', serverAddress: 'https://s3.wesendit.example', bucketName: 'usr-48291-itm-00386-clip', accessKey: 'CGTESTCLIPEACH000001', secretKey: SECRET });
  const { text } = await source.exportVault();
  extension = await launchExtensionBrowser();
  if (extension.kind === 'chromium') await extension.browser.defaultBrowserContext().overridePermissions(extension.baseUrl.slice(0, -1), ['clipboard-read', 'clipboard-write']);
  popup = await openExtensionPopup(extension);
  await ok('vault.create', { passphrase: PASSPHRASE });
  await ok('vault.import', { text, passphrase: PASSPHRASE });
  await ok('settings.set', { clipboardSeconds: 5 });
}, 120_000);

afterAll(async () => {
  await extension?.close();
});

describe(`Copy secret in ${E2E_BROWSER}`, () => {
  it('puts exactly the secret on the system clipboard, and the background clears it after the set seconds', async () => {
    await popup.bringToFront();
    await popup.evaluate(() => navigator.clipboard.writeText('before'));
    const [storage] = await ok<StorageSummary[]>('storage.list', {});
    expect(await ok('storage.copySecret', { id: storage?.id })).toEqual({ clearsInSeconds: 5 });
    expect(await clipboard()).toBe(SECRET);
    // Cleared by the background, not the test: a condition, polled.
    for (const deadline = Date.now() + 20_000; (await clipboard()) === SECRET; ) {
      if (Date.now() > deadline) throw new Error('The clipboard still holds the secret.');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await clipboard()).toBe('');
  });
});
