/**
 * One vault format in both browsers: a Secret Key saved through the gate in Chromium, exported,
 * imports into Firefox and reads back exactly; one saved through the gate in Firefox, exported
 * with both records, imports into Chromium and reads back exactly. Same Argon2id parameters and
 * AES-GCM records: each browser opens the other's export with the passphrase it was made with.
 * Runs in project e2e-firefox only (it starts both browsers itself).
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageCredentials, StorageSummary } from '../../shared/credentials.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import { requestFromExtensionFrame, waitForGateFrame } from '../support/chromium.ts';
import { fillByLabel, launchExtensionBrowser, openExtensionPopup, type ExtensionBrowser } from '../support/extension-browser.ts';

const CHROMIUM_PASSPHRASE = 'chromium vault passphrase: copper kettle 17';
const FIREFOX_PASSPHRASE = 'firefox vault passphrase: amber lantern 29';

let ui: FakeWeSendit;
const browsers: Partial<Record<'chromium' | 'firefox', { extension: ExtensionBrowser; popup: Page }>> = {};

async function ok<T>(kind: 'chromium' | 'firefox', type: string, data: unknown): Promise<T> {
  const popup = browsers[kind]?.popup;
  if (!popup) throw new Error(`${kind} is not running.`);
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} in ${kind} failed: ${JSON.stringify(reply)}`);
}

/** The gate flow: WeSendit shows new credentials, the user creates the vault in the prompt and saves. */
async function saveThroughGate(kind: 'chromium' | 'firefox', passphrase: string): Promise<StorageCredentials> {
  const extension = browsers[kind]?.extension;
  if (!extension) throw new Error(`${kind} is not running.`);
  const page = await extension.browser.newPage();
  const storages = await StoragesPageObject.open(page, ui.url, { variant: 'plain', lang: 'en' });
  await storages.createStorage();
  await storages.waitForGated();
  const frame = await waitForGateFrame(page);
  await frame.waitForSelector('::-p-aria(Save to vault)');
  await fillByLabel(frame, 'Vault passphrase', passphrase);
  await fillByLabel(frame, 'Confirm passphrase', passphrase);
  await frame.locator('::-p-aria(Save to vault)').click();
  await frame.waitForSelector('::-p-text(Saved and verified)', { timeout: 30_000 });
  await storages.waitForGateState('released');
  const credentials = ui.lastCredentials();
  if (!credentials) throw new Error('The fake WeSendit issued no credentials.');
  await page.close();
  return credentials;
}

async function secretOf(kind: 'chromium' | 'firefox', bucketName: string): Promise<string> {
  const list = await ok<StorageSummary[]>(kind, 'storage.list', {});
  const record = list.find((entry) => entry.bucketName === bucketName);
  if (!record) throw new Error(`${kind} has no record for ${bucketName}: ${list.map((entry) => entry.bucketName).join(', ')}`);
  return (await ok<{ secretKey: string }>(kind, 'storage.reveal', { id: record.id })).secretKey;
}

beforeAll(async () => {
  ui = await startFakeWeSendit();
  for (const kind of ['chromium', 'firefox'] as const) {
    const extension = await launchExtensionBrowser({}, kind);
    browsers[kind] = { extension, popup: await openExtensionPopup(extension) };
  }
}, 120_000);

afterAll(async () => {
  for (const entry of Object.values(browsers)) await entry?.extension.close();
  await ui?.stop();
});

describe('a vault export moves between Chromium and Firefox', () => {
  it('Chromium → Firefox → Chromium: each import reads back the other browser’s Secret Keys exactly', async () => {
    const fromChromium = await saveThroughGate('chromium', CHROMIUM_PASSPHRASE);
    const chromiumExport = await ok<{ text: string }>('chromium', 'vault.export', {});
    expect(chromiumExport.text).not.toContain(fromChromium.secretKey);

    const fromFirefox = await saveThroughGate('firefox', FIREFOX_PASSPHRASE);
    // The export's own passphrase opens it; a wrong one is refused and imports nothing.
    await expect(ok('firefox', 'vault.import', { text: chromiumExport.text, passphrase: FIREFOX_PASSPHRASE })).rejects.toThrow(/failed/);
    expect(await ok('firefox', 'vault.import', { text: chromiumExport.text, passphrase: CHROMIUM_PASSPHRASE })).toMatchObject({ imported: 1 });
    expect(await secretOf('firefox', fromChromium.bucketName)).toBe(fromChromium.secretKey);

    const firefoxExport = await ok<{ text: string }>('firefox', 'vault.export', {});
    expect(firefoxExport.text).not.toContain(fromFirefox.secretKey);
    expect(await ok('chromium', 'vault.import', { text: firefoxExport.text, passphrase: FIREFOX_PASSPHRASE })).toMatchObject({ imported: 1 });
    expect(await secretOf('chromium', fromFirefox.bucketName)).toBe(fromFirefox.secretKey);
    expect(await secretOf('chromium', fromChromium.bucketName)).toBe(fromChromium.secretKey);
    expect(await ok<StorageSummary[]>('chromium', 'storage.list', {})).toHaveLength(2);
  });
});
