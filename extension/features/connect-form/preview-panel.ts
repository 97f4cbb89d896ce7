/**
 * The panel beside WeSendit's connect form holding the extension-origin preview page
 * (preview.html): the diff is shown there, never in the page's own DOM. The panel lives in a
 * closed shadow root so page styles and scripts do not reach into it; it can always be closed.
 */

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
  const host = doc.createElement('connect-guard-preview');
  host.dataset.connectGuardUi = 'preview-panel';
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = `
    :host { all: initial; position: fixed; top: 16px; right: 16px; z-index: 2147483647; width: 460px;
      height: min(720px, calc(100vh - 32px)); display: flex; flex-direction: column; background: #fff;
      border-radius: 10px; box-shadow: 0 12px 40px rgba(0,0,0,.35); overflow: hidden; font: 13px system-ui, sans-serif; }
    header { display: flex; align-items: center; justify-content: space-between; padding: 6px 10px; background: #14213d; color: #fff; }
    button { font: inherit; border: 0; background: transparent; color: #fff; cursor: pointer; }
    iframe { flex: 1; border: 0; width: 100%; }
    p { margin: 16px; color: #4a2a00; }`;
  const header = doc.createElement('header');
  const title = doc.createElement('span');
  title.textContent = 'Connect Guard';
  const close = doc.createElement('button');
  close.type = 'button';
  close.textContent = `${t.close} ×`;
  close.setAttribute('aria-label', t.closeLabel);
  header.append(title, close);
  let body: HTMLElement | undefined;
  shadow.append(style, header);

  const attach = (): void => {
    if (!host.isConnected) (doc.body ?? doc.documentElement).append(host);
  };
  const replaceBody = (next: HTMLElement): void => {
    if (body) body.replaceWith(next);
    else shadow.append(next);
    body = next;
  };
  close.addEventListener('click', () => host.remove());

  return {
    host,
    showFrame(src) {
      if (body instanceof HTMLIFrameElement && body.src === src) {
        attach();
        return;
      }
      const frame = doc.createElement('iframe');
      frame.src = src;
      frame.title = t.title;
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
