/**
 * The connect preview as a step of the Connect Guard dock: the extension-origin page
 * preview.html (`#form=<formId>`, nothing secret in the URL) beside WeSendit's connect form, or a
 * message in plain words when the form could not be handed to the extension. The diff is shown
 * there, never in the page's own DOM. It can always be closed.
 */
import type { DockStep } from '../dock/dock-step.ts';
import type { ConnectForm } from './find-connect-form.ts';

export const PREVIEW_STEP_KEY = 'preview';

const TEXT = {
  en: { tab: 'Preview', title: 'Preview connect', frameTitle: 'Connect Guard: preview connect', close: 'Close preview' },
  de: { tab: 'Vorschau', title: 'Verbindung vorab prüfen', frameTitle: 'Connect Guard: Verbindung vorab prüfen', close: 'Vorschau schließen' },
};

function texts(doc: Document): (typeof TEXT)['en'] {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de') ? TEXT.de : TEXT.en;
}

export interface PreviewStepInput {
  /** preview.html for the captured form, or why it could not open. */
  readonly content: { readonly src: string } | { readonly message: string };
  /** The form previewed, as it is in the page now (the page may re-render it). */
  form(): ConnectForm | undefined;
  /** Our "Preview connect" button beside the form's Connect. */
  previewButton(): HTMLElement | undefined;
}

export function previewStep(doc: Document, input: PreviewStepInput): DockStep {
  const t = texts(doc);
  return {
    key: PREVIEW_STEP_KEY,
    kind: 'preview',
    tab: t.tab,
    title: t.title,
    body: 'src' in input.content ? { frame: input.content.src, frameTitle: t.frameTitle } : { message: input.content.message },
    height: 720,
    closeLabel: t.close,
    locate() {
      const form = input.form();
      if (!form) return undefined;
      const button = input.previewButton();
      return { anchor: form.scope, controls: button ? [form.connectButton, button] : [form.connectButton] };
    },
  };
}
