/**
 * The connect hold in a WeSendit page: WeSendit's "Connect" / "Verbinden" button of the
 * connect-to-bucket form (found by meaning, see ../connect-form/find-connect-form.ts) is held on
 * every activation path until the background says the bucket was empty (a Fresh Start) or its
 * backup is verified. Then the click the user made goes through, once, as the user made it.
 *
 * Unlike the gate's controls (hold-controls.ts) the button is not disabled: the click on it is
 * what starts the backup, so it must reach us. A capture-phase guard on the window, registered at
 * document_start before any page listener, stops what would activate the button — pointer and
 * mouse events (CDP input included), Enter/Space, a click on its label, the form's submit
 * (requestSubmit too), synthetic clicks from page scripts — and recognises the button at event
 * time, so a button the page re-creates is held from its first event. The page may enable,
 * disable or re-render the button as it likes: nothing here depends on its attributes.
 *
 * Values are read at the moment of the click; a hold is tied to them (provider, endpoint, bucket,
 * key pair). If they change after a release, the next click is held again. The form's values,
 * the secret included, go to the background only; the page's DOM gets the hold's marker
 * (`data-connect-guard`), a note, and the dock's hold step: a frame whose URL holds only the hold
 * id. Once released the step stays, saying so, until the next step (WeSendit's credentials dialog)
 * replaces it.
 *
 * Browser-extension APIs come in through `ConnectHoldPorts`, so this file touches only the DOM.
 */
import type { ConnectFormValues } from '../../../shared/protocol/extension-protocol.ts';
import { findConnectForms, findConnectFormsDeep, OWN_UI_SELECTOR, readConnectForm, type ConnectForm } from '../connect-form/find-connect-form.ts';
import { isConnectText } from '../connect-form/connect-form-labels.ts';
import { controlWithMeaningAt } from '../controls/controls-with-meaning.ts';
import type { Dock } from '../dock/dock-step.ts';
import { GATE_ATTRIBUTE } from '../gate/hold-controls.ts';
import { formKeyOf, isUserActivation } from './hold-activation.ts';
import { showHoldNote } from './hold-note.ts';
import { HOLD_STEP_KEY, holdReleasedChanges, holdStep } from './hold-step.ts';

export interface ConnectHoldPorts {
  /** `connectHold.requested`: the background starts checking (and backing up) the bucket. */
  /** `connectHold.requested`; `trusted` when the click was the user's (see {@link isUserActivation}). */
  requestHold(form: ConnectFormValues, trusted: boolean): Promise<{ readonly holdId: string }>;
  /** `connectHold.state`: may the held click go through now? Rejects when the background does not know the hold. */
  askReleased(holdId: string): Promise<boolean>;
  /** URL of the extension frame "Backing up before connect" for a hold. */
  holdUrl(holdId: string): string;
}

export interface ConnectHold {
  /** The background released `holdId` (`connectHold.released`): the held click goes through. */
  release(holdId: string): void;
  /** Marks the connect buttons now (also done after every DOM change). */
  scan(): void;
  stop(): void;
}

/** What the user did, to be done again once released. */
interface Activation {
  readonly form: ConnectForm;
  readonly kind: 'click' | 'submit';
  /** The user's own click, key or submit; a page script's `click()` or `requestSubmit()` is not. */
  readonly trusted: boolean;
  readonly formElement: HTMLFormElement | undefined;
  readonly submitter: HTMLElement | undefined;
}

interface HoldRecord {
  /** A digest of the form's values (never the values themselves). */
  readonly key: string;
  holdId: string | undefined;
  requesting: boolean;
  released: boolean;
  /** The latest held activation, re-done once on release. */
  pending: Activation | undefined;
  /** The hold was asked for by the user's own activation. */
  trusted: boolean;
}

const POINTER_EVENTS = ['click', 'dblclick', 'auxclick', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'touchstart', 'touchend'];
const KEY_EVENTS = ['keydown', 'keypress', 'keyup'];
const GUARDED_EVENTS = [...POINTER_EVENTS, ...KEY_EVENTS, 'submit'];
const ACTIVATION_KEYS = new Set(['Enter', ' ', 'Spacebar', 'NumpadEnter']);
/** Elements of an event's path, from its target up, that may be the connect control it activates. */
const MAX_CONTROL_DEPTH = 8;
const OBSERVED: MutationObserverInit = { childList: true, subtree: true, attributes: true, attributeFilter: [GATE_ATTRIBUTE, 'hidden', 'value'] };

