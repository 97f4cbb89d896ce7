/**
 * Finds WeSendit's connect-to-bucket form by meaning, not by ids or classes: a "Connect" /
 * "Verbinden" control (a button, a link or any element with that name) whose form (or nearest container) holds a password input or a field named
 * as the secret. Fields are named by their `<label>`, `aria-label`, `aria-labelledby`,
 * placeholder or `name`, in English and German; the provider may be a select or a radio group.
 * Only visible fields count, so an endpoint hidden for AWS (region only) is not read. Reads the
 * DOM and never writes to it.
 */
import type { ConnectFormValues } from '../../../shared/protocol/extension-protocol.ts';
import { findControlsWithMeaning } from '../controls/controls-with-meaning.ts';
import { normalizeLabel } from '../gate/label-matching.ts';
import { isConnectText, matchConnectLabel, normalizeProvider, type ConnectField } from './connect-form-labels.ts';

/** Our own button and panel are never part of what we read. */
export const OWN_UI_SELECTOR = '[data-connect-guard-ui]';
const CONTROL_SELECTOR = 'input, select, textarea';
const MAX_SCOPE_CLIMB = 8;

export interface ConnectForm {
  readonly connectButton: HTMLElement;
  /** The `<form>`, or the smallest container around the button holding the secret's field. */
  readonly scope: Element;
}

function isShown(element: Element): boolean {
  if (element.closest('[hidden]')) return false;
  if (typeof element.checkVisibility === 'function') return element.checkVisibility();
  return true;
}

function textOfIds(doc: Document | ShadowRoot, ids: string): string {
  return ids
    .split(/\s+/)
    .map((id) => (id ? (doc.getElementById(id)?.textContent ?? '') : ''))
    .join(' ');
}

/** Every text that may name a control, most specific first. */
function namesOf(control: Element): string[] {
  const root = control.getRootNode();
  const scope = root instanceof Document || root instanceof ShadowRoot ? root : control.ownerDocument;
  const names: string[] = [];
  if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement || control instanceof HTMLTextAreaElement) {
    for (const label of control.labels ?? []) names.push(label.textContent ?? '');
  }
  const labelledBy = control.getAttribute('aria-labelledby');
  if (labelledBy) names.push(textOfIds(scope, labelledBy));
  const ariaLabel = control.getAttribute('aria-label');
  if (ariaLabel) names.push(ariaLabel);
  const placeholder = control.getAttribute('placeholder');
  if (placeholder) names.push(placeholder);
  for (const attribute of ['name', 'id']) {
    const value = control.getAttribute(attribute);
    if (value) names.push(value);
  }
  return names;
}

/** A radio group's name: its fieldset legend or its radiogroup's label. */
function groupNames(radio: Element): string[] {
  const names: string[] = [];
  const group = radio.closest('fieldset, [role="radiogroup"]');
  if (group) {
    const legend = group.querySelector('legend');
    if (legend) names.push(legend.textContent ?? '');
    const labelledBy = group.getAttribute('aria-labelledby');
    const root = group.getRootNode();
    if (labelledBy && (root instanceof Document || root instanceof ShadowRoot)) names.push(textOfIds(root, labelledBy));
    const ariaLabel = group.getAttribute('aria-label');
    if (ariaLabel) names.push(ariaLabel);
  }
  const name = radio.getAttribute('name');
  if (name) names.push(name);
  return names;
}

function fieldOf(names: readonly string[]): ConnectField | undefined {
  for (const name of names) {
    const field = matchConnectLabel(name);
    if (field) return field;
  }
  return undefined;
}

function radioText(radio: HTMLInputElement): string {
  for (const label of radio.labels ?? []) {
    const text = normalizeLabel(label.textContent ?? '');
    if (text) return label.textContent ?? '';
  }
  return radio.value;
}

function providerFrom(text: string, value: string): string {
  const fromText = normalizeProvider(text);
  if (['WeSendit', 'AWS', 'Cloudflare R2', 'Other S3'].includes(fromText)) return fromText;
  const fromValue = normalizeProvider(value);
  return ['WeSendit', 'AWS', 'Cloudflare R2', 'Other S3'].includes(fromValue) ? fromValue : fromText;
}

