/**
 * The fixed panel the content scripts put in a page to hold an extension-origin frame (the gate's
 * prompt, the connect preview, the connect hold). It lives in a closed shadow root so page styles
 * and scripts do not reach into it; a header names Connect Guard and may carry a close button.
 */

/** The close button's visible text and, when the text alone is ambiguous, its accessible name. */
export interface PanelClose {
  readonly text: string;
  readonly label?: string;
}

export interface ExtensionPanelOptions {
  /** Custom element name of the host, e.g. `connect-guard-prompt`. */
  readonly tag: string;
  /** Value of the host's `data-connect-guard-ui`, which tests and the content scripts look for. */
  readonly ui: string;
  readonly width: number;
  /** Preferred height in px; never taller than the viewport less a margin. */
  readonly height: number;
  /** Extra CSS for the panel's body. */
  readonly style?: string;
  /** Present when the panel can be closed from the start. */
  readonly close?: PanelClose;
}

export interface ExtensionPanel {
  /** The element put in the page (not yet attached). */
  readonly host: HTMLElement;
  /** Where the body (frame or message) goes, after the header. */
  readonly shadow: ShadowRoot;
  /** Adds the close button to the header unless it already has one. */
  allowClose(close: PanelClose): void;
}

export function createExtensionPanel(doc: Document, options: ExtensionPanelOptions): ExtensionPanel {
  const host = doc.createElement(options.tag);
  host.dataset.connectGuardUi = options.ui;
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = `
    :host { all: initial; position: fixed; top: 16px; right: 16px; z-index: 2147483647; width: ${options.width}px;
      height: min(${options.height}px, calc(100vh - 32px)); display: flex; flex-direction: column; background: #fff;
      border-radius: 10px; box-shadow: 0 12px 40px rgba(0,0,0,.35); overflow: hidden; font: 13px system-ui, sans-serif; }
    header { display: flex; align-items: center; justify-content: space-between; padding: 6px 10px; background: #14213d; color: #fff; }
    button { font: inherit; border: 0; background: transparent; color: #fff; cursor: pointer; }
    iframe { flex: 1; border: 0; width: 100%; }${options.style ?? ''}`;
  const header = doc.createElement('header');
  const title = doc.createElement('span');
  title.textContent = 'Connect Guard';
  header.append(title);
  shadow.append(style, header);

  const allowClose = (close: PanelClose): void => {
    if (header.querySelector('button')) return;
    const button = doc.createElement('button');
    button.type = 'button';
    button.textContent = `${close.text} ×`;
    if (close.label) button.setAttribute('aria-label', close.label);
    button.addEventListener('click', () => host.remove());
    header.append(button);
  };
  if (options.close) allowClose(options.close);
  return { host, shadow, allowClose };
}

/** An iframe for an extension page, named by `title` for assistive technology. */
export function createPanelFrame(doc: Document, title: string): HTMLIFrameElement {
  const frame = doc.createElement('iframe');
  frame.title = title;
  return frame;
}
