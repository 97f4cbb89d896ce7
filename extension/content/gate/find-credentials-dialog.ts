/**
 * Finds WeSendit's one-time credentials dialog by meaning, not by ids or classes: the smallest
 * container holding an Access Key and a Secret Key label whose values look like keys, plus the
 * "I have stored the keys" checkbox and the "Continue" control found by their meaning
 * (controls-with-meaning.ts: a link or a plain element carrying "Continue" counts). Values are
 * read wherever the markup puts them: the text after the label (sibling, next table cell, `dd`),
 * a readonly or password input (`.value`), an element tied by `for` or `aria-labelledby`.
 * Works on any Document or ShadowRoot; it only reads the DOM.
 */
import type { CredentialField, StorageCredentials } from '../../../shared/credentials.ts';
import { collapse } from '../controls/controls-with-meaning.ts';
import { accessibleText, controlsToHold, findCloseButtons, findContinueButton, findStoredCheckbox } from './dialog-controls.ts';
import { isStoredKeysText, matchCredentialLabel, splitInlineLabel } from './label-matching.ts';

export interface CredentialsDialog {
  readonly container: Element;
  readonly credentials: StorageCredentials;
  /** "I have stored the keys" (an input or an ARIA checkbox), when the dialog has one. */
  readonly checkbox: HTMLElement | undefined;
  /** "Continue", when the dialog has one. */
  readonly continueButton: HTMLElement | undefined;
  /** "Close" / "×" / "Cancel": closing the dialog loses the Secret Key just as Continue does. */
  readonly closeButtons: readonly HTMLElement[];
  /** Every control the gate holds: the checkbox, each control meaning Continue or "stored", the close buttons. */
  readonly controls: readonly HTMLElement[];
}

/**
 * A credentials dialog whose Secret Key cannot be read (masked text behind a "Show" button). Its
 * controls are held too, and it is read again when it changes.
 */
export interface UnreadableCredentialsDialog {
  readonly container: Element;
  readonly checkbox: HTMLElement;
  readonly continueButton: HTMLElement | undefined;
  readonly closeButtons: readonly HTMLElement[];
  readonly controls: readonly HTMLElement[];
}

interface FoundLabel {
  readonly field: CredentialField;
  readonly element: Element;
  /** "Secret Key: value" written in one text. */
  readonly inlineValue?: string;
}

/** Our own note and prompt are never part of what we read. */
export const OWN_UI_SELECTOR = '[data-connect-guard-ui]';
const SKIP_SELECTOR = `script, style, template, noscript, button, [role="button"], svg, [aria-hidden="true"], ${OWN_UI_SELECTOR}`;
const MAX_LABEL_TEXT = 80;
const MAX_CONTROL_CLIMB = 6;

/** Access and Secret Key as issued: one token of printable characters, never a placeholder. */
export function looksLikeKey(value: string): boolean {
  return value.length >= 8 && value.length <= 512 && /^[\x21-\x7e]+$/.test(value);
}

function isFormControl(element: Element): element is HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
  const tag = element.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

function isValueControl(element: Element): element is HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement {
  if (!isFormControl(element)) return false;
  const type = element.getAttribute('type')?.toLowerCase() ?? 'text';
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'image', 'hidden', 'file'].includes(type);
}


/** The text of an element without buttons, icons and hidden parts. */
export function visibleText(element: Element): string {
  let out = '';
  const walker = element.ownerDocument.createTreeWalker(element, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  let node: Node | null = walker.nextNode();
  while (node) {
    if (node.nodeType === Node.ELEMENT_NODE && node instanceof Element && node.matches(SKIP_SELECTOR)) {
      node = nextOutside(walker, node);
      continue;
    }
    if (node.nodeType === Node.TEXT_NODE) out += node.nodeValue ?? '';
    node = walker.nextNode();
  }
  return collapse(out);
}

/** Moves the walker past `node`'s subtree. */
function nextOutside(walker: TreeWalker, node: Node): Node | null {
  walker.currentNode = node;
  let next = walker.nextSibling();
  let current: Node | null = node;
  while (!next && current) {
    current = walker.parentNode();
    if (!current) return null;
    next = walker.nextSibling();
  }
  return next;
}

/** What a value element shows: an input's value, or its visible text. */
function readValue(element: Element): string {
  if (isValueControl(element)) return collapse(element.value);
  const control = [...element.querySelectorAll('input, textarea')].find(isValueControl);
  if (control) return collapse(control.value);
  return visibleText(element);
}

function findLabels(scope: Element | Document | ShadowRoot): FoundLabel[] {
  const labels: FoundLabel[] = [];
  const seen = new Set<Element>();
  const doc = scope instanceof Document ? scope : scope.ownerDocument;
  if (!doc) return labels;
  const walker = doc.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const raw = node.nodeValue ?? '';
    if (raw.length > MAX_LABEL_TEXT * 2 || raw.trim() === '') continue;
    const parent = node.parentElement;
    if (!parent || parent.closest(SKIP_SELECTOR)) continue;
    const inline = splitInlineLabel(raw);
    if (inline && !seen.has(parent)) {
      seen.add(parent);
      labels.push({ field: inline.field, element: parent, inlineValue: inline.value });
      continue;
    }
    // The highest short ancestor that still reads as a label ("<span><b>Secret</b> Key</span>").
    let best: { field: CredentialField; element: Element } | undefined;
    let element: Element | null = parent;
    for (let level = 0; element && level < 3; level += 1, element = element.parentElement) {
      const text = element.textContent ?? '';
      if (text.length > MAX_LABEL_TEXT) break;
      // A box that also holds the value's input is the field, not its label.
      if (level > 0 && element.querySelector('input, textarea, select')) break;
      const field = matchCredentialLabel(text);
      if (field) best = { field, element };
      else if (best) break;
    }
    if (best && !seen.has(best.element)) {
      seen.add(best.element);
      labels.push(best);
    }
  }
  // Inputs named only by an accessible name.
  for (const input of scope.querySelectorAll('input[aria-label], textarea[aria-label], input[placeholder]')) {
    const field = matchCredentialLabel(input.getAttribute('aria-label') ?? input.getAttribute('placeholder') ?? '');
    if (field && !seen.has(input)) labels.push({ field, element: input });
  }
  return labels;
}

