/**
 * The clipboard through a document's editing commands, which an extension page may use with the
 * clipboardWrite/clipboardRead permissions and without a user gesture. Chromium runs these in its
 * offscreen document (the service worker has no DOM); Firefox in the background's own event
 * page, which has one: https://developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/Interact_with_the_clipboard
 */

/** Puts exactly `text` on the clipboard, an empty string included (a selection could not). */
export function writeClipboardWithDocument(doc: Document, text: string): void {
  const onCopy = (event: ClipboardEvent): void => {
    event.clipboardData?.setData('text/plain', text);
    event.preventDefault();
  };
  doc.addEventListener('copy', onCopy);
  try {
    if (!doc.execCommand('copy')) throw new Error('copy was not allowed');
  } finally {
    doc.removeEventListener('copy', onCopy);
  }
}

/** Reads the clipboard's text by pasting into `buffer`, which is emptied again afterwards. */
export function readClipboardWithDocument(doc: Document, buffer: HTMLTextAreaElement): string {
  buffer.value = '';
  buffer.focus();
  try {
    if (!doc.execCommand('paste')) throw new Error('paste was not allowed');
    return buffer.value;
  } finally {
    // Do not keep what was read around in the page.
    buffer.value = '';
  }
}
