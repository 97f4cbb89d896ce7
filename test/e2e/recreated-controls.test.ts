/**
 * A page that replaces its "Continue" or "Connect" button by another kind of element carrying the
 * same text — a link without href, a plain element with a click handler — still offers the same
 * control: a real user click on it is held exactly like a click on the button. The finder and
 * the click-time guard share one definition of "a control with this meaning"
 * (extension/content/controls/controls-with-meaning.ts), and an inserted control is re-checked.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectFormPageObject } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import { launchChromiumWithExtension, waitForGateFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { waitForDockFrame } from '../support/dock.ts';

let ui: FakeWeSendit;
let chromium: ChromiumWithExtension;
let page: Page;

beforeAll(async () => {
  ui = await startFakeWeSendit();
  chromium = await launchChromiumWithExtension();
  page = await chromium.browser.newPage();
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
});

/** What the page swaps its button for: the same text, another kind of element, a click handler of its own. */
const REPLACEMENTS = {
  'a link without href': "const next = document.createElement('a'); next.className = 'swapped'; next.textContent = TEXT;",
  'a plain element with a click handler': "const next = document.createElement('div'); next.className = 'swapped'; next.innerHTML = '<span>' + TEXT + '</span>';",
} as const;

/** A real mouse click at the element's centre, as the user's. */
async function userClick(target: Page, selector: string): Promise<void> {
  const element = await target.waitForSelector(selector);
  const box = await element?.boundingBox();
  if (!box) throw new Error(`${selector} has no box on screen.`);
  await target.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

describe('the gate holds a Continue the page re-creates as another kind of element', () => {
  for (const [kind, create] of Object.entries(REPLACEMENTS)) {
    it(kind, async () => {
      const storages = await StoragesPageObject.open(page, ui.url, { variant: 'plain', lang: 'en' });
      await storages.createStorage();
      await storages.waitForGated();
      await waitForGateFrame(page);
      // The page drops its held button and puts the new control where it was.
      await storages.inDialog(`
        const TEXT = button.textContent;
        ${create}
        next.style.cssText = 'display:inline-block;padding:8px 16px;background:#2563eb;color:#fff;cursor:pointer';
        next.addEventListener('click', () => { window.__continued = true; window.__log.push('continued'); });
        button.replaceWith(next);
      `);
      // The user clicks it as soon as the page has painted it.
      await storages.app.evaluate(() => new Promise((resolvePaint) => requestAnimationFrame(() => requestAnimationFrame(resolvePaint))));
      await userClick(page, '.swapped');
      await page.keyboard.press('Enter');
      await storages.settle();
      const outcome = await storages.outcome();
      expect(outcome.continued, 'the page’s handler on the re-created control ran').toBe(false);
      expect(outcome.log).not.toContain('continued');
    });
  }
});

describe('the connect hold holds a Connect the page re-creates as another kind of element', () => {
  for (const [kind, create] of Object.entries(REPLACEMENTS)) {
    it(kind, async () => {
      const form = await ConnectFormPageObject.open(page, ui.url, { storageId: 'st-nas' });
      await form.fill({ provider: 'other', endpoint: 'http://127.0.0.1:9', bucket: 'usr-48291-itm-00384-nas', accessKey: 'CGTESTACCESSKEY00001', secretKey: 'cg-test-secret-not-real-0000000000000001' });
      await page.evaluate((script) => {
        const button = document.getElementById('connect');
        if (!button) throw new Error('no Connect button');
        new Function('button', script)(button);
      }, `
        const TEXT = button.textContent;
        ${create}
        next.id = 'connect-swapped';
        next.style.cssText = 'display:inline-block;padding:8px 16px;background:#2563eb;color:#fff;cursor:pointer';
        next.addEventListener('click', () => { window.__swappedConnects = (window.__swappedConnects || 0) + 1; });
        button.replaceWith(next);
      `);
      await page.evaluate(() => new Promise((resolvePaint) => requestAnimationFrame(() => requestAnimationFrame(resolvePaint))));
      await userClick(page, '.swapped');
      // A second click after the first was surely processed: neither reached the page.
      await page.evaluate(() => new Promise((resolvePaint) => requestAnimationFrame(() => requestAnimationFrame(resolvePaint))));
      await userClick(page, '.swapped');
      expect(await page.evaluate(() => Reflect.get(window, '__swappedConnects') ?? 0), 'the page’s handler on the re-created control ran').toBe(0);
      expect(await form.connectAttempts()).toBe(0);
      // Held: marked, and the backup step opens in the dock.
      expect(await page.$eval('.swapped', (element) => element.getAttribute('data-connect-guard'))).toBe('gated');
      await waitForDockFrame(page, '/hold.html', { timeout: 10_000 });
    });
  }
});
