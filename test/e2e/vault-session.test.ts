/**
 * The vault key's life in real Chromium: it survives a service-worker restart (kept in
 * trusted-only `storage.session`), is gone after a browser restart (the vault exists but is
 * locked), and neither a passphrase nor the vault key itself is written to the profile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choosePopupTab, launchChromiumWithExtension, openPopup, type ChromiumWithExtension } from '../support/chromium.ts';
import { scanDirectoryForSecret } from '../support/profile-scan.ts';

/** The extension page's `chrome` global, as functions passed to page.evaluate see it. */
declare const chrome: { runtime: { sendMessage(message: unknown): Promise<unknown> }; storage: { session: { get(key: string): Promise<Record<string, unknown>> } } };

const PASSPHRASE = 'session e2e passphrase: amber lantern 51';
const NEW_PASSPHRASE = 'session e2e new passphrase: violet harbour 64';

let profileDir: string;
let chromium: ChromiumWithExtension | undefined;
/** The unlocked vault key, read from the extension's memory-only session storage while unlocked. */
let vaultKey: Buffer | undefined;

/** Sends one request from an extension page, exactly as the popup does. */
async function request(page: Page, type: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const reply = await page.evaluate((message) => chrome.runtime.sendMessage(message), { type, data });
  if (typeof reply !== 'object' || reply === null) throw new Error(`${type}: no reply`);
  const result: Record<string, unknown> = { ...reply };
  if (!('ok' in result)) throw new Error(`${type} failed: ${JSON.stringify(result)}`);
  const ok: unknown = result.ok;
  return typeof ok === 'object' && ok !== null ? { ...ok } : { value: ok };
}

async function workerTargetIds(browser: Browser): Promise<string[]> {
  const session = await browser.target().createCDPSession();
  const { targetInfos } = await session.send('Target.getTargets');
  await session.detach();
  return targetInfos.filter((target) => target.type === 'service_worker' && target.url.startsWith('chrome-extension://')).map((target) => target.targetId);
}

beforeAll(async () => {
  profileDir = await mkdtemp(join(tmpdir(), 'connect-guard-session-e2e-'));
  chromium = await launchChromiumWithExtension({ userDataDir: profileDir, keepProfile: true });
});

afterAll(async () => {
  await chromium?.close();
  await rm(profileDir, { recursive: true, force: true });
});

describe('vault key lifetime in Chromium', () => {
  it('stays unlocked when the service worker is stopped and restarted', async () => {
    if (!chromium) throw new Error('Chromium did not start');
    const popup = await openPopup(chromium.browser, chromium.extensionId);
    expect(await request(popup, 'vault.create', { passphrase: PASSPHRASE })).toMatchObject({ exists: true, unlocked: true });
    // The key the scan below looks for: the raw 32 bytes every record is encrypted under.
    const kept = await popup.evaluate(() => chrome.storage.session.get('connectGuard.vaultKey').then((items) => items['connectGuard.vaultKey']));
    if (typeof kept !== 'string') throw new Error('the unlocked vault key is not in storage.session');
    vaultKey = Buffer.from(kept, 'base64');
    expect(vaultKey).toHaveLength(32);

    const [before] = await workerTargetIds(chromium.browser);
    if (before === undefined) throw new Error('no extension service worker');
    const session = await chromium.browser.target().createCDPSession();
    await session.send('Target.closeTarget', { targetId: before });
    await session.detach();
    // The next message wakes a new worker, which restores the kept key before answering.
    expect(await request(popup, 'vault.status', {})).toMatchObject({ exists: true, unlocked: true });
    const after = await workerTargetIds(chromium.browser);
    expect(after).toHaveLength(1);
    expect(after).not.toContain(before);
    await popup.close();
  });

  it('changes the passphrase from the popup: the new one unlocks, the old one no longer does', async () => {
    if (!chromium) throw new Error('Chromium did not start');
    const popup = await openPopup(chromium.browser, chromium.extensionId);
    await choosePopupTab(popup, 'Settings');
    await popup.locator('::-p-aria(Current passphrase)').fill(PASSPHRASE);
    await popup.locator('::-p-aria(New passphrase)').fill(NEW_PASSPHRASE);
    await popup.locator('::-p-aria(Confirm new passphrase)').fill(NEW_PASSPHRASE);
    await popup.locator('::-p-aria([name="Change passphrase"][role="button"])').click();
    await popup.waitForFunction(() => document.body.innerText.includes('Passphrase changed'));
    await request(popup, 'vault.lock', {});
    await expect(request(popup, 'vault.unlock', { passphrase: PASSPHRASE })).rejects.toThrow(/WRONG_PASSPHRASE/);
    expect(await request(popup, 'vault.unlock', { passphrase: NEW_PASSPHRASE })).toMatchObject({ unlocked: true });
    await popup.close();
  });

  it('is locked after a browser restart, and the profile holds no plaintext key material', async () => {
    if (!chromium) throw new Error('Chromium did not start');
    await chromium.close();
    chromium = await launchChromiumWithExtension({ userDataDir: profileDir, keepProfile: true });
    const popup = await openPopup(chromium.browser, chromium.extensionId);
    expect(await request(popup, 'vault.status', {})).toMatchObject({ exists: true, unlocked: false });
    await popup.locator('::-p-aria(Vault passphrase)').fill(NEW_PASSPHRASE);
    await popup.locator('::-p-aria(Unlock)').click();
    await popup.locator('::-p-aria(Lock vault)').wait();
    await popup.close();
    await chromium.close();
    chromium = undefined;
    expect(await scanDirectoryForSecret(profileDir, PASSPHRASE)).toEqual([]);
    expect(await scanDirectoryForSecret(profileDir, NEW_PASSPHRASE)).toEqual([]);
    // The vault key survives a passphrase change (only its wrapping changes): not a byte of it, raw, hex or base64, on disk.
    if (!vaultKey) throw new Error('no vault key was read');
    expect(await scanDirectoryForSecret(profileDir, vaultKey)).toEqual([]);
  });
});
