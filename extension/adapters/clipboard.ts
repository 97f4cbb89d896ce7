/**
 * The system clipboard from the background. A service worker has no DOM and no
 * `navigator.clipboard`, so an offscreen document (reason CLIPBOARD) does the work with
 * `document.execCommand`, which extension pages may use with the clipboardWrite/clipboardRead
 * permissions: https://developer.chrome.com/docs/extensions/reference/api/offscreen
 */
import { browser } from 'wxt/browser';
import { ConnectGuardError } from '../../shared/errors.ts';
import type { ClipboardPort } from '../background/vault/clipboard-clear.ts';

/** Messages between the background and extension/entrypoints/offscreen. */
export const OFFSCREEN_TARGET = 'connect-guard-offscreen';
export type OffscreenClipboardRequest =
  | { readonly target: typeof OFFSCREEN_TARGET; readonly action: 'write'; readonly text: string }
  | { readonly target: typeof OFFSCREEN_TARGET; readonly action: 'read' };
export type OffscreenClipboardReply = { readonly ok: true; readonly text?: string } | { readonly ok: false; readonly message: string };

interface OffscreenApi {
  createDocument(parameters: { url: string; reasons: string[]; justification: string }): Promise<void>;
  hasDocument?: () => Promise<boolean>;
}

function isOffscreenApi(value: unknown): value is OffscreenApi {
  return typeof value === 'object' && value !== null && 'createDocument' in value && typeof value.createDocument === 'function';
}

function findOffscreenApi(): OffscreenApi | undefined {
  // Not in the polyfill's typing; Chromium 109+ has it on the `chrome` global.
  const chromeGlobal: unknown = Reflect.get(globalThis, 'chrome');
  if (typeof chromeGlobal !== 'object' || chromeGlobal === null) return undefined;
  const offscreen: unknown = Reflect.get(chromeGlobal, 'offscreen');
  return isOffscreenApi(offscreen) ? offscreen : undefined;
}

let creating: Promise<void> | undefined;

async function ensureOffscreenDocument(): Promise<void> {
  const offscreen = findOffscreenApi();
  if (!offscreen) throw new ConnectGuardError('INTERNAL', 'This browser cannot copy from the extension background (no offscreen documents). Update Chromium.');
  if (offscreen.hasDocument && (await offscreen.hasDocument())) return;
  creating ??= offscreen
    .createDocument({
      url: browser.runtime.getURL('/offscreen.html'),
      reasons: ['CLIPBOARD'],
      justification: 'Copy a saved Secret Key on request and clear it from the clipboard afterwards.',
    })
    .catch((error: unknown) => {
      // A document created by an earlier run of the worker is still there: that is fine.
      if (!(error instanceof Error && /single offscreen/i.test(error.message))) throw error;
    })
    .finally(() => {
      creating = undefined;
    });
  await creating;
}

function isOffscreenReply(value: unknown): value is OffscreenClipboardReply {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

async function ask(request: OffscreenClipboardRequest): Promise<string> {
  await ensureOffscreenDocument();
  const reply: unknown = await browser.runtime.sendMessage(request);
  if (!isOffscreenReply(reply)) throw new ConnectGuardError('INTERNAL', 'The clipboard did not answer. Try copying again.');
  if (!reply.ok) throw new ConnectGuardError('INTERNAL', `The clipboard refused: ${reply.message}`);
  return reply.text ?? '';
}

export const offscreenClipboard: ClipboardPort = {
  async write(text) {
    await ask({ target: OFFSCREEN_TARGET, action: 'write', text });
  },
  read() {
    return ask({ target: OFFSCREEN_TARGET, action: 'read' });
  },
};