function rootOf(element: Element): Document | ShadowRoot | undefined {
  const root = element.getRootNode();
  // By identity rather than `instanceof Document`: a DOM implementation may use a subclass from another realm.
  if (root === element.ownerDocument) return element.ownerDocument;
  return root instanceof ShadowRoot ? root : undefined;
}

function formOwnerOf(button: HTMLElement): HTMLFormElement | undefined {
  if (button instanceof HTMLButtonElement || button instanceof HTMLInputElement) return button.form ?? undefined;
  return button.closest('form') ?? undefined;
}

export function startConnectHold(win: Window, ports: ConnectHoldPorts, dock: Dock): ConnectHold {
  const doc = win.document;
  const records = new Map<string, HoldRecord>();
  const byHoldId = new Map<string, HoldRecord>();
  /** Buttons a re-render put in the page whose pending hold was re-checked already. */
  const checkedButtons = new WeakSet<HTMLElement>();
  /** Released hold ids this frame did not know yet (another frame's, or a reply still on its way). */
  const earlyReleases = new Set<string>();
  /** Open shadow roots that held a connect form. */
  const shadowRoots = new Set<ShadowRoot>();
  /** The hold the dock's step shows, and its form as last seen (the dock is placed beside it). */
  let shown: { holdId: string; form: ConnectForm } | undefined;
  /** True while we re-do a released click: the guard lets everything through. */
  let passing = false;
  let scanTimer: number | undefined;
  let stopped = false;

  // ---- recognising the connect button ---------------------------------------------------

  /**
   * The connect form whose connect control is `element`, recognised right now (a control created
   * in this task included): any element meaning Connect — a button, a link, a plain element with
   * a click handler — by the finder's own definition (controls-with-meaning.ts).
   */
  function connectFormOf(element: Element): ConnectForm | undefined {
    if (!(element instanceof HTMLElement) || element.closest(OWN_UI_SELECTOR)) return undefined;
    if (controlWithMeaningAt(element, isConnectText) !== element) return undefined;
    const root = rootOf(element);
    if (!root) return undefined;
    const form = findConnectForms(root).find((candidate) => candidate.connectButton === element);
    if (form && root instanceof ShadowRoot) watchShadowRoot(root);
    return form;
  }

  /**
   * A connect form inside an open shadow root: `submit` does not cross the shadow boundary, so
   * the root gets its own guard, and later scans mark its buttons too.
   */
  function watchShadowRoot(root: ShadowRoot): void {
    if (shadowRoots.has(root)) return;
    shadowRoots.add(root);
    root.addEventListener('submit', onGuardedEvent, { capture: true });
    observer.observe(root, OBSERVED);
  }

  /** The connect button an event is aimed at: the button itself (or an element inside it), or its label. */
  function connectFormInPath(event: Event): ConnectForm | undefined {
    let checked = 0;
    for (const node of event.composedPath()) {
      if (!(node instanceof HTMLElement) || node.tagName === 'BODY' || node.tagName === 'HTML') continue;
      if (checked++ >= MAX_CONTROL_DEPTH) return undefined;
      if (node.closest(OWN_UI_SELECTOR)) return undefined;
      if (node instanceof HTMLLabelElement) {
        const control = node.control;
        const form = control ? connectFormOf(control) : undefined;
        if (form) return form;
        continue;
      }
      const form = connectFormOf(node);
      if (form) return form;
    }
    return undefined;
  }

  function connectFormOfSubmit(event: Event): ConnectForm | undefined {
    const target = event.target;
    if (!(target instanceof HTMLFormElement)) return undefined;
    const root = rootOf(target);
    if (!root) return undefined;
    const submitter = event instanceof SubmitEvent && event.submitter instanceof HTMLElement ? event.submitter : undefined;
    const forms = findConnectForms(root).filter((form) => form.scope === target || formOwnerOf(form.connectButton) === target);
    return forms.find((form) => form.connectButton === submitter) ?? forms[0];
  }

  // ---- the event guard ------------------------------------------------------------------

  function isActivation(event: Event): boolean {
    if (event.type === 'submit') return true;
    if (event instanceof KeyboardEvent) return event.type === 'keydown' && !event.repeat;
    return event.type === 'click';
  }

  function onGuardedEvent(event: Event): void {
    if (passing || stopped) return;
    if (event instanceof KeyboardEvent && !ACTIVATION_KEYS.has(event.key)) return;
    const form = event.type === 'submit' ? connectFormOfSubmit(event) : connectFormInPath(event);
    if (!form) return;
    const values = readConnectForm(form);
    const key = formKeyOf(values);
    const record = records.get(key);
    if (record?.released) {
      mark(form.connectButton, 'released');
      return;
    }
    event.stopImmediatePropagation();
    if (event.cancelable) event.preventDefault();
    mark(form.connectButton, 'gated');
    if (!isActivation(event)) return;
    const formElement = event.type === 'submit' && event.target instanceof HTMLFormElement ? event.target : formOwnerOf(form.connectButton);
    const submitter = event instanceof SubmitEvent && event.submitter instanceof HTMLElement ? event.submitter : undefined;
    attempt({ form, kind: event.type === 'submit' ? 'submit' : 'click', formElement, submitter, trusted: isUserActivation(event, win.navigator) }, values, key);
  }

  /** Form fields changed: a released button may have to be held again (and the other way round). */
  function onFieldEvent(event: Event): void {
    const target = event.target;
    if (target instanceof Element && target.matches('input, select, textarea') && !target.closest(OWN_UI_SELECTOR)) scheduleScan();
  }

  // ---- holding and releasing ------------------------------------------------------------

  function attempt(activation: Activation, values: ConnectFormValues, key: string): void {
    let record = records.get(key);
    if (!record) {
      record = { key, holdId: undefined, requesting: false, released: false, pending: undefined, trusted: false };
      records.set(key, record);
    }
    record.pending = activation;
    showHoldNote(activation.form.connectButton, 'held');
    // The user now clicked what a page script clicked before: ask again, as the user.
    if (record.holdId !== undefined && activation.trusted && !record.trusted && !record.requesting) {
      byHoldId.delete(record.holdId);
      record.holdId = undefined;
    }
    if (record.holdId === undefined) {
      if (!record.requesting) void request(record, values, activation.form);
      return;
    }
    showStep(record.holdId, activation.form);
    const holdId = record.holdId;
    const known = record;
    ports.askReleased(holdId).then(
      (released) => {
        if (released) release(holdId);
      },
      () => {
        // The background no longer knows the hold (it was restarted): ask for a new one.
        if (byHoldId.get(holdId) !== known || known.released) return;
        byHoldId.delete(holdId);
        known.holdId = undefined;
        void request(known, values, activation.form);
      },
    );
  }

  async function request(record: HoldRecord, values: ConnectFormValues, form: ConnectForm): Promise<void> {
    record.requesting = true;
    try {
      const trusted = record.pending?.trusted ?? false;
      const { holdId } = await ports.requestHold(values, trusted);
      record.trusted = trusted;
      record.holdId = holdId;
      byHoldId.set(holdId, record);
      if (!record.released) showStep(holdId, record.pending?.form ?? form);
      if (earlyReleases.delete(holdId)) release(holdId);
    } catch (error) {
      // Fail closed: the click stays held, the note says why, and the next click asks again.
      records.delete(record.key);
      showHoldNote(form.connectButton, { failed: error instanceof Error ? error.message : String(error) });
    } finally {
      record.requesting = false;
    }
  }

  function showStep(holdId: string, form: ConnectForm): void {
    const step = { holdId, form };
    shown = step;
    dock.show(holdStep(doc, ports.holdUrl(holdId), () => (step.form.connectButton.isConnected ? step.form : undefined)));
  }

  function release(holdId: string): void {
    const record = byHoldId.get(holdId);
    if (!record) {
      // The release can overtake the reply that told us the id (an empty bucket is checked fast).
      if (earlyReleases.size >= 32) earlyReleases.clear();
      earlyReleases.add(holdId);
      return;
    }
    if (record.released) return;
    record.released = true;
    // The frame stays on screen ("Backup verified") while the click goes through.
    if (shown?.holdId === holdId) dock.update(HOLD_STEP_KEY, holdReleasedChanges(doc));
    const pending = record.pending;
    record.pending = undefined;
    scan();
    if (pending) redo(pending, record.key);
  }

  /** Re-does the held click once, on the button as it is now, if the form still holds the released values. */
  function redo(activation: Activation, key: string): void {
    let form: ConnectForm | undefined = activation.form.connectButton.isConnected ? connectFormOf(activation.form.connectButton) : undefined;
    // The page re-rendered the form while the backup ran: the same values in a new form count.
    form ??= allForms().find((candidate) => formKeyOf(readConnectForm(candidate)) === key);
    if (!form || formKeyOf(readConnectForm(form)) !== key) return;
    showHoldNote(form.connectButton, 'released');
    passing = true;
    try {
      const formElement = activation.formElement?.isConnected ? activation.formElement : formOwnerOf(form.connectButton);
      if (activation.kind === 'submit' && formElement) requestSubmitAs(formElement, activation.submitter);
      else form.connectButton.click();
    } finally {
      passing = false;
    }
  }

  /** A submit as the user's click or Enter would have made it: with its submitter when it still is one. */
  function requestSubmitAs(form: HTMLFormElement, submitter: HTMLElement | undefined): void {
    if (submitter && submitter.isConnected && formOwnerOf(submitter) === form) {
      try {
        form.requestSubmit(submitter);
        return;
      } catch {
        // Not a submit button of this form (any more): submit without one.
      }
    }
    form.requestSubmit();
  }

  // ---- marking the buttons --------------------------------------------------------------

  function mark(button: HTMLElement, state: 'gated' | 'released'): void {
    if (button.getAttribute(GATE_ATTRIBUTE) !== state) button.setAttribute(GATE_ATTRIBUTE, state);
  }

  /** Every connect form of the page, in open shadow roots too (each such root gets its own submit guard). */
  function allForms(): ConnectForm[] {
    for (const root of shadowRoots) if (!root.host.isConnected) shadowRoots.delete(root);
    return findConnectFormsDeep(doc).map(({ form, root }) => {
      if (root instanceof ShadowRoot) watchShadowRoot(root);
      return form;
    });
  }

  function scan(): void {
    scanTimer = undefined;
    if (stopped) return;
    for (const form of allForms()) {
      const record = records.get(formKeyOf(readConnectForm(form)));
      // A re-rendered form of the hold on show: the dock keeps beside it.
      if (shown && record?.holdId === shown.holdId && !shown.form.connectButton.isConnected) shown.form = form;
      mark(form.connectButton, record?.released ? 'released' : 'gated');
      // A re-rendered form of a held click: the release may have come while the old nodes were in the page.
      if (record && !record.released && record.holdId !== undefined && record.pending && !checkedButtons.has(form.connectButton) && form.connectButton !== record.pending.form.connectButton) {
        checkedButtons.add(form.connectButton);
        const holdId = record.holdId;
        ports.askReleased(holdId).then(
          (released) => {
            if (released) release(holdId);
          },
          () => undefined,
        );
      }
    }
  }

  function scheduleScan(): void {
    if (scanTimer !== undefined || stopped) return;
    scanTimer = win.setTimeout(scan, 16);
  }

  const observer = new MutationObserver((mutations) => {
    const relevant = mutations.some((mutation) => {
      if (mutation.type === 'attributes') return true;
      return [...mutation.addedNodes, ...mutation.removedNodes].some((node) => !(node instanceof Element && node.matches(OWN_UI_SELECTOR)));
    });
    if (relevant) scheduleScan();
  });
  // The Document itself exists at document_start, before <html> has children.
  observer.observe(doc, OBSERVED);

  // The window guard first: at document_start it is registered before any page listener.
  for (const type of GUARDED_EVENTS) win.addEventListener(type, onGuardedEvent, { capture: true });
  for (const type of ['input', 'change']) win.addEventListener(type, onFieldEvent, { capture: true });
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', scan, { once: true });
  else scan();

  return {
    release,
    scan,
    stop() {
      stopped = true;
      observer.disconnect();
      for (const type of GUARDED_EVENTS) win.removeEventListener(type, onGuardedEvent, { capture: true });
      for (const type of ['input', 'change']) win.removeEventListener(type, onFieldEvent, { capture: true });
      for (const root of shadowRoots) root.removeEventListener('submit', onGuardedEvent, { capture: true });
      if (scanTimer !== undefined) win.clearTimeout(scanTimer);
      if (shown) dock.remove(HOLD_STEP_KEY);
    },
  };
}
