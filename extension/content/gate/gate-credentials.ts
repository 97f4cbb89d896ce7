/**
 * The Secret Key gate in a WeSendit page: watches the document and its open shadow roots for the
 * one-time credentials dialog, holds "I have stored the
 * keys" and "Continue" the moment it appears, reports the captured fields to the background and
 * shows the extension-origin prompt in the page's Connect Guard dock (its gate step, beside the
 * dialog) where the user saves them to the vault. Only a `released` notice from the background
 * (sent after a verified save) hands the controls back.
 *
 * Browser-extension APIs come in through `GatePorts`, so this file touches only the DOM.
 */
import type { StorageCredentials } from '../../../shared/credentials.ts';
import {
  findCredentialsDialogAround,
  findPendingDialogContainers,
  scanDialogs,
  OWN_UI_SELECTOR,
  type CredentialsDialog,
  type UnreadableCredentialsDialog,
} from './find-credentials-dialog.ts';
import type { Dock } from '../dock/dock-step.ts';
import { findContinueButton, gateCandidateControlAt } from './dialog-controls.ts';
import { ControlHold } from './hold-controls.ts';
import { showGateNote, type NoteState } from './gate-notice.ts';
import { gateReleasedChanges, gateStep, gateStepKey } from './gate-step.ts';
import { mayContainCredentialLabels } from './label-matching.ts';

export interface GatePorts {
  /** `gate.captured`: the background records the capture and returns its id. */
  reportCapture(credentials: StorageCredentials, origin: string): Promise<{ captureId: string }>;
  /** `gate.state`: was this capture saved and verified meanwhile? */
  askReleased(captureId: string): Promise<boolean>;
  /** URL of the prompt frame for a capture. */
  promptUrl(captureId: string): string;
}

export interface CredentialsGate {
  /** The background confirmed a verified save of `captureId`. */
  release(captureId: string): void;
  /** Scan now (tests, or after the page settled). */
  scan(): void;
}

interface Capture {
  readonly key: string;
  captureId: string | undefined;
  released: boolean;
  note: NoteState;
  /** Its prompt is a step of the dock. */
  shown: boolean;
  /** The dialog as last seen (the page may re-render it): the dock step is placed beside it. */
  dialog: CredentialsDialog | undefined;
  anchors: Set<HTMLElement>;
}

/** Events that can activate a control; guarded in the capture phase before page listeners. */
const POINTER_EVENTS = ['click', 'dblclick', 'auxclick', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'touchstart', 'touchend', 'contextmenu'];
const KEY_EVENTS = ['keydown', 'keypress', 'keyup'];
const VALUE_EVENTS = ['input', 'change'];
/** `submit` and `change` do not cross shadow boundaries, so shadow roots get their own guard. */
const GUARDED_EVENTS = [...POINTER_EVENTS, ...KEY_EVENTS, ...VALUE_EVENTS, 'submit'];
const ACTIVATION_KEYS = new Set(['Enter', ' ', 'Spacebar', 'NumpadEnter']);
/** Elements of an event's path, from its target up, that may be the control it activates. */
const MAX_CONTROL_DEPTH = 6;

