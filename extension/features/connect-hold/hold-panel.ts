/**
 * What the connect hold shows in the page: a short note beside WeSendit's connect button saying
 * why the click is held, and a panel with the extension-origin frame hold.html ("Backing up
 * before connect"). The frame's URL carries only the hold id; the panel lives in a closed shadow
 * root so page styles and scripts do not reach into it. Unlike the gate's prompt, the panel can
 * always be closed: the click stays held, and clicking Connect again reopens it.
 */

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
  const host = doc.createElement('connect-guard-hold');
  host.dataset.connectGuardUi = 'connect-hold-panel';
  const shadow = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = `
    :host { all: initial; position: fixed; top: 16px; right: 16px; z-index: 2147483647; width: 420px;
      height: min(560px, calc(100vh - 32px)); display: flex; flex-direction: column; background: #fff;
      border-radius: 10px; box-shadow: 0 12px 40px rgba(0,0,0,.35); overflow: hidden; font: 13px system-ui, sans-serif; }
    header { display: flex; align-items: center; justify-content: space-between; padding: 6px 10px; background: #14213d; color: #fff; }
    button { font: inherit; border: 0; background: transparent; color: #fff; cursor: pointer; }
    iframe { flex: 1; border: 0; width: 100%; }`;
  const header = doc.createElement('header');
  const title = doc.createElement('span');
  title.textContent = 'Connect Guard';
  const close = doc.createElement('button');
  close.type = 'button';
  close.textContent = `${t.close} ×`;
  close.setAttribute('aria-label', t.closeLabel);
  close.addEventListener('click', () => host.remove());
  header.append(title, close);
  const frame = doc.createElement('iframe');
  frame.title = t.frameTitle;
  shadow.append(style, header, frame);

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