function rootOf(element: Element): Document | ShadowRoot {
  const root = element.getRootNode();
  return root instanceof ShadowRoot || root instanceof Document ? root : element.ownerDocument;
}


function valueForLabel(label: FoundLabel, container: Element, isLabel: (element: Element) => boolean): string {
  if (label.inlineValue !== undefined) return label.inlineValue;
  const element = label.element;
  if (isValueControl(element)) return collapse(element.value);
  if (element instanceof HTMLLabelElement && element.control && isValueControl(element.control)) return collapse(element.control.value);
  if (element.id) {
    const escaped = CSS.escape(element.id);
    const referring = rootOf(element).querySelector(`[aria-labelledby~="${escaped}"]`);
    if (referring && referring !== element) return readValue(referring);
  }
  const cell = element.closest('th, td, dt');
  if (cell && (cell === element || (cell.textContent ?? '').trim() === (element.textContent ?? '').trim())) {
    const next = cell.nextElementSibling;
    if (next && (cell.tagName === 'DT' ? next.tagName === 'DD' : next.tagName === 'TD' || next.tagName === 'TH')) return readValue(next);
  }
  // The first value after the label in document order, before the next label.
  const doc = element.ownerDocument;
  const walker = doc.createTreeWalker(container, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  let node = nextOutside(walker, element);
  for (let steps = 0; node && steps < 60; steps += 1) {
    if (node instanceof Element) {
      if (node.matches(SKIP_SELECTOR)) {
        node = nextOutside(walker, node);
        continue;
      }
      if (isLabel(node)) return '';
      if (isValueControl(node)) return collapse(node.value);
      if (isFormControl(node)) return '';
    } else if (node.nodeType === Node.TEXT_NODE && (node.nodeValue ?? '').trim() !== '') {
      const parent = node.parentElement;
      if (parent && !parent.contains(element) && parent !== container) return readValue(parent);
      return collapse(node.nodeValue ?? '');
    }
    node = walker.nextNode();
  }
  return '';
}

function commonAncestor(a: Element, b: Element): Element | undefined {
  const ancestors = new Set<Element>();
  for (let node: Element | null = a; node; node = node.parentElement) ancestors.add(node);
  for (let node: Element | null = b; node; node = node.parentElement) if (ancestors.has(node)) return node;
  return undefined;
}

type Analysis = { readonly dialog: CredentialsDialog } | { readonly unreadable: UnreadableCredentialsDialog } | undefined;

function analyse(secretLabel: FoundLabel, labels: readonly FoundLabel[]): Analysis {
  // The nearest Access Key label shares the smallest ancestor with this Secret Key label.
  let best: { container: Element; depth: number } | undefined;
  for (const label of labels) {
    if (label.field !== 'accessKey') continue;
    const container = commonAncestor(label.element, secretLabel.element);
    if (!container) continue;
    let depth = 0;
    for (let node: Element | null = container; node; node = node.parentElement) depth += 1;
    if (!best || depth > best.depth) best = { container, depth };
  }
  if (!best) return undefined;
  let container = best.container;
  // Grow until the checkbox and Continue are inside (WeSendit may put them in a footer), but never
  // over another Secret Key: the connect form's "Secret access key" would otherwise grow into the
  // page around it and take the credentials dialog below it, with the typed keys read as its values.
  const otherSecrets = labels.filter((label) => label.field === 'secretKey' && !best.container.contains(label.element));
  let checkbox = findStoredCheckbox(container);
  let continueButton = findContinueButton(container);
  for (let level = 0, node = container.parentElement; node && level < MAX_CONTROL_CLIMB && (!checkbox || !continueButton); level += 1, node = node.parentElement) {
    if (node.tagName === 'BODY' || node.tagName === 'HTML') break;
    const grown = node;
    if (otherSecrets.some((label) => grown.contains(label.element))) break;
    const nextCheckbox = checkbox ?? findStoredCheckbox(node);
    const nextButton = continueButton ?? findContinueButton(node);
    if (nextCheckbox !== checkbox || nextButton !== continueButton) container = node;
    checkbox = nextCheckbox;
    continueButton = nextButton;
  }
  const inside = labels.filter((label) => container.contains(label.element));
  const labelElements = new Set(inside.map((label) => label.element));
  const isLabel = (element: Element): boolean => labelElements.has(element);
  const values: Partial<Record<CredentialField, string>> = {};
  for (const label of inside) {
    if (values[label.field]) continue;
    const value = valueForLabel(label, container, isLabel);
    if (value) values[label.field] = value;
  }
  const credentials: StorageCredentials = {
    storageName: values.storageName ?? '',
    permissions: values.permissions ?? '',
    allowedIps: values.allowedIps ?? '',
    serverAddress: values.serverAddress ?? '',
    bucketName: values.bucketName ?? '',
    accessKey: values.accessKey ?? '',
    secretKey: values.secretKey ?? '',
  };
  const closeButtons = findCloseButtons(container);
  // A form the user types a bucket's keys into (WeSendit's connect form) is not the one-time
  // credentials view: its Secret Key sits in an editable field and nothing asks "I have stored the
  // keys". A view that shows the key in an editable field but asks that is still held.
  const storedKeysBox = checkbox !== undefined && isStoredKeysText(accessibleText(checkbox));
  if (!storedKeysBox && typedInto(container, credentials.secretKey)) return undefined;
  if (looksLikeKey(credentials.accessKey) && looksLikeKey(credentials.secretKey)) {
    return { dialog: { container, credentials, checkbox, continueButton, closeButtons, controls: controlsToHold(container, checkbox, closeButtons) } };
  }
  // Labels and an explicit "I have stored the keys" box, but no readable key: still a credentials
  // dialog (e.g. a masked Secret Key). Hold it rather than let the key go unsaved.
  if (checkbox && isStoredKeysText(accessibleText(checkbox))) return { unreadable: { container, checkbox, continueButton, closeButtons, controls: controlsToHold(container, checkbox, closeButtons) } };
  return undefined;
}

/** Does an editable field in `container` hold `value` (something the user typed, not a value shown)? */
function typedInto(container: Element, value: string): boolean {
  if (value === '') return false;
  return [...container.querySelectorAll('input, textarea')].some(
    (control) => isValueControl(control) && !control.matches('[readonly], :disabled') && collapse(control.value) === value,
  );
}

/** Every credentials dialog in a document or shadow root (not descending into nested shadow roots). */
export function findCredentialsDialogs(scope: Document | ShadowRoot | Element): CredentialsDialog[] {
  return scanDialogs(scope).dialogs;
}

/** Readable dialogs and those whose Secret Key cannot be read yet. */
export function scanDialogs(scope: Document | ShadowRoot | Element): { dialogs: CredentialsDialog[]; unreadable: UnreadableCredentialsDialog[] } {
  const labels = findLabels(scope);
  const dialogs: CredentialsDialog[] = [];
  const unreadable: UnreadableCredentialsDialog[] = [];
  for (const label of labels) {
    if (label.field !== 'secretKey') continue;
    if (dialogs.some((dialog) => dialog.container.contains(label.element))) continue;
    if (unreadable.some((dialog) => dialog.container.contains(label.element))) continue;
    const analysis = analyse(label, labels);
    if (analysis && 'dialog' in analysis) dialogs.push(analysis.dialog);
    else if (analysis) unreadable.push(analysis.unreadable);
  }
  return { dialogs, unreadable };
}

/**
 * Containers that show both key labels but no usable values yet (a dialog still loading);
 * the gate re-reads them when they change.
 */
export function findPendingDialogContainers(scope: Document | ShadowRoot | Element): Element[] {
  const labels = findLabels(scope);
  const containers: Element[] = [];
  for (const secret of labels.filter((label) => label.field === 'secretKey')) {
    for (const access of labels.filter((label) => label.field === 'accessKey')) {
      const container = commonAncestor(secret.element, access.element);
      if (container) containers.push(container);
    }
  }
  return containers;
}

/** The credentials dialog `element` sits in, if any (for a click on a control not yet held). */
export function findCredentialsDialogAround(element: Element): CredentialsDialog | undefined {
  let scope: Element | null = element.parentElement;
  for (let level = 0; scope && level < 12; level += 1, scope = scope.parentElement) {
    if (!/secret|geheim/i.test(scope.textContent ?? '')) continue;
    const dialog = findCredentialsDialogs(scope).find((found) => found.container.contains(element));
    if (dialog) return dialog;
  }
  return undefined;
}

