/**
 * Connect Guard's framed pages (gate, preview, hold) are reachable only where the dock puts them:
 * on WeSendit (here the fake UI on 127.0.0.1), through a per-session URL. Another site cannot
 * fetch or frame them by the extension's fixed id (so it cannot tell that Connect Guard is
 * installed), not even with the live per-session URL and a capture id that leaked to it; and a
 * WeSendit page cannot frame them by the fixed id either.
 */
import { createServer, type Server } from 'node:http';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { StoragesPageObject } from '../fake-wesendit/storages-page-object.ts';
import { launchChromiumWithExtension, waitForGateFrame, type ChromiumWithExtension } from '../support/chromium.ts';

let ui: FakeWeSendit;
let chromium: ChromiumWithExtension;
/** A site that is not WeSendit: 127.0.0.2 is loopback, but no gate origin even in the loopback build. */
let foreign: Server;
let foreignUrl: string;

beforeAll(async () => {
  ui = await startFakeWeSendit();
  chromium = await launchChromiumWithExtension();
  foreign = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end('<!doctype html><title>Another site</title><body></body>');
  });
  await new Promise<void>((resolveListen) => foreign.listen(0, '127.0.0.2', resolveListen));
  const address = foreign.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  foreignUrl = `http://127.0.0.2:${address.port}/`;
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  await new Promise((resolveClose) => foreign?.close(resolveClose));
});

/** What a page script gets when it fetches and frames `url`. */
async function probe(page: Page, url: string): Promise<{ fetched: string; framedUrl: string | undefined; framedText: string | undefined }> {
  const fetched = await page.evaluate(async (target) => {
    try {
      const response = await fetch(target);
      return `status ${response.status}`;
    } catch (error) {
      return `refused: ${String(error)}`;
    }
  }, url);
  await page.evaluate((target) => {
    const frame = document.createElement('iframe');
    frame.src = target;
    document.body.append(frame);
    return new Promise((resolveLoad) => frame.addEventListener('load', resolveLoad, { once: true }));
  }, url);
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
  const framedText = frame && frame.url().startsWith('chrome-extension://') ? await frame.evaluate(() => document.body.innerText).catch(() => undefined) : undefined;
  return { fetched, framedUrl: frame?.url(), framedText };
}

describe('web-accessible pages', () => {
  it('another site can neither fetch nor frame them by the fixed id: no way to tell Connect Guard is installed', async () => {
    const page = await chromium.browser.newPage();
    await page.goto(foreignUrl);
    for (const path of ['gate.html', 'preview.html', 'hold.html', 'review.html', 'manifest.json']) {
      const { fetched } = await probe(page, `chrome-extension://${chromium.extensionId}/${path}`);
      expect(fetched, path).toMatch(/^refused/);
    }
    const { framedUrl, framedText } = await probe(page, `chrome-extension://${chromium.extensionId}/gate.html#any`);
    expect(framedUrl).toMatch(/^chrome-error:/);
    expect(framedText).toBeUndefined();
    await page.close();
  });

  it('the live per-session URL of a gate prompt, with its capture id, shows nothing on another site', async () => {
    const page = await chromium.browser.newPage();
    const storages = await StoragesPageObject.open(page, ui.url, { variant: 'plain', lang: 'en' });
    await storages.createStorage();
    await storages.waitForGated();
    const prompt = await waitForGateFrame(page);
    await prompt.waitForSelector('::-p-text(Save your Secret Key)');
    const leaked = prompt.url();
    expect(leaked).toContain('/gate.html#');

    const attacker = await chromium.browser.newPage();
    await attacker.goto(foreignUrl);
    const { fetched, framedUrl, framedText } = await probe(attacker, leaked);
    expect(fetched).toMatch(/^refused/);
    expect(framedUrl).toMatch(/^chrome-error:/);
    expect(framedText ?? '').not.toContain(ui.lastCredentials()?.accessKey ?? 'never');
    await attacker.close();
    await page.close();
  });

  it('a WeSendit page itself cannot frame them by the fixed id: only the dock’s per-session URL loads', async () => {
    const page = await chromium.browser.newPage();
    await StoragesPageObject.open(page, ui.url, { variant: 'plain', lang: 'en' });
    const { fetched, framedUrl } = await probe(page, `chrome-extension://${chromium.extensionId}/gate.html#any`);
    expect(fetched).toMatch(/^refused/);
    expect(framedUrl).toMatch(/^chrome-error:/);
    await page.close();
  });
});
