/**
 * A connect form a web-component front end renders inside an open shadow root (the fake WeSendit's
 * `shadow` variant): "Preview connect" appears beside its Connect button there too, reads the form
 * and opens the preview in the dock; and a click on that Connect is held like any other.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectFormSummary } from '../../shared/protocol/extension-protocol.ts';
import { formIdOf } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { launchChromiumWithExtension, openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { waitForDockFrame } from '../support/dock.ts';

let ui: FakeWeSendit;
let chromium: ChromiumWithExtension;
let popup: Page;

beforeAll(async () => {
  ui = await startFakeWeSendit();
  chromium = await launchChromiumWithExtension();
  popup = await openPopup(chromium.browser, chromium.extensionId);
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
});

const VALUES = { endpoint: 'http://127.0.0.1:9', bucket: 'usr-48291-itm-00384-shadow', accessKey: 'CGTESTSHADOWKEY00001', secretKey: 'cg-test-shadow-secret-not-real-00000001' };

async function openShadowForm(): Promise<Page> {
  const page = await chromium.browser.newPage();
  await page.goto(`${ui.url}/storage/connect?storage=st-nas&lang=en&variant=shadow`);
  await page.waitForSelector('wsi-connect-form >>> #connect');
  expect(await page.$('#connect'), 'the form is inside the shadow root, not in the document').toBeNull();
  await page.select('wsi-connect-form >>> select[name="provider"]', 'other');
  for (const [name, value] of Object.entries(VALUES)) await page.type(`wsi-connect-form >>> [name="${name}"]`, value);
  return page;
}

describe('a connect form inside an open shadow root', () => {
  it('gets "Preview connect" beside its Connect button; the preview reads it', async () => {
    const page = await openShadowForm();
    const button = await page.waitForSelector('wsi-connect-form >>> [data-connect-guard-ui="preview-connect"]', { timeout: 10_000 });
    expect(await button?.evaluate((element) => element.previousElementSibling?.id)).toBe('connect');
    await button?.click();
    const frame = await waitForDockFrame(page, '/preview.html');
    const reply = await requestFromExtensionFrame(popup.mainFrame(), { type: 'connectForm.get', data: { formId: formIdOf(frame) } });
    expect(reply).toMatchObject({ ok: { provider: 'Other S3', endpoint: VALUES.endpoint, bucket: VALUES.bucket, accessKey: VALUES.accessKey, hasSecret: true } satisfies Partial<ConnectFormSummary> });
    expect(JSON.stringify(reply)).not.toContain(VALUES.secretKey);
    await page.close();
  });

  it('holds a click on its Connect button', async () => {
    const page = await openShadowForm();
    await page.click('wsi-connect-form >>> #connect');
    await waitForDockFrame(page, '/hold.html');
    expect(await page.$eval('wsi-connect-form >>> #connect', (element) => element.getAttribute('data-connect-guard'))).toBe('gated');
    expect(await page.evaluate(() => Reflect.get(window, '__connectAttempts'))).toBe(0);
    await page.close();
  });
});
