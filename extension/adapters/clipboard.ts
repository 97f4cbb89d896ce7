/**
 * The system clipboard from the background. A Chromium service worker has no DOM and no
 * `navigator.clipboard`, so an offscreen document (reason CLIPBOARD) does the work with
 * `document.execCommand`, which extension pages may use with the clipboardWrite/clipboardRead
 * permissions: https://developer.chrome.com/docs/extensions/reference/api/offscreen
 * Firefox has no offscreen documents, but its background is an event page with a DOM: the same
 * commands run there, in the background itself, so no message carries the secret at all.
 *
 * `runtime.sendMessage` reaches every extension context, content scripts' messages included, so
 * the document answers the background only ({@link isBackgroundSender}); and it lives only for
 * one request: it is created, asked and closed again, one request at a time.
 */
import { browser } from 'wxt/browser';
import { ConnectGuardError } from '../../shared/errors.ts';
import { readClipboardWithDocument, writeClipboardWithDocument } from './document-clipboard.ts';
import type { ClipboardPort } from '../background/vault/clipboard-clear.ts';

/** Messages between the background and extension/entrypoints/offscreen. */
export const OFFSCREEN_TARGET = 'connect-guard-offscreen';
export type OffscreenClipboardRequest =
  | { readonly target: typeof OFFSCREEN_TARGET; readonly action: 'write'; readonly text: string }
  | { readonly target: typeof OFFSCREEN_TARGET; readonly action: 'read' };
export type OffscreenClipboardReply = { readonly ok: true; readonly text?: string } | { readonly ok: false; readonly message: string };

/** The fields of `runtime.MessageSender` the offscreen document checks. */
export interface ClipboardSender {
  readonly id?: string;
  readonly url?: string;
  readonly tab?: unknown;
  readonly frameId?: number;
}

/**
 * Only the background's service worker may use the clipboard document: this extension's id, no
 * tab (a content script and a framed page always have one), and the worker's own script URL (not
 * the popup or another extension page, which could ask the background instead).
 */
export function isBackgroundSender(sender: ClipboardSender, self: { readonly id: string; readonly backgroundUrl: string }): boolean {
  return sender.id === self.id && sender.tab === undefined && sender.url === self.backgroundUrl;
}

/** Where the background's script is (WXT writes it as background.js). */
export const BACKGROUND_SCRIPT = '/background.js';

interface OffscreenApi {
  createDocument(parameters: { url: string; reasons: string[]; justification: string }): Promise<void>;
  closeDocument?: () => Promise<void>;
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

async function closeOffscreenDocument(): Promise<void> {
  const offscreen = findOffscreenApi();
  if (!offscreen?.closeDocument) return;
  if (offscreen.hasDocument && !(await offscreen.hasDocument())) return;
  await offscreen.closeDocument().catch(() => undefined);
}

/** One request at a time: each opens the document, asks, and closes it. */
let queue: Promise<unknown> = Promise.resolve();

async function askOnce(request: OffscreenClipboardRequest): Promise<string> {
  await ensureOffscreenDocument();
  try {
    const reply: unknown = await browser.runtime.sendMessage(request);
    if (!isOffscreenReply(reply)) throw new ConnectGuardError('INTERNAL', 'The clipboard did not answer. Try copying again.');
    if (!reply.ok) throw new ConnectGuardError('INTERNAL', `The clipboard refused: ${reply.message}`);
    return reply.text ?? '';
  } finally {
    await closeOffscreenDocument();
  }
}

function ask(request: OffscreenClipboardRequest): Promise<string> {
  const result = queue.then(() => askOnce(request));
  queue = result.catch(() => undefined);
  return result;
}

export const offscreenClipboard: ClipboardPort = {
  async write(text) {
    await ask({ target: OFFSCREEN_TARGET, action: 'write', text });
  },
  read() {
    return ask({ target: OFFSCREEN_TARGET, action: 'read' });
  },
};

/** The background's own document (Firefox's event page); `undefined` in a service worker. */
function findBackgroundDocument(): Document | undefined {
  return typeof document === 'undefined' ? undefined : document;
}

/** A paste target in the event page, made once and kept empty between reads. */
function pasteBuffer(doc: Document): HTMLTextAreaElement {
  const existing = doc.querySelector('textarea[data-connect-guard-clipboard]');
  if (existing instanceof HTMLTextAreaElement) return existing;
  const buffer = doc.createElement('textarea');
  buffer.setAttribute('data-connect-guard-clipboard', '');
  buffer.setAttribute('aria-hidden', 'true');
  (doc.body ?? doc.documentElement).append(buffer);
  return buffer;
}

/**
 * The clipboard port of the background: the offscreen document where the browser has one
 * (Chromium), else the event page's own document (Firefox).
 */
export const backgroundClipboard: ClipboardPort = {
  async write(text) {
    const doc = findOffscreenApi() ? undefined : findBackgroundDocument();
    if (doc) writeClipboardWithDocument(doc, text);
    else await offscreenClipboard.write(text);
  },
  async read() {
    const doc = findOffscreenApi() ? undefined : findBackgroundDocument();
    return doc ? readClipboardWithDocument(doc, pasteBuffer(doc)) : offscreenClipboard.read();
  },
};
