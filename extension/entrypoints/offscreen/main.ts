/**
 * Offscreen document (reason CLIPBOARD): the background's hands on the clipboard. Answers only
 * messages addressed to it and sent by the background's service worker; a content script (which
 * a page can influence) asking to read the clipboard right after "Copy secret" gets no answer.
 * Every other runtime message is left to the background.
 */
import { browser } from 'wxt/browser';
import { readClipboardWithDocument, writeClipboardWithDocument } from '../../adapters/document-clipboard.ts';
import { BACKGROUND_SCRIPT, isBackgroundSender, OFFSCREEN_TARGET, type ClipboardSender, type OffscreenClipboardReply } from '../../adapters/clipboard.ts';

const self = { id: browser.runtime.id, backgroundUrl: browser.runtime.getURL(BACKGROUND_SCRIPT) };

const buffer = document.querySelector('textarea');

function readClipboard(): string {
  if (!buffer) throw new Error('the offscreen page has no text area');
  return readClipboardWithDocument(document, buffer);
}

function handle(message: unknown): OffscreenClipboardReply | undefined {
  if (typeof message !== 'object' || message === null || !('target' in message) || message.target !== OFFSCREEN_TARGET) return undefined;
  try {
    if ('action' in message && message.action === 'write' && 'text' in message && typeof message.text === 'string') {
      writeClipboardWithDocument(document, message.text);
      return { ok: true };
    }
    if ('action' in message && message.action === 'read') return { ok: true, text: readClipboard() };
    return { ok: false, message: 'unknown clipboard request' };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

browser.runtime.onMessage.addListener((message: unknown, sender: ClipboardSender) => {
  if (!isBackgroundSender(sender, self)) return undefined;
  const reply = handle(message);
  // undefined: not ours, so no answer (the background answers its own requests).
  return reply === undefined ? undefined : Promise.resolve(reply);
});
