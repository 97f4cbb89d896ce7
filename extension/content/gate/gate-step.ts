/**
 * The Secret Key gate as a step of the Connect Guard dock: the extension-origin prompt gate.html
 * (`#<captureId>`, nothing else in the URL) where the passphrase is typed — never into the page's
 * own DOM, which page scripts can read — placed beside WeSendit's credentials dialog. Before the
 * verified save it cannot be closed: it is the way out of the held dialog.
 */
import { closestComposed } from '../dock/dock.ts';
import type { DockStep, DockStepChanges } from '../dock/dock-step.ts';
import type { CredentialsDialog } from './find-credentials-dialog.ts';

const TEXT = {
  en: {
    tab: 'Secret Key',
    held: 'Save your Secret Key',
    released: 'Saved and verified',
    frameTitle: 'Connect Guard: save your Secret Key',
    close: 'Close the Secret Key step',
  },
  de: {
    tab: 'Secret Key',
    held: 'Secret Key sichern',
    released: 'Gespeichert und geprüft',
    frameTitle: 'Connect Guard: Secret Key sichern',
    close: 'Secret-Key-Schritt schließen',
  },
};

function texts(doc: Document): (typeof TEXT)['en'] {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de') ? TEXT.de : TEXT.en;
}

/** One step per capture: two credentials dialogs at once each keep their prompt. */
export function gateStepKey(captureId: string): string {
  return `gate:${captureId}`;
}

/**
 * The box the user reads: the dialog element around the fields, unless that element is an
 * overlay filling the window (some UIs put role="dialog" on the backdrop) — then the fields' own
 * container.
 */
export function dialogBox(dialog: CredentialsDialog): Element {
  const box = closestComposed(dialog.container, 'dialog, [role="dialog"], [role="alertdialog"], [aria-modal="true"]');
  const view = dialog.container.ownerDocument.defaultView;
  if (!box || !view) return dialog.container;
  const rect = box.getBoundingClientRect();
  return rect.width >= view.innerWidth * 0.95 && rect.height >= view.innerHeight * 0.95 ? dialog.container : box;
}

/** `ordinal`: 1 for the page's first credentials dialog, 2 for a second one shown at the same time … */
export function gateStep(doc: Document, captureId: string, src: string, ordinal: number, dialog: () => CredentialsDialog | undefined): DockStep {
  const t = texts(doc);
  return {
    key: gateStepKey(captureId),
    kind: 'gate',
    tab: ordinal > 1 ? `${t.tab} ${ordinal}` : t.tab,
    title: t.held,
    body: { frame: src, frameTitle: t.frameTitle },
    height: 660,
    locate() {
      const found = dialog();
      if (!found) return undefined;
      return { anchor: dialogBox(found), controls: [...found.controls] };
    },
  };
}

/** After the verified save: it says so, and may be closed. */
export function gateReleasedChanges(doc: Document): DockStepChanges {
  const t = texts(doc);
  return { title: t.released, closeLabel: t.close };
}
