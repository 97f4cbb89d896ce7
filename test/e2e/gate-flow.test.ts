/**
 * The whole gate flow in real Chromium, and in Firefox (project e2e-firefox), with the built extension: the dialog is held, the vault is
 * created in the extension-origin prompt frame, "Save to vault" encrypts, writes, reads back and
 * verifies, and only then the page's controls are released — after which the page's own logic
 * works again (ticking enables Continue, Continue runs the page's handler). A re-rendered dialog
 * after the release stays released. Afterwards the whole profile holds no copy of any Secret Key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'puppeteer-core';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import { waitForGateFrame } from '../support/chromium.ts';
import { E2E_BROWSER, fillByLabel, launchExtensionBrowser, openExtensionPopup, type ExtensionBrowser } from '../support/extension-browser.ts';
import { scanDirectoryForSecret } from '../support/profile-scan.ts';
import { rm } from 'node:fs/promises';

const PASSPHRASE = 'correct horse battery staple 42';

let ui: FakeWeSendit;
let extension: ExtensionBrowser;
let page: Page;
const issued: StorageCredentials[] = [];

beforeAll(async () => {
  ui = await startFakeWeSendit();
  extension = await launchExtensionBrowser({ keepProfile: true });
  page = await extension.browser.newPage();
});

afterAll(async () => {
  await extension?.close();
  await ui?.stop();
  if (extension) await rm(extension.userDataDir, { recursive: true, force: true });
});

async function saveInPrompt(frame: Frame, options: { create: boolean }): Promise<void> {
  await frame.waitForSelector('::-p-text(Save your Secret Key)');
  await frame.waitForSelector('::-p-aria(Save to vault)');
  if (options.create) {
    await fillByLabel(frame, 'Vault passphrase', PASSPHRASE);
    await fillByLabel(frame, 'Confirm passphrase', PASSPHRASE);
  } else if (await frame.$('::-p-aria(Vault passphrase)')) {
    await fillByLabel(frame, 'Vault passphrase', PASSPHRASE);
  }
  await frame.locator('::-p-aria(Save to vault)').click();
  await frame.waitForSelector('::-p-text(Saved and verified)', { timeout: 30_000 });
}

/** Clicks a dialog control; a dialog the page re-renders meanwhile is clicked again in its new node. */
async function clickInDialog(storages: StoragesPageObject, selector: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await (await storages.dialogElement(selector)).click();
      return;
    } catch (error) {
      if (attempt >= 5 || !(error instanceof Error && /detached/i.test(error.message))) throw error;
    }
  }
}

/** Clicks until the page's own handler says it ran: a dialog re-rendered under the click loses it. */
async function clickUntil(storages: StoragesPageObject, selector: string, ran: () => boolean): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    if (await storages.app.evaluate(ran)) return;
    await clickInDialog(storages, selector);
    const done = await storages.app.waitForFunction(ran, { timeout: 5_000, polling: 100 }).then(
      () => true,
      () => false,
    );
    if (done) return;
    if (attempt >= 4) throw new Error(`Clicking ${selector} never reached the page's handler.`);
  }
}

async function continueOnPage(storages: StoragesPageObject): Promise<void> {
  await storages.waitForGateState('released');
  await clickUntil(storages, 'input[type="checkbox"]', () => window.__ticked);
  await clickUntil(storages, '.btn-primary', () => window.__continued);
  const outcome = await storages.outcome();
  expect(outcome.log).toContain('ticked:true');
  expect(outcome.log).toContain('continued');
}

describe('gate flow', () => {
  it('creates the vault in the prompt frame, saves, verifies and releases; Continue then runs the page’s handler', async () => {
    const storages = await StoragesPageObject.open(page, ui.url, { variant: 'plain', lang: 'en' });
    await storages.createStorage();
    await storages.waitForGated();
    const frame = await waitForGateFrame(page);
    // The page itself never sees the passphrase inputs: they live in the extension frame.
    expect(await storages.app.evaluate(() => document.querySelectorAll('input[type="password"]').length)).toBe(0);
    // Still held right before the save.
    await storages.settle();
    expect((await storages.outcome()).gates.filter((gate) => gate.endsWith('=gated'))).toHaveLength(2);

    await saveInPrompt(frame, { create: true });
    const saved = ui.lastCredentials();
    if (saved) issued.push(saved);
    await continueOnPage(storages);
    expect(await storages.app.evaluate(() => document.body.innerText)).toContain('Storage ready');
  });

  it('a second storage in German, in a re-rendering dialog, saves into the existing vault and stays released after re-renders', async () => {
    const storages = await StoragesPageObject.open(page, ui.url, { variant: 'rerender', lang: 'de' });
    await storages.createStorage();
    await storages.waitForGated();
    const frame = await waitForGateFrame(page);
    await saveInPrompt(frame, { create: false });
    const saved = ui.lastCredentials();
    if (saved) issued.push(saved);
    await storages.waitForGateState('released');
    // The page re-creates the dialog after the release: the new controls are marked released, not held.
    const renders = await storages.app.evaluate(() => window.__log.filter((entry) => entry === 'rerendered').length);
    await storages.app.waitForFunction((count) => window.__log.filter((entry) => entry === 'rerendered').length >= count + 2, {}, renders);
    await storages.waitForGateState('released');
    await continueOnPage(storages);
  });

  it('the popup lists both saved storages', async () => {
    const popup = await openExtensionPopup(extension, 'storages');
    for (const credentials of issued) {
      await popup.waitForSelector(`::-p-text(${credentials.bucketName})`, { timeout: 15_000 });
    }
    await popup.close();
    expect(issued).toHaveLength(2);
  });

  it(`leaves no copy of any Secret Key anywhere in the ${E2E_BROWSER} profile`, async () => {
    expect(issued).toHaveLength(2);
    await extension.close();
    for (const credentials of issued) {
      expect(await scanDirectoryForSecret(extension.userDataDir, credentials.secretKey)).toEqual([]);
    }
    // The same scan does find what the profile really holds: the visited page's URL (history).
    expect(await scanDirectoryForSecret(extension.userDataDir, `${ui.url}/storages?variant=plain`)).not.toEqual([]);
  });
});
