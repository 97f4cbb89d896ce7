// @vitest-environment happy-dom
// @vitest-environment-options {"settings":{"enableIframePageLoading":true}}
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dock, DockStep, DockStepKind } from './dock-step.ts';
import { createDock } from './dock.ts';

const URLS: Record<DockStepKind, string> = { preview: 'about:blank#form=f1', hold: 'about:blank#hold=h1', gate: 'about:blank#c1', review: 'about:blank#review' };
const TABS: Record<DockStepKind, string> = { preview: 'Preview', hold: 'Backup', gate: 'Secret Key', review: 'Review' };
const TITLES: Record<DockStepKind, string> = { preview: 'Preview connect', hold: 'Backing up before connect', gate: 'Save your Secret Key', review: 'Review sync result' };

let dock: Dock | undefined;
let form: HTMLElement;
let connect: HTMLElement;

function step(kind: DockStepKind, overrides: Partial<DockStep> = {}): DockStep {
  return {
    key: kind,
    kind,
    tab: TABS[kind],
    title: TITLES[kind],
    body: { frame: URLS[kind], frameTitle: `Connect Guard: ${TITLES[kind]}` },
    height: 600,
    closeLabel: kind === 'gate' ? undefined : `Close ${TABS[kind]}`,
    locate: () => ({ anchor: form, controls: [connect] }),
    ...overrides,
  };
}

function start(): Dock {
  dock = createDock(window);
  return dock;
}

function docks(): NodeListOf<Element> {
  return document.querySelectorAll('[data-connect-guard-ui="dock"]');
}

function frames(d: Dock): HTMLIFrameElement[] {
  return [...d.shadow.querySelectorAll('iframe')];
}

function tabButtons(d: Dock): HTMLButtonElement[] {
  return [...d.shadow.querySelectorAll('nav button')].filter((button): button is HTMLButtonElement => button instanceof HTMLButtonElement);
}

function button(d: Dock, selector: string): HTMLButtonElement {
  const found = d.shadow.querySelector(selector);
  if (!(found instanceof HTMLButtonElement)) throw new Error(`no ${selector}`);
  return found;
}

function panel(d: Dock): HTMLElement {
  const found = d.shadow.querySelector('.panel');
  if (!(found instanceof HTMLElement)) throw new Error('no panel');
  return found;
}

function rect(left: number, top: number, width: number, height: number): DOMRect {
  return DOMRect.fromRect({ x: left, y: top, width, height });
}

/** happy-dom's own control of the window (no layout, but a viewport size). */
interface HappyDomControl {
  setViewport(viewport: { width: number; height: number }): void;
}

