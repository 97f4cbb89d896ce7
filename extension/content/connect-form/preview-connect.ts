/**
 * "Preview connect" beside WeSendit's connect button: on click it reads the connect form by
 * meaning, hands the values to the background (memory only) and shows the extension's preview
 * page as the dock's preview step, beside the form. Nothing secret is written into the page: the
 * button carries no values, and the frame's URL holds only the background's form id. Empty
 * fields still open the preview: the preview page says what is missing.
 */
import type { ConnectFormValues } from '../../../shared/protocol/extension-protocol.ts';
import type { Dock } from '../dock/dock-step.ts';
import { findConnectFormsDeep, OWN_UI_SELECTOR, readConnectForm, type ConnectForm } from './find-connect-form.ts';
import { PREVIEW_STEP_KEY, previewStep } from './preview-step.ts';

/** The button's accessible name in every language (tests and users find it by this name). */
export const PREVIEW_BUTTON_NAME = 'Preview connect';

export interface PreviewConnectDeps {
  /** Sends the form to the background (`connectForm.captured`); resolves to its id. */
  captureForm(form: ConnectFormValues): Promise<{ formId: string }>;
  /** The extension-origin preview page for a form id. */
  previewUrl(formId: string): string;
  /** Was the click the user's? Default: `event.isTrusted` (a page script's `click()` is not). */
  isUserClick?(event: Event): boolean;
}

export interface PreviewConnect {
  /** Looks for connect forms now (also done on every DOM change). */
  scan(): void;
  stop(): void;
}

const GERMAN = { title: 'Verbindung vorab prüfen: was beim Verbinden mit Ihren Dateien passiert', failed: 'Connect Guard konnte das Formular nicht übergeben: ' };
const ENGLISH = { title: 'See what connecting will do to the files in the bucket and in WeSendit', failed: 'Connect Guard could not hand the form to the extension: ' };

function isGerman(doc: Document): boolean {
  return (doc.documentElement.lang || navigator.language).toLowerCase().startsWith('de');
}

export function startPreviewConnect(win: Window, deps: PreviewConnectDeps, dock: Dock): PreviewConnect {
  const doc = win.document;
  const decorated = new WeakMap<HTMLElement, HTMLButtonElement>();
  /** The form the dock's preview step sits beside, as last seen (the page may re-render it). */
  let previewed: ConnectForm | undefined;
  let scheduled = false;

  async function onPreview(form: ConnectForm): Promise<void> {
    const texts = isGerman(doc) ? GERMAN : ENGLISH;
    let content: { src: string } | { message: string };
    try {
      // Read at click time: the user may have changed the provider or a key since the button appeared.
      const { formId } = await deps.captureForm(readConnectForm(form));
      content = { src: deps.previewUrl(formId) };
    } catch (error) {
      content = { message: texts.failed + (error instanceof Error ? error.message : String(error)) };
    }
    previewed = form;
    dock.show(
      previewStep(doc, {
        content,
        form: () => (previewed?.connectButton.isConnected ? previewed : undefined),
        previewButton: () => (previewed ? decorated.get(previewed.connectButton) : undefined),
      }),
    );
  }

  function decorate(form: ConnectForm): void {
    const existing = decorated.get(form.connectButton);
    if (existing && existing.isConnected && existing.previousElementSibling === form.connectButton) return;
    existing?.remove();
    const button = doc.createElement('button');
    button.type = 'button';
    button.dataset.connectGuardUi = 'preview-connect';
    button.textContent = PREVIEW_BUTTON_NAME;
    // A German UI gets a translation as a description; the accessible name stays "Preview connect".
    button.title = (isGerman(doc) ? GERMAN : ENGLISH).title;
    button.style.cssText =
      'margin-left:8px;padding:8px 14px;border:1px solid #14213d;border-radius:6px;background:#fff;color:#14213d;font:inherit;cursor:pointer;';
    button.addEventListener('click', (event) => {
      // The page's own handlers (form submit, delegated clicks) never see this click.
      event.preventDefault();
      event.stopPropagation();
      // Only the user opens the preview: a page script's click() on this button does nothing.
      if (!(deps.isUserClick ?? ((clicked: Event) => clicked.isTrusted))(event)) return;
      void onPreview(form);
    });
    form.connectButton.after(button);
    decorated.set(form.connectButton, button);
  }

  /** Open shadow roots already watched: a form a web component renders in one is found too. */
  const watchedRoots = new WeakSet<ShadowRoot>();

  function scan(): void {
    scheduled = false;
    const found = findConnectFormsDeep(doc);
    for (const { root } of found) {
      if (root instanceof ShadowRoot && !watchedRoots.has(root)) {
        watchedRoots.add(root);
        observer.observe(root, { childList: true, subtree: true });
      }
    }
    const forms = found.map(({ form }) => form);
    for (const form of forms) decorate(form);
    // The page re-rendered the previewed form: the dock keeps beside the new one.
    if (previewed && !previewed.connectButton.isConnected && forms.length === 1) previewed = forms[0];
  }

  const observer = new MutationObserver((records) => {
    if (scheduled) return;
    // Our own insertions do not need another scan.
    const relevant = records.some((record) =>
      [...record.addedNodes, ...record.removedNodes].some((node) => !(node instanceof Element && node.matches(OWN_UI_SELECTOR))),
    );
    if (!relevant) return;
    scheduled = true;
    win.setTimeout(scan, 30);
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true });
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', scan, { once: true });
  else scan();

  return {
    scan,
    stop() {
      observer.disconnect();
      if (previewed) dock.remove(PREVIEW_STEP_KEY);
    },
  };
}
