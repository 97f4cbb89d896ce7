/**
 * The connect hold as a step of the Connect Guard dock: the extension-origin page hold.html
 * ("Backing up before connect", then "Backup verified"; `#hold=<holdId>`, nothing else in the
 * URL) beside WeSendit's connect form. Unlike the gate's step it can always be closed: the click
 * stays held, and clicking Connect again shows it again.
 */
import type { DockStep, DockStepChanges } from '../dock/dock-step.ts';
import type { ConnectForm } from '../connect-form/find-connect-form.ts';

export const HOLD_STEP_KEY = 'hold';

const TEXT = {
  en: {
    tab: 'Backup',
    held: 'Backing up before connect',
    released: 'Connect let through',
    frameTitle: 'Connect Guard: backing up before connect',
    close: 'Close the backup step',
  },
  de: {
    tab: 'Sicherung',
    held: 'Sicherung vor dem Verbinden',
    released: 'Verbinden freigegeben',
    frameTitle: 'Connect Guard: Sicherung vor dem Verbinden',
    close: 'Sicherungsschritt schließen',
  },
};

function texts(doc: Document): (typeof TEXT)['en'] {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de') ? TEXT.de : TEXT.en;
}

export function holdStep(doc: Document, src: string, form: () => ConnectForm | undefined): DockStep {
  const t = texts(doc);
  return {
    key: HOLD_STEP_KEY,
    kind: 'hold',
    tab: t.tab,
    title: t.held,
    body: { frame: src, frameTitle: t.frameTitle },
    height: 560,
    closeLabel: t.close,
    locate() {
      const found = form();
      if (!found) return undefined;
      // Our "Preview connect" sits right after Connect: the user may want it too.
      const preview = found.connectButton.nextElementSibling;
      const controls = preview instanceof HTMLElement && preview.dataset.connectGuardUi === 'preview-connect' ? [found.connectButton, preview] : [found.connectButton];
      return { anchor: found.scope, controls };
    },
  };
}

/** The held click went through: the bucket was empty or its backup is verified. The frame stays until the next step. */
export function holdReleasedChanges(doc: Document): DockStepChanges {
  return { title: texts(doc).released };
}