/** A short, non-reversible key for "same credentials" (a re-rendered dialog), without keeping the secret as a map key. */
function captureKeyOf(credentials: StorageCredentials): string {
  let hash = 0x811c9dc5;
  const text = `${credentials.accessKey}\u0000${credentials.secretKey}`;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${credentials.accessKey}:${hash.toString(36)}:${credentials.secretKey.length}`;
}

export function startCredentialsGate(win: Window, ports: GatePorts, dock: Dock): CredentialsGate {
  const hold = new ControlHold();
  const captures = new Map<string, Capture>();
  const byCaptureId = new Map<string, Capture>();
  const watchedRoots = new WeakSet<Node>();
  const pendingContainers = new Set<Element>();
  /** Containers of readable dialogs held or released: a control the page inserts into one is checked at once. */
  const heldContainers = new Set<Element>();
  /** Custom elements whose shadow root may be attached later than their insertion. */
  const shadowlessHosts = new Set<Element>();
  let sweepTimer: number | undefined;

  function captureFor(credentials: StorageCredentials): Capture {
    const key = captureKeyOf(credentials);
    let capture = captures.get(key);
    if (!capture) {
      capture = { key, captureId: undefined, released: false, note: 'held', shown: false, dialog: undefined, anchors: new Set() };
      captures.set(key, capture);
    }
    return capture;
  }

  function handleDialog(dialog: CredentialsDialog): void {
    const capture = captureFor(dialog.credentials);
    capture.dialog = dialog;
    const { controls } = dialog;
    heldContainers.add(dialog.container);
    if (capture.released) {
      for (const control of controls) hold.markReleased(control);
      return;
    }
    const fresh = controls.filter((control) => !hold.isHeld(control));
    for (const control of controls) hold.hold(control, capture.key);
    const anchor = dialog.continueButton ?? dialog.checkbox;
    if (anchor) {
      capture.anchors.add(anchor);
      showGateNote(anchor, capture.note);
    }
    watchEvents(dialog.container.getRootNode());
    if (capture.captureId === undefined) {
      if (capture.note === 'held' && !capture.shown) void report(capture, dialog);
      return;
    }
    if (capture.shown) dock.ensureAttached();
    // A re-rendered dialog: the release may have come while its old nodes were in the page.
    if (fresh.length > 0) {
      void ports.askReleased(capture.captureId).then((released) => {
        if (released && capture.captureId) release(capture.captureId);
      }, () => undefined);
    }
  }

  /** Holds a dialog whose Secret Key is hidden, until it is shown and can be captured. */
  const unreadableKeys = new WeakMap<Element, string>();
  let unreadableCount = 0;
  function handleUnreadable(dialog: UnreadableCredentialsDialog): void {
    let key = unreadableKeys.get(dialog.container);
    if (!key) {
      unreadableCount += 1;
      key = `unreadable:${unreadableCount}`;
      unreadableKeys.set(dialog.container, key);
    }
    for (const control of dialog.controls) hold.hold(control, key);
    showGateNote(dialog.continueButton ?? dialog.checkbox, 'unreadable');
    pendingContainers.add(dialog.container);
    watchEvents(dialog.container.getRootNode());
  }

  let reporting = new WeakSet<Capture>();
  async function report(capture: Capture, dialog: CredentialsDialog): Promise<void> {
    if (reporting.has(capture)) return;
    reporting.add(capture);
    try {
      const { captureId } = await ports.reportCapture(dialog.credentials, win.location.origin);
      capture.captureId = captureId;
      byCaptureId.set(captureId, capture);
      // The controls are held already; the frame (a heavier, out-of-process load) can wait for an
      // idle moment so it never delays holding a dialog that appears right after.
      await new Promise<void>((resolveIdle) => {
        if (typeof win.requestIdleCallback === 'function') win.requestIdleCallback(() => resolveIdle(), { timeout: 300 });
        else win.setTimeout(resolveIdle, 0);
      });
      capture.shown = true;
      const ordinal = dock.keys().filter((key) => key.startsWith(gateStepKey(''))).length + 1;
      // Beside the dialog as it is when placed: a re-rendered dialog replaces `capture.dialog`.
      const current = (): CredentialsDialog | undefined => (capture.dialog?.container.isConnected ? capture.dialog : dialog.container.isConnected ? dialog : undefined);
      dock.show(gateStep(win.document, captureId, ports.promptUrl(captureId), ordinal, current));
    } catch (error) {
      // Fail closed: the controls stay held and the note says what went wrong.
      capture.note = { failed: error instanceof Error ? error.message : String(error) };
      for (const anchor of capture.anchors) if (anchor.isConnected) showGateNote(anchor, capture.note);
      reporting = new WeakSet();
    }
  }

  function release(captureId: string): void {
    const capture = byCaptureId.get(captureId);
    if (!capture || capture.released) return;
    capture.released = true;
    capture.note = 'released';
    hold.release(capture.key);
    for (const anchor of capture.anchors) if (anchor.isConnected) showGateNote(anchor, 'released');
    // Only after the verified save may the step be closed: before it, it is the way out.
    if (capture.shown) dock.update(gateStepKey(captureId), gateReleasedChanges(win.document));
    // A dialog re-rendered just now carries new nodes: mark them too.
    scanAll();
  }

  // ---- finding dialogs -------------------------------------------------------------------

  function scanRoot(root: Document | ShadowRoot): void {
    const { dialogs, unreadable } = scanDialogs(root);
    for (const dialog of dialogs) handleDialog(dialog);
    for (const dialog of unreadable) handleUnreadable(dialog);
    for (const container of findPendingDialogContainers(root)) pendingContainers.add(container);
  }

  const roots = new Set<Document | ShadowRoot>();
  function scanAll(): void {
    for (const root of roots) {
      if (root instanceof ShadowRoot && !root.host.isConnected) continue;
      scanRoot(root);
    }
  }

  function watchRoot(root: Document | ShadowRoot): void {
    if (watchedRoots.has(root)) return;
    watchedRoots.add(root);
    roots.add(root);
    const observer = new MutationObserver((records) => onMutations(root, records));
    observer.observe(root, { childList: true, subtree: true, characterData: true });
    watchEvents(root);
    discover(root);
    const text = root instanceof Document ? root.documentElement?.textContent : root.textContent;
    if (mayContainCredentialLabels(text ?? '')) scanRoot(root);
  }

  /**
   * Open shadow roots under `scope`. Frames need nothing here: every frame, about:blank and
   * srcdoc ones included, runs its own copy of the gate (allFrames + matchAboutBlank), in its
   * own JavaScript realm.
   */
  function discover(scope: Node): void {
    const doc = scope instanceof Document ? scope : scope.ownerDocument;
    if (!doc) return;
    if (scope instanceof Element) checkElement(scope);
    const walker = doc.createTreeWalker(scope, NodeFilter.SHOW_ELEMENT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node instanceof Element) checkElement(node);
    }
  }

  function checkElement(element: Element): void {
    if (element.shadowRoot) {
      if (!element.matches(OWN_UI_SELECTOR)) watchRoot(element.shadowRoot);
    } else if (element.localName.includes('-') && !element.matches(OWN_UI_SELECTOR)) {
      shadowlessHosts.add(element);
      scheduleSweep();
      void win.customElements?.whenDefined(element.localName).then(() => checkElement(element));
    }
  }

  // Shadow roots attached after insertion cannot be observed, so unresolved custom elements are
  // re-checked at a low rate until they get one (or leave the page).
  function scheduleSweep(): void {
    if (sweepTimer !== undefined) return;
    let rounds = 0;
    sweepTimer = win.setInterval(() => {
      rounds += 1;
      for (const host of shadowlessHosts) {
        if (host.shadowRoot) {
          shadowlessHosts.delete(host);
          watchRoot(host.shadowRoot);
        } else if (!host.isConnected) shadowlessHosts.delete(host);
      }
      if (shadowlessHosts.size === 0 || rounds > 40) {
        win.clearInterval(sweepTimer);
        sweepTimer = undefined;
        shadowlessHosts.clear();
      }
    }, 250);
  }

  function onMutations(root: Document | ShadowRoot, records: MutationRecord[]): void {
    let dirty = false;
    for (const record of records) {
      if (record.type === 'characterData') {
        // A text turning into "Continue" inside a held dialog is a new control to hold.
        if (!dirty && (mayContainCredentialLabels(record.target.nodeValue ?? '') || insidePending(record.target) || insideHeld(record.target))) dirty = true;
        continue;
      }
      for (const node of record.addedNodes) {
        if (node instanceof Element) {
          if (node.matches(OWN_UI_SELECTOR)) continue;
          discover(node);
        }
        if (!dirty && mayContainCredentialLabels(node.textContent ?? '')) dirty = true;
        if (!dirty && node instanceof Element && node.querySelector('input, textarea')) dirty = pendingContainers.size > 0 || captures.size > 0;
      }
      // A control the page (re-)creates inside a held dialog: a link or a plain element meaning Continue.
      if (!dirty && record.addedNodes.length > 0 && (insidePending(record.target) || insideHeld(record.target))) dirty = true;
    }
    for (const container of pendingContainers) if (!container.isConnected) pendingContainers.delete(container);
    for (const container of heldContainers) if (!container.isConnected) heldContainers.delete(container);
    if (dirty) scanRoot(root);
  }

  function insideHeld(node: Node): boolean {
    for (const container of heldContainers) if (container.contains(node)) return true;
    return false;
  }

  function insidePending(node: Node): boolean {
    for (const container of pendingContainers) if (container.contains(node)) return true;
    return false;
  }

  // ---- the event guard -------------------------------------------------------------------

  function shouldBlock(event: Event): boolean {
    const path = event.composedPath();
    // The dock's own controls (its closed shadow root): nothing held is in there, and the dock
    // keeps its Escape from the page itself (dock.ts).
    if (path.includes(dock.host)) return false;
    if (event.type === 'submit') {
      const form = event.target;
      const submitter = event instanceof SubmitEvent ? event.submitter : null;
      if (submitter && hold.isHeld(submitter)) return true;
      return form instanceof HTMLFormElement && (hold.holdsInside(form) || gateNow(findContinueIn(form)));
    }
    if (event instanceof KeyboardEvent) {
      // Escape closes most dialogs, and a closed dialog takes the Secret Key with it.
      if (event.key === 'Escape') return hold.holdsAny();
      if (!ACTIVATION_KEYS.has(event.key)) return false;
    }
    for (const node of path) {
      if (!(node instanceof HTMLElement)) continue;
      if (hold.isHeld(node)) {
        revertChecked(node);
        return true;
      }
      if (node instanceof HTMLLabelElement && node.control && hold.isHeld(node.control)) return true;
    }
    // A control not held yet: of a dialog that appeared in this same task, before the observer
    // ran, or one the page just swapped in (a link or a plain element meaning Continue). The
    // finder's own definition decides, for the target and its few nearest ancestors.
    if (!(event.type === 'click' || event.type === 'pointerdown' || event.type === 'mousedown' || event.type === 'keydown')) return false;
    let checked = 0;
    for (const node of path) {
      if (!(node instanceof HTMLElement) || node.tagName === 'BODY' || node.tagName === 'HTML') continue;
      if (checked++ >= MAX_CONTROL_DEPTH) break;
      const control = node instanceof HTMLLabelElement ? (node.control instanceof HTMLElement ? node.control : undefined) : gateCandidateControlAt(node);
      if (control && gateNow(control)) return true;
    }
    return false;
  }

  function findContinueIn(form: HTMLFormElement): HTMLElement | undefined {
    return findContinueButton(form);
  }

  function gateNow(control: HTMLElement | undefined): boolean {
    if (!control) return false;
    const dialog = findCredentialsDialogAround(control);
    if (!dialog || captureFor(dialog.credentials).released) return false;
    handleDialog(dialog);
    return true;
  }

  function revertChecked(element: HTMLElement): void {
    const checked = hold.heldChecked(element);
    if (checked !== undefined && element instanceof HTMLInputElement && element.checked !== checked) element.checked = checked;
  }

  function onGuardedEvent(event: Event): void {
    if (!shouldBlock(event)) return;
    event.stopImmediatePropagation();
    if (event.cancelable) event.preventDefault();
    // A click on a checkbox toggles it before dispatch; cancelling restores it, this makes sure.
    const target = event.composedPath()[0];
    if (target instanceof HTMLElement) queueMicrotask(() => revertChecked(target));
  }

  const guarded = new WeakSet<EventTarget>();
  function watchEvents(target: Node | Window): void {
    const eventTarget: EventTarget = target instanceof Document ? (target.defaultView ?? target) : target;
    if (guarded.has(eventTarget)) return;
    guarded.add(eventTarget);
    for (const type of GUARDED_EVENTS) eventTarget.addEventListener(type, onGuardedEvent, { capture: true });
  }

  // The window guard first: at document_start it is registered before any page listener.
  watchEvents(win);
  const startWatching = (): void => watchRoot(win.document);
  startWatching();

  return { release, scan: scanAll };
}
