/**
 * The controls of a credentials dialog the gate holds: the "I have stored the keys" checkbox,
 * every control meaning Continue (of any kind: controls-with-meaning.ts), activatable controls
 * meaning "stored", and the close buttons.
 */
import { ACTIVATABLE_SELECTOR, byId, collapse, controlWithMeaningAt, findControlsWithMeaning } from '../controls/controls-with-meaning.ts';
import { isContinueText, isStoredKeysText } from './label-matching.ts';

/** Our own UI (the dock, the notes) is never part of what is read. */
const OWN_UI_SELECTOR = '[data-connect-guard-ui]';

export function accessibleText(element: Element): string {
  const parts: string[] = [];
  const ariaLabel = element.getAttribute('aria-label');
  if (ariaLabel) parts.push(ariaLabel);
  for (const id of (element.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean)) {
    const labelElement = byId(element, id);
    if (labelElement) parts.push(labelElement.textContent ?? '');
  }
  if (element instanceof HTMLInputElement) {
    for (const label of element.labels ?? []) parts.push(label.textContent ?? '');
    if (['submit', 'button'].includes(element.type)) parts.push(element.value);
  }
  if (parts.length === 0 && !(element instanceof HTMLInputElement)) parts.push(element.textContent ?? '');
  if (parts.length === 0 && element.parentElement) {
    // An unlabelled checkbox next to its text: "<div><input type=checkbox> I have stored…</div>".
    const parentText = element.parentElement.textContent ?? '';
    if (parentText.length < 200) parts.push(parentText);
  }
  return collapse(parts.join(' '));
}

function isHTMLElement(element: Element): element is HTMLElement {
  return element instanceof HTMLElement;
}

/** The "I have stored the keys" checkbox in `scope`. */
export function findStoredCheckbox(scope: Element): HTMLElement | undefined {
  const boxes = [...scope.querySelectorAll('input[type="checkbox"], [role="checkbox"], [role="switch"]')].filter(isHTMLElement).filter((box) => !box.closest(OWN_UI_SELECTOR));
  return boxes.find((box) => isStoredKeysText(accessibleText(box))) ?? (boxes.length === 1 ? boxes[0] : undefined);
}

/** Every control in `scope` that means "Continue": a button, a link, or a plain element with that name. */
export function findContinueControls(scope: Element): HTMLElement[] {
  return findControlsWithMeaning(scope, isContinueText);
}

/** The first control in `scope` that means "Continue". */
export function findContinueButton(scope: Element): HTMLElement | undefined {
  return findContinueControls(scope)[0];
}

/**
 * Every control a credentials dialog's gate holds: the checkbox, each control meaning Continue,
 * other activatable controls meaning "I have stored the keys" (a re-created checkbox of another
 * kind), and the close buttons.
 */
export function controlsToHold(container: Element, checkbox: HTMLElement | undefined, closeButtons: readonly HTMLElement[]): HTMLElement[] {
  const stored = findControlsWithMeaning(container, isStoredKeysText).filter(
    (control) => control.matches(ACTIVATABLE_SELECTOR) && (checkbox === undefined || (!control.contains(checkbox) && !checkbox.contains(control))),
  );
  const all = [...(checkbox ? [checkbox] : []), ...findContinueControls(container), ...stored, ...closeButtons];
  return [...new Set(all)];
}

const CLOSE_TEXTS = new Set(['close', 'schließen', 'schliessen', 'cancel', 'abbrechen', '×', '✕', '✖', 'x', 'close dialog', 'dialog schließen']);

/** Buttons in `scope` that close the dialog. */
export function findCloseButtons(scope: Element): HTMLElement[] {
  return [...scope.querySelectorAll('button, [role="button"], input[type="button"]')]
    .filter(isHTMLElement)
    .filter((button) => !button.closest(OWN_UI_SELECTOR) && CLOSE_TEXTS.has(accessibleText(button).toLowerCase()));
}

/**
 * The dialog control an event aimed at `element` would activate (a checkbox, or a control
 * meaning Continue or "stored", of any kind), or `undefined`: the finder's definition.
 */
export function gateCandidateControlAt(element: Element): HTMLElement | undefined {
  if (element instanceof HTMLInputElement && element.type === 'checkbox') return element;
  const role = element.getAttribute('role');
  if ((role === 'checkbox' || role === 'switch') && element instanceof HTMLElement) return element;
  const continueControl = controlWithMeaningAt(element, isContinueText);
  if (continueControl) return continueControl;
  const stored = controlWithMeaningAt(element, isStoredKeysText);
  return stored?.matches(ACTIVATABLE_SELECTOR) ? stored : undefined;
}

/** Is `element` a control that could be the dialog's checkbox or Continue? */
export function isGateCandidateControl(element: Element): boolean {
  return gateCandidateControlAt(element) !== undefined;
}
