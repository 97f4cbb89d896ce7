/**
 * The gate finds WeSendit's one-time credentials dialog by meaning in every markup variant of the
 * fake UI (label/value spans, table, dl, readonly and password inputs, open shadow DOM, a
 * same-origin iframe, a late dialog, a re-rendering one, sloppy labels), in English and German:
 * both controls are held, the prompt frame appears, and the background received all seven
 * fields exactly as issued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import { DIALOG_VARIANTS } from '../fake-wesendit/pages/storages-page.ts';
import type { Lang } from '../fake-wesendit/pages/i18n.ts';
import { captureIdOf, launchChromiumWithExtension, requestFromExtensionFrame, waitForGateFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import type { GateCapture } from '../../shared/protocol/extension-protocol.ts';
import { dockCount } from '../support/dock.ts';

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

const cases: Array<[(typeof DIALOG_VARIANTS)[number], Lang]> = DIALOG_VARIANTS.flatMap((variant): Array<[(typeof DIALOG_VARIANTS)[number], Lang]> => [
  [variant, 'en'],
  [variant, 'de'],
]);

describe('the gate holds the credentials dialog', () => {
  it.each(cases)('variant %s, lang %s', async (variant, lang) => {
    const storages = await StoragesPageObject.open(page, ui.url, { variant, lang });
    await storages.createStorage();
    await storages.waitForGated();
    if (variant === 'masked') {
      // Held while hidden, with a note saying to show it; captured once shown.
      expect(await storages.app.evaluate(() => document.querySelector('[data-connect-guard-ui="note"]')?.textContent ?? '')).toMatch(/hidden|verborgen/);
      expect(page.frames().some((f) => f.url().startsWith('chrome-extension://'))).toBe(false);
      await (await storages.dialogElement('.ic-eye')).click();
    }
    const frame = await waitForGateFrame(page);
    const captureId = captureIdOf(frame);
    expect(captureId).toMatch(/^[0-9a-f-]{36}$/);
    // One dock, in the document that holds the dialog: a dialog in a same-origin iframe gets its dock there.
    expect(await dockCount(storages.app)).toBe(1);
    if (variant === 'iframe') expect(await dockCount(page.mainFrame())).toBe(0);

    // What the background holds for this capture, asked from the extension-origin frame.
    const capture = await requestFromExtensionFrame(frame, { type: 'gate.getCapture', data: { captureId } });
    const issued = ui.lastCredentials();
    if (!issued) throw new Error('The fake UI issued no credentials.');
    const expected: GateCapture = { captureId, credentials: issued, origin: ui.url, released: false };
    expect(capture).toEqual({ ok: expected });

    const outcome = await storages.outcome();
    expect(outcome.gates.filter((gate) => gate.endsWith('=gated'))).toHaveLength(2);
    expect(outcome.continued).toBe(false);
    expect(outcome.checked).toBe(false);
  });
});

describe('a dialog a page script writes into an about:blank iframe', () => {
  it('is held in that frame and opens the prompt', async () => {
    await page.goto(`${ui.url}/storages`);
    await page.evaluate(() => {
      const frame = document.createElement('iframe');
      frame.style.cssText = 'width: 700px; height: 400px';
      document.body.append(frame);
      const doc = frame.contentDocument;
      if (!doc) throw new Error('no frame document');
      const rows = [
        ['Storage name', 'Blank frame storage'],
        ['Permissions', 'Read Only'],
        ['Allowed IP addresses', '192.0.2.7'],
        ['S3 Server Address', 'https://s3.wesendit.example'],
        ['S3 API Bucket Name', 'usr-48291-itm-00999-blank-frame'],
        ['Access Key', 'CGTESTBLANKFRAME0001'],
        ['Secret Key', 'cgtest-secret-blankframe-0123456789'],
      ];
      doc.body.innerHTML =
        rows.map(([label, value]) => `<div><span>${label}</span> <code>${value}</code></div>`).join('') +
        '<label><input type="checkbox" id="cb"> I have stored the keys</label> <button id="go" disabled>Continue</button>';
    });
    await page.waitForFunction(() => {
      const doc = document.querySelector('iframe')?.contentDocument;
      return doc?.querySelector('#cb')?.getAttribute('data-connect-guard') === 'gated' && doc.querySelector('#go')?.getAttribute('data-connect-guard') === 'gated';
    });
    const frame = await waitForGateFrame(page);
    // The dock is in the about:blank frame, beside its dialog; the page itself has none.
    const blank = page.frames().find((candidate) => candidate.parentFrame() === page.mainFrame() && candidate.url() === 'about:blank');
    if (!blank) throw new Error('no about:blank frame');
    expect(await dockCount(blank)).toBe(1);
    expect(await dockCount(page.mainFrame())).toBe(0);
    const capture = await requestFromExtensionFrame(frame, { type: 'gate.getCapture', data: { captureId: captureIdOf(frame) } });
    expect(capture).toMatchObject({ ok: { credentials: { accessKey: 'CGTESTBLANKFRAME0001', secretKey: 'cgtest-secret-blankframe-0123456789', bucketName: 'usr-48291-itm-00999-blank-frame' } } });
  });
});
