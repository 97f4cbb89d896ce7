/**
 * The offscreen clipboard document answers the background only. `runtime.sendMessage` from a
 * content script (which WeSendit's page can influence) reaches every extension page, the
 * offscreen document included: asked to read right after "Copy secret", it would hand over the
 * Secret Key. Here a real content script context on the fake WeSendit page asks it to read and to
 * write, while the document is open and holds the clipboard, and gets nothing.
 */
import type { CDPSession, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { launchChromiumWithExtension, openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';

const PASSPHRASE = 'offscreen e2e passphrase: tin lantern 61';
const SECRET = `cgtest-secret-offscreen-${Date.now().toString(36)}-Qx4Lp8`;
const OFFSCREEN_TARGET = 'connect-guard-offscreen';

/** The extension page's `chrome` global, as functions passed to page.evaluate see it. */
declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  offscreen: { hasDocument(): Promise<boolean>; createDocument(options: object): Promise<void> };
};

let ui: FakeWeSendit;
let chromium: ChromiumWithExtension;
let popup: Page;

async function ok(type: string, data: unknown): Promise<Record<string, unknown>> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply !== 'object' || reply === null || !('ok' in reply)) throw new Error(`${type}: ${JSON.stringify(reply)}`);
  return reply.ok as Record<string, unknown>;
}

/** Evaluates `expression` in Connect Guard's content script world of `page` (an isolated world). */
async function inContentScript(page: Page, expression: string): Promise<unknown> {
  const session: CDPSession = await page.createCDPSession();
  const contexts: { id: number; name: string; auxData?: { type?: string; frameId?: string } }[] = [];
  session.on('Runtime.executionContextCreated', (event: { context: { id: number; name: string; auxData?: { type?: string } } }) => contexts.push(event.context));
  await session.send('Runtime.enable');
  const world = contexts.find((context) => context.auxData?.type === 'isolated' && context.name === 'Connect Guard');
  if (!world) throw new Error(`No Connect Guard content script world among ${contexts.map((context) => context.name).join(', ')}`);
  const { result, exceptionDetails } = await session.send('Runtime.evaluate', { expression, contextId: world.id, awaitPromise: true, returnByValue: true });
  await session.detach();
  if (exceptionDetails) return { threw: exceptionDetails.exception?.description ?? exceptionDetails.text };
  return result.value;
}

beforeAll(async () => {
  ui = await startFakeWeSendit();
  chromium = await launchChromiumWithExtension();
  await chromium.browser.defaultBrowserContext().overridePermissions(`chrome-extension://${chromium.extensionId}`, ['clipboard-read', 'clipboard-write']);
  popup = await openPopup(chromium.browser, chromium.extensionId);
  await ok('vault.create', { passphrase: PASSPHRASE });
  const connection = { endpoint: 'https://s3.wesendit.example', bucket: 'usr-48291-itm-00386-offscreen', accessKeyId: 'CGTESTOFFSCREEN00001', secretAccessKey: SECRET };
  await ok('storage.saveConnection', { source: { kind: 'direct', connection }, storageName: 'Offscreen test' });
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
});

describe('the offscreen clipboard document', () => {
  it('is closed again after "Copy secret": nothing is left to ask', async () => {
    const [storage] = (await requestFromExtensionFrame(popup.mainFrame(), { type: 'storage.list', data: {} }).then((reply) => (reply as { ok: { id: string }[] }).ok));
    await ok('storage.copySecret', { id: storage?.id });
    await popup.bringToFront();
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(SECRET);
    const open = await popup.evaluate(() => chrome.offscreen.hasDocument());
    expect(open).toBe(false);
  });

  it('answers no content script, even while it is open: no read of the copied secret, no write', async () => {
    // Open it as the background would, and keep it open for the attempt.
    await popup.evaluate(async () => {
      if (!(await chrome.offscreen.hasDocument())) await chrome.offscreen.createDocument({ url: 'offscreen.html', reasons: ['CLIPBOARD'], justification: 'test' });
    });
    const page = await chromium.browser.newPage();
    await page.goto(`${ui.url}/storages`);
    const read = await inContentScript(page, `chrome.runtime.sendMessage({ target: '${OFFSCREEN_TARGET}', action: 'read' }).then((reply) => reply ?? 'no answer', (error) => 'refused: ' + error.message)`);
    expect(JSON.stringify(read)).not.toContain(SECRET);
    expect(read).not.toMatchObject({ ok: true });
    const write = await inContentScript(page, `chrome.runtime.sendMessage({ target: '${OFFSCREEN_TARGET}', action: 'write', text: 'page wrote this' }).then((reply) => reply ?? 'no answer', (error) => 'refused: ' + error.message)`);
    expect(write).not.toMatchObject({ ok: true });
    await popup.bringToFront();
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(SECRET);
    await page.close();
  });

  it('answers no other extension page either: only the background uses it', async () => {
    const reply = await popup.evaluate(
      (target) => chrome.runtime.sendMessage({ target, action: 'read' }).then((answer) => answer ?? 'no answer', (error: unknown) => `refused: ${String(error)}`),
      OFFSCREEN_TARGET,
    );
    expect(JSON.stringify(reply)).not.toContain(SECRET);
  });
});