function setViewport(width: number, height: number): void {
  const control: HappyDomControl | undefined = Reflect.get(window, 'happyDOM');
  if (!control) throw new Error('Not running in happy-dom.');
  control.setViewport({ width, height });
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

beforeEach(() => {
  document.documentElement.lang = 'en';
  document.body.innerHTML = '<form id="f"><input name="secret" type="password"><button id="connect" type="submit">Connect</button></form>';
  form = document.getElementById('f') ?? document.body;
  connect = document.getElementById('connect') ?? document.body;
  setViewport(1280, 800);
});

afterEach(() => {
  dock?.stop();
  dock = undefined;
  document.body.innerHTML = '';
});

describe('one dock per document, one step at a time', () => {
  it('after preview, hold, gate and the preview and hold again: one host, one frame, the last step shown', () => {
    const d = start();
    for (const kind of ['preview', 'hold', 'gate', 'preview', 'hold'] as const) {
      d.show(step(kind));
      expect(docks()).toHaveLength(1);
      expect(frames(d)).toHaveLength(1);
      expect(frames(d)[0]?.getAttribute('src')).toBe(URLS[kind]);
    }
    expect(d.current()).toBe('hold');
    expect(d.keys()).toEqual(['preview', 'hold', 'gate']);
    expect(docks()[0]).toBe(d.host);
  });

  it('a new step replaces the old one; the header lists every step in the flow’s order, aria-current on the one shown', () => {
    const d = start();
    d.show(step('hold'));
    expect(tabButtons(d).filter((tab) => !tab.closest('[hidden]'))).toHaveLength(0);
    d.show(step('preview'));
    d.show(step('gate'));
    expect(tabButtons(d).map((tab) => tab.textContent)).toEqual(['Preview', 'Backup', 'Secret Key']);
    expect(tabButtons(d).map((tab) => tab.getAttribute('aria-current'))).toEqual([null, null, 'step']);
    expect(frames(d)[0]?.getAttribute('src')).toBe(URLS.gate);
    expect(frames(d)[0]?.title).toBe('Connect Guard: Save your Secret Key');
    expect(d.shadow.querySelector('.title')?.textContent).toBe('Save your Secret Key');

    // The earlier step, from the header: the backup frame again, in the one frame.
    tabButtons(d)[1]?.click();
    expect(d.current()).toBe('hold');
    expect(frames(d)).toHaveLength(1);
    expect(frames(d)[0]?.getAttribute('src')).toBe(URLS.hold);
    expect(tabButtons(d).map((tab) => tab.getAttribute('aria-current'))).toEqual([null, 'step', null]);
    expect(d.shadow.querySelector('.title')?.textContent).toBe('Backing up before connect');
    tabButtons(d)[2]?.click();
    expect(frames(d)[0]?.getAttribute('src')).toBe(URLS.gate);
  });

  it('showing the shown step again keeps its frame (no reload); a new id replaces the frame element', () => {
    const d = start();
    d.show(step('hold'));
    const first = frames(d)[0];
    d.show(step('hold'));
    expect(frames(d)[0]).toBe(first);
    d.show(step('hold', { body: { frame: 'about:blank#hold=h2', frameTitle: 'x' } }));
    expect(frames(d)).toHaveLength(1);
    expect(frames(d)[0]).not.toBe(first);
    expect(frames(d)[0]?.getAttribute('src')).toBe('about:blank#hold=h2');
  });

  it('a message in plain words instead of the frame', () => {
    const d = start();
    d.show(step('preview', { body: { message: 'Reload the extension.' } }));
    expect(frames(d)).toHaveLength(0);
    expect(d.shadow.querySelector('[role="alert"]')?.textContent).toBe('Reload the extension.');
  });

  it('update changes the title and handle text without switching steps', () => {
    const d = start();
    d.show(step('hold'));
    d.show(step('gate'));
    d.update('hold', { title: 'Backup verified' });
    expect(d.current()).toBe('gate');
    d.update('gate', { title: 'Saved and verified' });
    expect(d.shadow.querySelector('.title')?.textContent).toBe('Saved and verified');
    expect(button(d, '.handle').textContent).toBe('Connect Guard — Saved and verified');
  });
});

describe('closing', () => {
  it('the gate’s step has no close button until it may be closed; closing shows the latest other step; the last one takes the dock away', () => {
    const d = start();
    d.show(step('preview'));
    d.show(step('gate'));
    expect(button(d, '.close').hidden).toBe(true);
    d.update('gate', { closeLabel: 'Close the Secret Key step' });
    expect(button(d, '.close').hidden).toBe(false);
    expect(button(d, '.close').getAttribute('aria-label')).toBe('Close the Secret Key step');
    button(d, '.close').click();
    expect(d.keys()).toEqual(['preview']);
    expect(d.current()).toBe('preview');
    expect(frames(d)[0]?.getAttribute('src')).toBe(URLS.preview);
    expect(button(d, '.close').getAttribute('aria-label')).toBe('Close Preview');
    button(d, '.close').click();
    expect(docks()).toHaveLength(0);
    expect(frames(d)).toHaveLength(0);
    // And it comes back, still one, for the next step.
    d.show(step('hold'));
    expect(docks()).toHaveLength(1);
  });

  it('the page removing the dock: ensureAttached puts it back', () => {
    const d = start();
    d.show(step('gate'));
    d.host.remove();
    d.ensureAttached();
    expect(docks()).toHaveLength(1);
  });
});

describe('placement in the page', () => {
  it('beside the anchor’s right edge, not over it', () => {
    form.getBoundingClientRect = () => rect(24, 100, 616, 500);
    const d = start();
    d.show(step('preview'));
    expect(d.host.style.getPropertyValue('left')).toBe('648px');
    expect(d.host.style.getPropertyValue('width')).toBe('440px');
    expect(d.host.style.getPropertyPriority('left')).toBe('important');
    expect(panel(d).hidden).toBe(false);
    expect(button(d, '.handle').hidden).toBe(true);
  });

  it('an earlier step shown from the header stays where the page is: beside the later step’s dialog, not over it', () => {
    form.getBoundingClientRect = () => rect(24, 100, 616, 500);
    document.body.insertAdjacentHTML('beforeend', '<div role="dialog" id="credentials"></div>');
    const dialog = document.getElementById('credentials') ?? document.body;
    dialog.getBoundingClientRect = () => rect(292, 40, 696, 560);
    const d = start();
    d.show(step('preview'));
    expect(d.host.style.getPropertyValue('left')).toBe('648px');
    d.show(step('gate', { locate: () => ({ anchor: dialog, controls: [] }) }));
    expect(d.host.style.getPropertyValue('left')).toBe('996px');
    tabButtons(d)[0]?.click();
    expect(d.current()).toBe('preview');
    expect(d.host.style.getPropertyValue('left')).toBe('996px');
    // The dialog gone (Continue), the form is where the page is again.
    dialog.remove();
    d.remove('gate');
    expect(d.host.style.getPropertyValue('left')).toBe('648px');
  });

  it('inside an open <dialog> (the rest of the page is inert), in the body otherwise', () => {
    document.body.insertAdjacentHTML('beforeend', '<dialog open id="d"><p>Secret Key</p><button id="continue">Continue</button></dialog>');
    const dialog = document.getElementById('d') ?? document.body;
    const d = start();
    d.show(step('preview'));
    expect(d.host.parentElement).toBe(document.body);
    d.show(step('gate', { locate: () => ({ anchor: dialog, controls: [] }) }));
    expect(d.host.parentElement).toBe(dialog);
    expect(docks()).toHaveLength(1);
  });

  it('no room beside: a handle "Connect Guard — <step>" with aria-expanded; expand and collapse again', () => {
    setViewport(200, 300);
    const d = start();
    d.show(step('gate'));
    const handle = button(d, '.handle');
    expect(handle.hidden).toBe(false);
    expect(panel(d).hidden).toBe(true);
    expect(handle.textContent).toBe('Connect Guard — Save your Secret Key');
    expect(handle.getAttribute('aria-expanded')).toBe('false');
    expect(d.host.style.getPropertyValue('width')).toBe('auto');

    handle.click();
    expect(panel(d).hidden).toBe(false);
    expect(handle.hidden).toBe(true);
    const collapse = button(d, '.collapse');
    expect(collapse.getAttribute('aria-expanded')).toBe('true');
    expect(d.shadow.activeElement).toBe(collapse);

    collapse.click();
    expect(panel(d).hidden).toBe(true);
    expect(d.shadow.activeElement).toBe(handle);
  });

  it('collapsed by the user; a new step opens it again', () => {
    const d = start();
    d.show(step('preview'));
    button(d, '.collapse').click();
    expect(panel(d).hidden).toBe(true);
    d.show(step('hold'));
    expect(panel(d).hidden).toBe(false);
  });

  it('scrolling and resizing re-place it at most once per animation frame', async () => {
    let reads = 0;
    form.getBoundingClientRect = () => {
      reads += 1;
      return rect(24, 100 - reads, 616, 500);
    };
    const d = start();
    d.show(step('preview'));
    reads = 0;
    for (let i = 0; i < 5; i += 1) window.dispatchEvent(new Event('scroll'));
    window.dispatchEvent(new Event('resize'));
    expect(reads).toBe(0);
    await nextFrame();
    await nextFrame();
    expect(reads).toBe(1);
    expect(d.host.style.getPropertyValue('top')).toBe('99px');
  });
});

describe('keyboard', () => {
  it('Escape inside the dock collapses it and reaches no page listener; other keys do not bubble out', () => {
    const d = start();
    const seen: string[] = [];
    // Page listeners, registered after the content script's (as at document_start).
    window.addEventListener('keydown', (event) => seen.push(`window-capture:${event.key}`), { capture: true });
    document.addEventListener('keydown', (event) => seen.push(`document:${event.key}`));
    d.show(step('gate'));
    const collapse = button(d, '.collapse');
    collapse.focus();
    const escape = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true });
    collapse.dispatchEvent(escape);
    expect(seen).toEqual([]);
    expect(escape.defaultPrevented).toBe(true);
    expect(panel(d).hidden).toBe(true);
    expect(d.shadow.activeElement).toBe(button(d, '.handle'));

    button(d, '.handle').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
    expect(seen).toEqual(['window-capture:Enter']);
    // Escape in the page itself is the page's.
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    expect(seen).toEqual(['window-capture:Enter', 'window-capture:Escape', 'document:Escape']);
  });

  it('a click in the dock does not bubble to the page (a modal’s "click outside" would close it)', () => {
    const d = start();
    let clicks = 0;
    document.addEventListener('click', () => (clicks += 1));
    d.show(step('preview'));
    d.show(step('hold'));
    tabButtons(d)[0]?.click();
    expect(d.current()).toBe('preview');
    expect(clicks).toBe(0);
  });
});

describe('language', () => {
  it('German header texts on a German page', () => {
    document.documentElement.lang = 'de';
    const d = start();
    d.show(step('preview'));
    d.show(step('hold'));
    expect(button(d, '.collapse').getAttribute('aria-label')).toBe('Connect Guard einklappen');
    expect(d.shadow.querySelector('nav')?.getAttribute('aria-label')).toBe('Connect-Guard-Schritte');
  });
});
