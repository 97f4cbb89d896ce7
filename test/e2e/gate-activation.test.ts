/**
 * Every way to activate "I have stored the keys" or "Continue" is held while the gate holds the
 * dialog, and the page's own handlers never run: pointer clicks (puppeteer and raw CDP mouse),
 * a click on the checkbox's label, Enter/Space on focused controls, form submit, pointer and
 * mouse down, and page scripts that re-enable the controls and click them, or tick the box.
 * "Never ran" is asserted after a positive signal that all earlier input was processed.
 * Runs in Chromium (project e2e) and Firefox (project e2e-firefox).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import type { DialogVariant } from '../fake-wesendit/pages/storages-page.ts';
import { waitForGateFrame } from '../support/chromium.ts';
import { E2E_BROWSER, launchExtensionBrowser, type ExtensionBrowser } from '../support/extension-browser.ts';

let ui: FakeWeSendit;
let extension: ExtensionBrowser;
let page: Page;

beforeAll(async () => {
  ui = await startFakeWeSendit();
  extension = await launchExtensionBrowser();
  page = await extension.browser.newPage();
});

afterAll(async () => {
  await extension?.close();
  await ui?.stop();
});

async function openGated(variant: DialogVariant, lang: 'en' | 'de' = 'en'): Promise<StoragesPageObject> {
  const storages = await StoragesPageObject.open(page, ui.url, { variant, lang });
  await storages.createStorage();
  await storages.waitForGated();
  await waitForGateFrame(page);
  return storages;
}

async function expectNothingRan(storages: StoragesPageObject, gatedControls = 2): Promise<void> {
  await storages.settle();
  const outcome = await storages.outcome();
  expect(outcome.continued, 'the page’s Continue handler ran').toBe(false);
  expect(outcome.ticked, 'the page saw the box ticked').toBe(false);
  expect(outcome.checked, 'the checkbox is checked').toBe(false);
  // Tab only moves focus past a held control; it may reach the page.
  expect(outcome.log.filter((entry) => /^(continued|closed|ticked|continue:|checkbox:)/.test(entry) && !entry.endsWith(':keydown:Tab'))).toEqual([]);
  expect(outcome.gates.filter((gate) => gate.endsWith('=gated'))).toHaveLength(gatedControls);
}

async function pointerPaths(storages: StoragesPageObject): Promise<void> {
  const box = await storages.dialogElement('input[type="checkbox"]');
  const button = await storages.dialogElement('.btn-primary');
  for (const element of [box, button]) {
    await element.click();
    const rect = await element.boundingBox();
    if (!rect) throw new Error('A held control has no box on screen.');
    // Raw CDP mouse events at the control's centre.
    await page.mouse.click(rect.x + rect.width / 2, rect.y + rect.height / 2);
    await page.mouse.down();
    await page.mouse.up();
  }
  const label = await storages.dialogElement('label.ack, .ack label');
  await label.click();
}

/** The space bar: puppeteer's WebDriver BiDi keyboard (Firefox) knows it as ' ' only. */
const SPACE = E2E_BROWSER === 'firefox' ? ' ' : 'Space';

async function keyboardPaths(storages: StoragesPageObject): Promise<void> {
  for (const [control, keys] of [
    ['box', [SPACE, 'Enter']],
    ['button', ['Enter', SPACE]],
  ] as const) {
    for (const key of keys) {
      await storages.inDialog(`${control}.removeAttribute('disabled'); ${control}.focus();`);
      await page.keyboard.press(key);
    }
  }
  // Tab through the dialog and press both keys wherever focus lands.
  for (let i = 0; i < 4; i += 1) {
    await page.keyboard.press('Tab');
    await page.keyboard.press(SPACE);
  }
}

async function scriptPaths(storages: StoragesPageObject): Promise<void> {
  await storages.inDialog(`
    for (const control of [box, button]) {
      control.removeAttribute('disabled');
      control.removeAttribute('aria-disabled');
      control.click();
      for (const type of ['pointerdown', 'mousedown']) control.dispatchEvent(new PointerEvent(type, { bubbles: true, composed: true }));
      control.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    }
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true }));
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    if (form) {
      form.requestSubmit();
      button.removeAttribute('disabled');
      form.requestSubmit(button);
      form.dispatchEvent(new SubmitEvent('submit', { bubbles: true, cancelable: true, submitter: button }));
    }
  `);
}

