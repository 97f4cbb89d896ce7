/**
 * What the connect hold shows in the page: a short note beside WeSendit's connect button saying
 * why the click is held, and a panel with the extension-origin frame hold.html ("Backing up
 * before connect"). The frame's URL carries only the hold id; the panel lives in a closed shadow
 * root so page styles and scripts do not reach into it. Unlike the gate's prompt, the panel can
 * always be closed: the click stays held, and clicking Connect again reopens it.
 */

import { createExtensionPanel, createPanelFrame } from '../dock/extension-panel.ts';

const TEXT = {
  en: {
    held: 'Connect Guard holds this click: the bucket is backed up and the backup verified before WeSendit may sync it.',
    released: 'Connect Guard let the connect click through: the bucket was empty or its backup is verified.',
    failed: 'Connect Guard holds this click but could not start the backup check: ',
    frameTitle: 'Connect Guard: backing up before connect',
    close: 'Close',
    closeLabel: 'Close the backup panel',
  },
  de: {
    held: 'Connect Guard hält diesen Klick: Der Bucket wird gesichert und die Sicherung geprüft, bevor WeSendit ihn synchronisieren darf.',
    released: 'Connect Guard hat den Klick auf Verbinden durchgelassen: Der Bucket war leer oder seine Sicherung ist geprüft.',
    failed: 'Connect Guard hält diesen Klick, konnte die Sicherung aber nicht starten: ',
    frameTitle: 'Connect Guard: Sicherung vor dem Verbinden',
    close: 'Schließen',
    closeLabel: 'Sicherungsfenster schließen',
  },
};

function texts(doc: Document): (typeof TEXT)['en'] {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de') ? TEXT.de : TEXT.en;
}

export type HoldNoteState = 'held' | 'released' | { readonly failed: string };

/**
 * Puts (or updates) the note at the end of the connect button's container. Not right after the
 * button: the "Preview connect" button sits there and is re-inserted when its neighbour changes.
 */
export function showHoldNote(button: HTMLElement, state: HoldNoteState): void {
  const container = button.parentElement;
  if (!container) return;
  const doc = button.ownerDocument;
  let note = [...container.children].find((child): child is HTMLElement => child instanceof HTMLElement && child.dataset.connectGuardUi === 'connect-hold-note');
  if (!note) {
    note = doc.createElement('p');
    note.dataset.connectGuardUi = 'connect-hold-note';
    note.setAttribute('role', 'status');
    note.style.cssText = 'margin:8px 0;padding:8px 10px;border-left:4px solid #b54708;background:#fff6e5;color:#4a2a00;font:13px/1.4 system-ui,sans-serif;border-radius:4px;';
    container.append(note);
  }
  const t = texts(doc);
  const text = state === 'held' ? t.held : state === 'released' ? t.released : t.failed + state.failed;
  if (note.textContent !== text) note.textContent = text;
  note.style.borderLeftColor = state === 'released' ? '#067647' : '#b54708';
}

export interface HoldPanel {
  readonly host: HTMLElement;
  /** Shows `src` in the frame (re-attaching the panel if it was closed or the page removed it). */
  show(src: string, modal?: Element): void;
  close(): void;
}

export function createHoldPanel(doc: Document): HoldPanel {
  const t = texts(doc);
  const { host, shadow } = createExtensionPanel(doc, {
    tag: 'connect-guard-hold',
    ui: 'connect-hold-panel',
    width: 420,
    height: 560,
    close: { text: t.close, label: t.closeLabel },
  });
  const frame = createPanelFrame(doc, t.frameTitle);
  shadow.append(frame);

  return {
    host,
    show(src, modal) {
      if (frame.getAttribute('src') !== src) frame.setAttribute('src', src);
      // Inside an open modal <dialog> the rest of the page is inert: the panel must live in it.
      const parent = modal ?? doc.body ?? doc.documentElement;
      if (!host.isConnected || host.parentElement !== parent) parent.append(host);
    },
    close() {
      host.remove();
    },
  };
}