function scopeOf(button: Element): Element | undefined {
  const form = button.closest('form');
  if (form && hasSecretField(form)) return form;
  let node = button.parentElement;
  for (let depth = 0; node && depth < MAX_SCOPE_CLIMB; depth += 1) {
    if (hasSecretField(node)) return node;
    node = node.parentElement;
  }
  return undefined;
}

function hasSecretField(container: Element): boolean {
  if (container.querySelector('input[type="password"]')) return true;
  return [...container.querySelectorAll(CONTROL_SELECTOR)].some((control) => fieldOf(namesOf(control)) === 'secretKey');
}

/**
 * Every connect form in `root` (a Document or an open ShadowRoot): each control meaning Connect
 * (a button, a link, a plain element with that name: controls-with-meaning.ts) near the secret.
 */
export function findConnectForms(root: Document | ShadowRoot): ConnectForm[] {
  const forms: ConnectForm[] = [];
  for (const element of findControlsWithMeaning(root, isConnectText)) {
    if (element.closest(OWN_UI_SELECTOR)) continue;
    const scope = scopeOf(element);
    if (scope) forms.push({ connectButton: element, scope });
  }
  return forms;
}

/** Every open shadow root under `root`, nested ones included (closed roots cannot be read). */
export function findOpenShadowRoots(root: Document | ShadowRoot): ShadowRoot[] {
  const found: ShadowRoot[] = [];
  const doc = root.ownerDocument ?? (root instanceof Document ? root : undefined);
  if (!doc) return found;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!(node instanceof Element) || !node.shadowRoot || node.matches(OWN_UI_SELECTOR)) continue;
    found.push(node.shadowRoot, ...findOpenShadowRoots(node.shadowRoot));
  }
  return found;
}

/** Every connect form in `doc` and in its open shadow roots, with the root each was found in. */
export function findConnectFormsDeep(doc: Document): { readonly form: ConnectForm; readonly root: Document | ShadowRoot }[] {
  return [doc, ...findOpenShadowRoots(doc)].flatMap((root) => findConnectForms(root).map((form) => ({ form, root })));
}

/** What the form holds right now (visible fields only); empty strings for what it lacks. */
export function readConnectForm(form: ConnectForm): ConnectFormValues {
  const values: Record<ConnectField, string> = { provider: '', endpoint: '', region: '', bucket: '', accessKey: '', secretKey: '' };
  const seen = new Set<ConnectField>();
  let unnamedPassword: HTMLInputElement | undefined;
  for (const control of form.scope.querySelectorAll(CONTROL_SELECTOR)) {
    if (control.closest(OWN_UI_SELECTOR) || !isShown(control)) continue;
    if (control instanceof HTMLInputElement) {
      const type = control.type.toLowerCase();
      if (type === 'radio') {
        if (!control.checked) continue;
        if (fieldOf(groupNames(control)) === 'provider' && !seen.has('provider')) {
          values.provider = providerFrom(radioText(control), control.value);
          seen.add('provider');
        }
        continue;
      }
      if (['checkbox', 'button', 'submit', 'reset', 'image', 'hidden', 'file'].includes(type)) continue;
    }
    const field = fieldOf(namesOf(control));
    if (!field) {
      if (control instanceof HTMLInputElement && control.type === 'password') unnamedPassword ??= control;
      continue;
    }
    if (seen.has(field)) continue;
    seen.add(field);
    if (control instanceof HTMLSelectElement) {
      const option = control.selectedOptions[0];
      const text = option?.textContent ?? '';
      values[field] = field === 'provider' ? providerFrom(text, control.value) : control.value.trim() || text.trim();
      continue;
    }
    if (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement) {
      // Keys never hold spaces: a pasted trailing newline or space is not part of them.
      values[field] = control.value.trim();
      if (field === 'provider') values.provider = normalizeProvider(control.value);
    }
  }
  if (!seen.has('secretKey') && unnamedPassword) values.secretKey = unnamedPassword.value;
  return values;
}
