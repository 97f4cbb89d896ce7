/**
 * The panel beside WeSendit's connect form holding the extension-origin preview page
 * (preview.html): the diff is shown there, never in the page's own DOM. The panel lives in a
 * closed shadow root so page styles and scripts do not reach into it; it can always be closed.
 */

import { createExtensionPanel, createPanelFrame } from '../dock/extension-panel.ts';

export interface PreviewPanel {
  readonly host: HTMLElement;
  /** Shows `src` in the panel's frame (re-attaching the panel if it was closed or removed). */
  showFrame(src: string): void;
  /** Shows a message in plain words instead of the frame. */
  showMessage(text: string): void;
  close(): void;
}

const TEXT = {
  en: { title: 'Connect Guard: preview connect', close: 'Close', closeLabel: 'Close preview' },
  de: { title: 'Connect Guard: Verbindung vorab prüfen', close: 'Schließen', closeLabel: 'Vorschau schließen' },
};

export function panelTexts(doc: Document): (typeof TEXT)['en'] {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de') ? TEXT.de : TEXT.en;
}

export function createPreviewPanel(doc: Document): PreviewPanel {
  const t = panelTexts(doc);
  const { host, shadow } = createExtensionPanel(doc, {
    tag: 'connect-guard-preview',
    ui: 'preview-panel',
    width: 460,
    height: 720,
    style: '\n    p { margin: 16px; color: #4a2a00; }',
    close: { text: t.close, label: t.closeLabel },
  });
  let body: HTMLElement | undefined;

  const attach = (): void => {
    if (!host.isConnected) (doc.body ?? doc.documentElement).append(host);
  };
  const replaceBody = (next: HTMLElement): void => {
    if (body) body.replaceWith(next);
    else shadow.append(next);
    body = next;
  };

  return {
    host,
    showFrame(src) {
      if (body instanceof HTMLIFrameElement && body.src === src) {
        attach();
        return;
      }
      const frame = createPanelFrame(doc, t.title);
      frame.src = src;
      replaceBody(frame);
      attach();
    },
    showMessage(text) {
      const message = doc.createElement('p');
      message.setAttribute('role', 'alert');
      message.textContent = text;
      replaceBody(message);
      attach();
    },
    close() {
      host.remove();
    },
  };
}
