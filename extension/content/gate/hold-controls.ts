/**
 * Holds page controls ("I have stored the keys", "Continue") until the gate releases them, against
 * every way a page or user could activate them: the `disabled`/`aria-disabled` attributes are set
 * and kept set (a MutationObserver restores them when the page's framework removes them), and a
 * capture-phase event guard (see gate-credentials.ts) stops clicks, key presses, label clicks and
 * form submits aimed at them before any page listener runs. What the page itself wanted
 * (`disabled` or not) is remembered, so the release hands the controls back in the page's state.
 */

export const GATE_ATTRIBUTE = 'data-connect-guard';

interface HeldState {
  captureKey: string;
  /** The page's own wish for `disabled`, updated when the page changes it while held. */
  pageDisabled: boolean;
  pageAriaDisabled: string | null;
  /** A checkbox's checked state when held; the hold keeps it. */
  readonly checked: boolean | undefined;
  /** Attribute writes of ours the observer will report and must not mistake for the page's. */
  ownWrites: number;
  released: boolean;
}

function isCheckable(element: HTMLElement): element is HTMLInputElement {
  return element instanceof HTMLInputElement && (element.type === 'checkbox' || element.type === 'radio');
}

export class ControlHold {
  private readonly states = new WeakMap<HTMLElement, HeldState>();
  private readonly byCapture = new Map<string, Set<HTMLElement>>();
  private readonly observers = new WeakMap<Document | ShadowRoot, MutationObserver>();

  /** Is `element` held right now (not released)? */
  isHeld(element: Element): boolean {
    const state = element instanceof HTMLElement ? this.states.get(element) : undefined;
    return state !== undefined && !state.released;
  }

  /** Any held, unreleased control inside `scope` (e.g. a form about to submit)? */
  holdsInside(scope: Element): boolean {
    for (const elements of this.byCapture.values()) {
      for (const element of elements) if (this.isHeld(element) && scope.contains(element)) return true;
    }
    return false;
  }

  /** The checked state a held checkbox must keep. */
  heldChecked(element: Element): boolean | undefined {
    return element instanceof HTMLElement ? this.states.get(element)?.checked : undefined;
  }

  /** Holds `element` for the capture `captureKey`; a no-op when it is held already. */
  hold(element: HTMLElement, captureKey: string): void {
    const existing = this.states.get(element);
    if (existing && !existing.released) {
      // Held for an unreadable dialog that has become readable: the capture takes it over.
      if (existing.captureKey !== captureKey) {
        this.byCapture.get(existing.captureKey)?.delete(element);
        existing.captureKey = captureKey;
        this.setOf(captureKey).add(element);
      }
      return;
    }
    const state: HeldState = {
      captureKey,
      pageDisabled: this.hasDisabled(element),
      pageAriaDisabled: element.getAttribute('aria-disabled'),
      checked: isCheckable(element) ? element.checked : undefined,
      ownWrites: 0,
      released: false,
    };
    this.states.set(element, state);
    this.setOf(captureKey).add(element);
    this.enforce(element, state);
    this.observe(element);
  }

  private setOf(captureKey: string): Set<HTMLElement> {
    let set = this.byCapture.get(captureKey);
    if (!set) {
      set = new Set();
      this.byCapture.set(captureKey, set);
    }
    return set;
  }

  /** Is any control held (not released) and still in the page? */
  holdsAny(): boolean {
    for (const elements of this.byCapture.values()) {
      for (const element of elements) if (element.isConnected && this.isHeld(element)) return true;
    }
    return false;
  }

  /** Marks `element` as released for `captureKey` without ever holding it (a re-render after release). */
  markReleased(element: HTMLElement): void {
    if (element.getAttribute(GATE_ATTRIBUTE) !== 'released') element.setAttribute(GATE_ATTRIBUTE, 'released');
  }

  /** Hands every control of `captureKey` back in the page's own state. */
  release(captureKey: string): void {
    for (const element of this.byCapture.get(captureKey) ?? []) {
      const state = this.states.get(element);
      if (!state || state.released) continue;
      state.released = true;
      this.setDisabled(element, state.pageDisabled);
      if (state.pageAriaDisabled === null) element.removeAttribute('aria-disabled');
      else element.setAttribute('aria-disabled', state.pageAriaDisabled);
      element.setAttribute(GATE_ATTRIBUTE, 'released');
    }
  }

  /** Controls currently held or released for `captureKey` that are still in the page. */
  controlsOf(captureKey: string): HTMLElement[] {
    const set = this.byCapture.get(captureKey);
    if (!set) return [];
    for (const element of set) if (!element.isConnected) set.delete(element);
    return [...set];
  }

  private hasDisabled(element: HTMLElement): boolean {
    return 'disabled' in element ? element.hasAttribute('disabled') : element.getAttribute('aria-disabled') === 'true';
  }

  private setDisabled(element: HTMLElement, disabled: boolean): void {
    if (!('disabled' in element)) return;
    if (element.hasAttribute('disabled') === disabled) return;
    if (disabled) element.setAttribute('disabled', '');
    else element.removeAttribute('disabled');
  }

  private enforce(element: HTMLElement, state: HeldState): void {
    if ('disabled' in element && !element.hasAttribute('disabled')) {
      state.ownWrites += 1;
      element.setAttribute('disabled', '');
    }
    if (element.getAttribute('aria-disabled') !== 'true') element.setAttribute('aria-disabled', 'true');
    if (element.getAttribute(GATE_ATTRIBUTE) !== 'gated') element.setAttribute(GATE_ATTRIBUTE, 'gated');
    if (state.checked !== undefined && isCheckable(element) && element.checked !== state.checked) element.checked = state.checked;
  }

  private observe(element: HTMLElement): void {
    const root = element.getRootNode();
    if (!(root instanceof Document || root instanceof ShadowRoot)) return;
    let observer = this.observers.get(root);
    if (!observer) {
      observer = new MutationObserver((records) => this.onAttributes(records));
      this.observers.set(root, observer);
    }
    observer.observe(element, { attributes: true, attributeOldValue: true, attributeFilter: ['disabled', 'aria-disabled', GATE_ATTRIBUTE] });
  }

  private onAttributes(records: MutationRecord[]): void {
    const touched = new Set<HTMLElement>();
    for (const record of records) {
      const element = record.target;
      if (!(element instanceof HTMLElement)) continue;
      const state = this.states.get(element);
      if (!state || state.released) continue;
      if (record.attributeName === 'disabled') {
        const present = element.hasAttribute('disabled');
        if (record.oldValue === null && present && state.ownWrites > 0) state.ownWrites -= 1;
        else if (!present) state.pageDisabled = false;
        else state.pageDisabled = true;
      } else if (record.attributeName === 'aria-disabled' && element.getAttribute('aria-disabled') !== 'true') {
        state.pageAriaDisabled = element.getAttribute('aria-disabled');
      }
      touched.add(element);
    }
    for (const element of touched) {
      const state = this.states.get(element);
      if (state && !state.released) this.enforce(element, state);
    }
  }
}