describe('every activation path is held', () => {
  const variants: Array<[DialogVariant, 'en' | 'de']> = [
    ['plain', 'en'],
    ['plain', 'de'],
    ['table', 'en'],
    ['inputs', 'de'],
    ['shadow', 'en'],
    ['iframe', 'en'],
  ];

  it.each(variants)('pointer, label, keyboard and script paths on %s (%s)', async (variant, lang) => {
    const storages = await openGated(variant, lang);
    await pointerPaths(storages);
    await expectNothingRan(storages);
    await keyboardPaths(storages);
    await expectNothingRan(storages);
    await scriptPaths(storages);
    await expectNothingRan(storages);
  });

  it('closing the dialog (its × button, Escape) is held too, since a closed dialog loses the key', async () => {
    const storages = await openGated('dl');
    expect((await storages.outcome()).closeGate).toBe('gated');
    await (await storages.dialogElement('.x-close')).click();
    await storages.inDialog(`const close = root.querySelector('.x-close'); close.removeAttribute('disabled'); close.click();`);
    await page.keyboard.press('Escape');
    await storages.inDialog(`box.focus(); document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));`);
    await expectNothingRan(storages);
  });

  it('a hidden Secret Key keeps the dialog held until it is shown and captured', async () => {
    const storages = await StoragesPageObject.open(page, ui.url, { variant: 'masked' });
    await storages.createStorage();
    await storages.waitForGated();
    await pointerPaths(storages);
    await scriptPaths(storages);
    await expectNothingRan(storages);
    // Shown: now captured, the prompt opens, and the same controls stay held for the save.
    await (await storages.dialogElement('.ic-eye')).click();
    await waitForGateFrame(page);
    await pointerPaths(storages);
    await expectNothingRan(storages);
  });

  it('a page that keeps re-creating the dialog and re-enabling its controls stays held', async () => {
    const storages = await openGated('rerender');
    // Wait for the page to have re-enabled and re-created the controls after the gate held them.
    await storages.app.waitForFunction(() => window.__log.filter((entry) => entry === 'rerendered').length >= 3 && window.__log.includes('reenabled'));
    await storages.waitForGated();
    for (let round = 0; round < 5; round += 1) {
      await scriptPaths(storages);
      // Handles go stale as the page re-creates nodes: click where the controls are.
      const points = await storages.app.evaluate(() =>
        [...document.querySelectorAll('input[type="checkbox"], .btn-primary, label.ack')].map((element) => {
          const rect = element.getBoundingClientRect();
          return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
        }),
      );
      for (const point of points) await page.mouse.click(point.x, point.y);
    }
    await expectNothingRan(storages);
  });

  it('a control clicked in the same task that inserted the dialog is held', async () => {
    const storages = await StoragesPageObject.open(page, ui.url, { variant: 'plain' });
    // Render a second credentials dialog and click its Continue synchronously, before any observer runs.
    await storages.createStorage();
    await storages.waitForGated();
    await storages.app.evaluate(() => {
      const copy = document.querySelector('.ov')?.cloneNode(true);
      if (!(copy instanceof HTMLElement)) throw new Error('no dialog');
      for (const element of copy.querySelectorAll('[data-connect-guard], [data-connect-guard-ui]')) {
        element.removeAttribute('data-connect-guard');
        element.removeAttribute('disabled');
        element.removeAttribute('aria-disabled');
        if (element.hasAttribute('data-connect-guard-ui')) element.remove();
      }
      const code = copy.querySelectorAll('code');
      const secret = code[code.length - 1];
      if (secret) secret.textContent = 'cgtest-secret-SameTaskClickDialogOnly1';
      copy.querySelector('.btn-primary')?.addEventListener('click', () => window.__log.push('continued'));
      document.body.append(copy);
      copy.querySelector<HTMLButtonElement>('.btn-primary')?.click();
    });
    // Both dialogs' controls are held now.
    await expectNothingRan(storages, 4);
  });
});
