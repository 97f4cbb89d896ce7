/**
 * One definition, for the finders and for the click-time guards, of "a control with this
 * meaning" ("Continue", "Connect", "I have stored the keys", "Close"): any element the user can
 * activate whose name has that meaning. A page that replaces its Continue button by a link or by
 * a plain element with a click handler carrying the same text still offers the same control, and
 * must be held the same way.
 *
 * An element is a candidate when its name (aria-label, aria-labelledby, a submit input's value,
 * its labels, else its text) has the meaning and no child element carries it alone: the innermost
 * element with that name. It is lifted to its nearest activatable ancestor (a native control, a
 * link, an ARIA widget, anything focusable or with an inline handler) whose name still has the
 * meaning, so `<button><span>Continue</span></button>` is the button. Without one (a
 * `<div><span>Continue</span></div>` with a click handler the page added by script, which no
 * attribute shows), it is the outermost element that still carries only that name: the whole
 * area a click can land on.
 */

/** Elements a user can activate by pointer or keyboard, whatever their tag. */
export const ACTIVATABLE_SELECTOR = [
  'button',
  'input[type="submit"]',
  'input[type="button"]',
  'input[type="image"]',
  'input[type="reset"]',
  'input[type="checkbox"]',
  'input[type="radio"]',
  'a',
  'label',
  'summary',
  '[role="button"]',
  '[role="link"]',
  '[role="menuitem"]',
  '[role="checkbox"]',
  '[role="switch"]',
  '[role="option"]',
  '[role="tab"]',
  '[tabindex]',
  '[onclick]',
  '[contenteditable="true"]',
].join(', ');

/** Never part of what is read: Connect Guard's own UI and what a page does not show as text. */
const NOT_CONTROLS = 'script, style, template, noscript, svg, [data-connect-guard-ui]';

/** Longest name a control may have; longer texts are prose, not a button's label. */
const MAX_NAME_LENGTH = 120;

// By node type, not instanceof: a DOM implementation may build nodes from another realm.
function isElementNode(node: Node): node is Element {
  return node.nodeType === Node.ELEMENT_NODE;
}

function isDocumentNode(node: Node): node is Document {
  return node.nodeType === Node.DOCUMENT_NODE;
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The element `id` names in `element`'s document or shadow root. */
export function byId(element: Element, id: string): Element | null {
  const root: Node & { getElementById?: (id: string) => Element | null } = element.getRootNode();
  return typeof root.getElementById === 'function' ? root.getElementById(id) : null;
}

/** The name a user (and assistive technology) knows `element` by. */
export function controlName(element: Element): string {
  const parts: string[] = [];
  const ariaLabel = element.getAttribute('aria-label');
  if (ariaLabel) parts.push(ariaLabel);
  for (const id of (element.getAttribute('aria-labelledby') ?? '').split(/\s+/).filter(Boolean)) {
    const labelElement = byId(element, id);
    if (labelElement) parts.push(labelElement.textContent ?? '');
  }
  if (parts.length > 0) return collapse(parts.join(' '));
  if (element instanceof HTMLInputElement) {
    if (['submit', 'button', 'reset', 'image'].includes(element.type)) return collapse(element.value || element.alt);
    return collapse([...(element.labels ?? [])].map((label) => label.textContent ?? '').join(' '));
  }
  const text = element.textContent ?? '';
  return text.length > MAX_NAME_LENGTH * 4 ? '' : collapse(text);
}

function isCandidateName(name: string, means: (name: string) => boolean): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && means(name);
}

/** The control `element` belongs to, when it is the innermost element whose name has the meaning. */
function liftToControl(element: HTMLElement, means: (name: string) => boolean, boundary: Element | undefined): HTMLElement {
  let outermost = element;
  for (let node: Element | null = element; node && node !== boundary; node = node.parentElement) {
    if (!(node instanceof HTMLElement) || node.tagName === 'BODY' || node.tagName === 'HTML' || !isCandidateName(controlName(node), means)) break;
    if (node.matches(ACTIVATABLE_SELECTOR)) return node;
    outermost = node;
  }
  return outermost;
}

/**
 * The control with this meaning at `node` (an element in an event's path), or `undefined`: the
 * same control the finder returns for it. `boundary` stops the climb (a dialog's container).
 */
export function controlWithMeaningAt(node: Element, means: (name: string) => boolean, boundary?: Element): HTMLElement | undefined {
  if (!(node instanceof HTMLElement) || node.closest(NOT_CONTROLS)) return undefined;
  if (!isCandidateName(controlName(node), means)) return undefined;
  // Down to the innermost element with the name, then up to its control.
  let innermost: HTMLElement = node;
  for (;;) {
    const child = [...innermost.children].find((candidate): candidate is HTMLElement => candidate instanceof HTMLElement && !candidate.matches(NOT_CONTROLS) && isCandidateName(controlName(candidate), means));
    if (!child) break;
    innermost = child;
  }
  return liftToControl(innermost, means, boundary);
}

/** Every control with this meaning in `scope`, in document order, each once. */
export function findControlsWithMeaning(scope: Element | Document | ShadowRoot, means: (name: string) => boolean): HTMLElement[] {
  const boundary = isElementNode(scope) ? (scope.parentElement ?? undefined) : undefined;
  const found = new Set<HTMLElement>();
  const consider = (element: HTMLElement): void => {
    if (element.closest(NOT_CONTROLS) || !isCandidateName(controlName(element), means)) return;
    const inner = [...element.children].some((child) => child instanceof HTMLElement && !child.matches(NOT_CONTROLS) && isCandidateName(controlName(child), means));
    if (!inner) found.add(liftToControl(element, means, boundary));
  };
  // Named by attribute (aria-label, a submit input's value): no text node carries their name.
  for (const element of scope.querySelectorAll('[aria-label], [aria-labelledby], input[type="submit"], input[type="button"], input[type="image"], input[type="checkbox"], input[type="radio"], [role="checkbox"], [role="switch"]')) {
    if (element instanceof HTMLElement) consider(element);
  }
  // Named by text: the parents of short text nodes, then their ancestors with the same name.
  const doc = isDocumentNode(scope) ? scope : scope.ownerDocument;
  if (doc) {
    const walker = doc.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const value = text.nodeValue ?? '';
      if (value.trim() === '' || value.length > MAX_NAME_LENGTH * 4) continue;
      for (let element = text.parentElement; element && element !== boundary; element = element.parentElement) {
        if (!isCandidateName(controlName(element), means)) break;
        consider(element);
      }
    }
  }
  return [...found].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
}
