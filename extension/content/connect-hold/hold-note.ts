/**
 * What the connect hold writes into the page itself: a short note beside WeSendit's connect
 * button saying why the click is held. The frame "Backing up before connect" is the dock's hold
 * step (hold-step.ts).
 */

const TEXT = {
  en: {
    held: 'Connect Guard holds this click: the bucket is backed up and the backup verified before WeSendit may sync it.',
    released: 'Connect Guard let the connect click through: the bucket was empty or its backup is verified.',
    failed: 'Connect Guard holds this click but could not start the backup check: ',
  },
  de: {
    held: 'Connect Guard hält diesen Klick: Der Bucket wird gesichert und die Sicherung geprüft, bevor WeSendit ihn synchronisieren darf.',
    released: 'Connect Guard hat den Klick auf Verbinden durchgelassen: Der Bucket war leer oder seine Sicherung ist geprüft.',
    failed: 'Connect Guard hält diesen Klick, konnte die Sicherung aber nicht starten: ',
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
