/**
 * What the gate writes into the page itself: a short note beside the held controls saying why
 * they are held. The prompt where the passphrase is typed is the dock's gate step (gate-step.ts),
 * an extension-origin frame out of the page scripts' reach.
 */

const NOTE_TEXT = {
  en: {
    held: 'Connect Guard: save the Secret Key to your vault first. "I have stored the keys" and "Continue" stay locked until it is saved and verified.',
    released: 'Connect Guard: Secret Key saved and verified in your vault. You can continue.',
    failed: 'Connect Guard could not open the vault prompt: ',
    unreadable: 'Connect Guard cannot read the Secret Key while it is hidden. Show it (e.g. with its eye or "Show" button) so it can be saved to your vault; until then "Continue" stays locked.',
  },
  de: {
    held: 'Connect Guard: Speichern Sie den Secret Key zuerst in Ihrem Tresor. „Gespeichert“ und „Weiter“ bleiben gesperrt, bis er gespeichert und geprüft ist.',
    released: 'Connect Guard: Secret Key im Tresor gespeichert und geprüft. Sie können fortfahren.',
    failed: 'Connect Guard konnte die Tresor-Abfrage nicht öffnen: ',
    unreadable: 'Connect Guard kann den verborgenen Secret Key nicht lesen. Zeigen Sie ihn an (z. B. mit dem Augen- oder „Anzeigen“-Knopf), damit er im Tresor gespeichert werden kann; bis dahin bleibt „Weiter“ gesperrt.',
  },
};

function texts(doc: Document): (typeof NOTE_TEXT)['en'] {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de') ? NOTE_TEXT.de : NOTE_TEXT.en;
}

export type NoteState = 'held' | 'released' | 'unreadable' | { failed: string };

/** Puts (or updates) the note right after `anchor`. */
export function showGateNote(anchor: HTMLElement, state: NoteState): HTMLElement {
  const doc = anchor.ownerDocument;
  const next = anchor.nextElementSibling;
  let note = next instanceof HTMLElement && next.dataset.connectGuardUi === 'note' ? next : undefined;
  if (!note) {
    note = doc.createElement('p');
    note.dataset.connectGuardUi = 'note';
    note.setAttribute('role', 'status');
    note.style.cssText =
      'margin:8px 0;padding:8px 10px;border-left:4px solid #b54708;background:#fff6e5;color:#4a2a00;font:13px/1.4 system-ui,sans-serif;border-radius:4px;';
    anchor.after(note);
  }
  const t = texts(doc);
  const text = typeof state === 'string' ? t[state] : t.failed + state.failed;
  if (note.textContent !== text) note.textContent = text;
  if (state === 'released') note.style.borderLeftColor = '#067647';
  return note;
}
