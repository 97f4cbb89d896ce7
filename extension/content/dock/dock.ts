/**
 * The Connect Guard dock: the one place in a page where Connect Guard shows an extension frame.
 * The connect preview (preview.html), the connect hold (hold.html: "Backing up before connect",
 * "Backup verified") and the Secret Key gate (gate.html: "Save your Secret Key", "Saved and
 * verified") are its steps. It shows one step at a time in a single extension-origin `<iframe>`
 * (whose URL carries only an id); a new step replaces the old one, and earlier steps stay
 * reachable from the header's step tabs. Like Bitwarden's inline menu or KeePassXC-Browser, it
 * never stacks panels.
 *
 * The host element (`data-connect-guard-ui="dock"`) holds a closed shadow root, so page styles and
 * scripts do not reach into it. Placement (dock-placement.ts): beside the current step's anchor —
 * the credentials dialog or the connect form — never over it; when there is no room beside it, a
 * small handle "Connect Guard — <step>" in a corner clear of the held controls, which the user can
 * expand (then over the page, the user's choice) and collapse again. It is placed again on resize
 * and scroll, at most once per animation frame. Inside an open modal `<dialog>` the rest of the
 * page is inert, so the dock then lives inside that dialog.
 *
 * Keyboard: the header's controls and the frame are in the page's tab order; Escape inside the
 * dock collapses it and never reaches the page (where it could close WeSendit's credentials
 * dialog and take the Secret Key with it). Key and pointer events inside the dock do not bubble
 * out to page listeners either.
 *
 * One dock per document, not per tab: every frame runs its own content script (allFrames,
 * matchAboutBlank), so a credentials dialog inside a same-origin iframe gets its dock in that
 * iframe, beside the dialog there; a document without a step of its own has no dock.
 *
 * Long file: rendering, placing and the user's actions are one closure over the dock's state;
 * what can stand alone is beside it (dock-placement.ts, dock-step.ts, dock-style.ts).
 */
import { placeDock, type Box, type DockMode, type DockPlacement } from './dock-placement.ts';
import { STEP_ORDER, type Dock, type DockBody, type DockStep, type DockStepChanges } from './dock-step.ts';
import { DOCK_STYLE } from './dock-style.ts';

/** Value of the host's `data-connect-guard-ui`. */
export const DOCK_UI = 'dock';

const TEXT = {
  en: { region: 'Connect Guard', steps: 'Connect Guard steps', collapse: 'Collapse Connect Guard' },
  de: { region: 'Connect Guard', steps: 'Connect-Guard-Schritte', collapse: 'Connect Guard einklappen' },
};

function texts(doc: Document): (typeof TEXT)['en'] {
  return (doc.documentElement?.lang || navigator.language).toLowerCase().startsWith('de') ? TEXT.de : TEXT.en;
}

/** Events that stay inside the dock: page listeners (a modal's "click outside", its Enter or Escape keys) never see them. */
const CONTAINED_EVENTS = ['click', 'dblclick', 'auxclick', 'contextmenu', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'touchstart', 'touchend', 'keydown', 'keypress', 'keyup', 'focusin', 'focusout'];
const KEY_EVENTS = ['keydown', 'keypress', 'keyup'];

interface Located {
  readonly anchor: Box | undefined;
  readonly controls: readonly Box[];
  /** The open `<dialog>` around the anchor, whose modality makes the rest of the page inert. */
  readonly dialog: Element | undefined;
}

function boxOf(element: Element): Box {
  const rect = element.getBoundingClientRect();
  return { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
}

/** `closest` across shadow boundaries: WeSendit may render its dialog inside a shadow root. */
export function closestComposed(element: Element, selector: string): Element | undefined {
  for (let node: Element | null = element; node; ) {
    const found = node.closest(selector);
    if (found) return found;
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return undefined;
}

function sameBody(a: DockBody | undefined, b: DockBody): boolean {
  if (!a) return false;
  if ('frame' in a && 'frame' in b) return a.frame === b.frame;
  if ('message' in a && 'message' in b) return a.message === b.message;
  return false;
}

function px(value: number): string {
  return `${Math.round(value)}px`;
}

export function createDock(win: Window): Dock {
  const doc = win.document;
  const host = doc.createElement('connect-guard-dock');
  host.dataset.connectGuardUi = DOCK_UI;
  const shadow = host.attachShadow({ mode: 'closed' });

  const make = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string): HTMLElementTagNameMap[K] => {
    const element = doc.createElement(tag);
    if (className) element.className = className;
    return element;
  };
  const style = make('style');
  style.textContent = DOCK_STYLE;
  const panel = make('div', 'panel');
  panel.setAttribute('role', 'region');
  const header = make('header');
  const bar = make('div', 'bar');
  const brand = make('span', 'brand');
  brand.textContent = 'Connect Guard';
  const title = make('span', 'title');
  const collapseButton = make('button', 'collapse');
  collapseButton.type = 'button';
  collapseButton.textContent = '▾';
  collapseButton.setAttribute('aria-expanded', 'true');
  const closeButton = make('button', 'close');
  closeButton.type = 'button';
  closeButton.textContent = '×';
  const nav = make('nav');
  const body = make('div', 'body');
  const handle = make('button', 'handle');
  handle.type = 'button';
  handle.setAttribute('aria-expanded', 'false');
  handle.hidden = true;
  bar.append(brand, title, collapseButton, closeButton);
  header.append(bar, nav);
  panel.append(header, body);
  shadow.append(style, panel, handle);

  /** Steps in the header's order (the flow's order, then arrival). */
  let steps: readonly DockStep[] = [];
  const arrival = new Map<string, number>();
  let arrivals = 0;
  /** When each step was last brought by the page (not by the header's tabs). */
  const shownAt = new Map<string, number>();
  let shows = 0;
  let currentKey: string | undefined;
  let mode: DockMode = 'auto';
  let shownBody: DockBody | undefined;
  const tabs = new Map<string, HTMLButtonElement>();
  const lastLocated = new Map<string, Located>();
  let frameRequest: number | undefined;
  let observed: Element | undefined;
  let stopped = false;

  const currentStep = (): DockStep | undefined => steps.find((step) => step.key === currentKey);

  // ---- rendering ------------------------------------------------------------------------

  function render(): void {
    const step = currentStep();
    if (!step) return;
    const t = texts(doc);
    panel.setAttribute('aria-label', t.region);
    nav.setAttribute('aria-label', t.steps);
    collapseButton.setAttribute('aria-label', t.collapse);
    title.textContent = step.title;
    handle.textContent = `Connect Guard — ${step.title}`;
    closeButton.hidden = step.closeLabel === undefined;
    if (step.closeLabel !== undefined) closeButton.setAttribute('aria-label', step.closeLabel);
    renderTabs();
    renderBody(step.body);
  }

  function renderTabs(): void {
    nav.hidden = steps.length < 2;
    const focusedKey = [...tabs].find(([, button]) => shadow.activeElement === button)?.[0];
    for (const [key, button] of tabs) {
      if (!steps.some((step) => step.key === key)) {
        button.remove();
        tabs.delete(key);
      }
    }
    steps.forEach((step, index) => {
      let button = tabs.get(step.key);
      if (!button) {
        button = make('button');
        button.type = 'button';
        const key = step.key;
        button.addEventListener('click', () => select(key));
        tabs.set(step.key, button);
      }
      if (button.textContent !== step.tab) button.textContent = step.tab;
      if (step.key === currentKey) button.setAttribute('aria-current', 'step');
      else button.removeAttribute('aria-current');
      // Only what is out of place moves: a moved element loses focus.
      if (nav.children[index] !== button) nav.insertBefore(button, nav.children[index] ?? null);
    });
    if (focusedKey !== undefined && shadow.activeElement !== tabs.get(focusedKey)) tabs.get(focusedKey)?.focus();
  }

  function renderBody(next: DockBody): void {
    if (sameBody(shownBody, next)) {
      const frame = body.firstElementChild;
      if ('frame' in next && frame instanceof HTMLIFrameElement && frame.title !== next.frameTitle) frame.title = next.frameTitle;
      return;
    }
    let element: HTMLElement;
    if ('frame' in next) {
      // A new frame element rather than a new `src` on the old one: navigating an existing frame
      // adds an entry to the tab's history (Back would then step through our frames).
      const frame = make('iframe');
      frame.title = next.frameTitle;
      frame.setAttribute('src', next.frame);
      element = frame;
    } else {
      element = make('p', 'message');
      element.setAttribute('role', 'alert');
      element.textContent = next.message;
    }
    body.replaceChildren(element);
    shownBody = next;
  }

  // ---- placing --------------------------------------------------------------------------

  function locate(step: DockStep, target = step.locate()): Located {
    if (target && target.anchor.isConnected) {
      const located: Located = {
        anchor: boxOf(target.anchor),
        controls: target.controls.filter((control) => control.isConnected).map(boxOf),
        dialog: closestComposed(target.anchor, 'dialog[open]'),
      };
      lastLocated.set(step.key, located);
      if (observed !== target.anchor) {
        if (observed) resizeObserver?.unobserve(observed);
        observed = target.anchor;
        resizeObserver?.observe(observed);
      }
      return located;
    }
    // The page is re-rendering it: keep to where it was.
    return lastLocated.get(step.key) ?? { anchor: undefined, controls: [], dialog: undefined };
  }

  function viewportSize(): { width: number; height: number } {
    const root = doc.documentElement;
    // clientWidth/Height leave out scrollbars; in quirks mode they measure <html>, so only trust them near the window's size.
    const near = (client: number, inner: number): number => (client > 0 && inner - client >= 0 && inner - client < 40 ? client : inner);
    return { width: near(root?.clientWidth ?? 0, win.innerWidth), height: near(root?.clientHeight ?? 0, win.innerHeight) };
  }

  function measureHandle(): { width: number; height: number } {
    const wasHidden = handle.hidden;
    if (wasHidden) {
      handle.hidden = false;
      handle.style.position = 'absolute';
      handle.style.visibility = 'hidden';
    }
    const rect = handle.getBoundingClientRect();
    if (wasHidden) {
      handle.hidden = true;
      handle.style.position = '';
      handle.style.visibility = '';
    }
    // A DOM without layout (tests) measures 0: assume the usual size.
    return { width: rect.width || 260, height: rect.height || 32 };
  }

  function setHostStyle(name: string, value: string): void {
    // Important: a page rule for our element must not move or hide it.
    if (host.style.getPropertyValue(name) !== value || host.style.getPropertyPriority(name) !== 'important') host.style.setProperty(name, value, 'important');
  }

  function apply(placement: DockPlacement): void {
    const collapsed = placement.kind === 'handle';
    const focusInPanel = collapsed && !panel.hidden && panel.contains(shadow.activeElement);
    panel.hidden = collapsed;
    handle.hidden = !collapsed;
    setHostStyle('left', px(placement.left));
    setHostStyle('top', px(placement.top));
    setHostStyle('width', collapsed ? 'auto' : px(placement.width));
    setHostStyle('height', collapsed ? 'auto' : px(placement.height));
    if (focusInPanel) handle.focus();
  }

  function place(): void {
    if (frameRequest !== undefined) {
      win.cancelAnimationFrame(frameRequest);
      frameRequest = undefined;
    }
    const step = currentStep();
    if (!step || stopped) return;
    const located = locateWhereThePageIs() ?? locate(step);
    // Every step's held controls: the handle covers none of them.
    const controls = steps.flatMap((other) => (other.locate()?.controls ?? []).filter((control) => control.isConnected).map(boxOf));
    const dialog = located.dialog?.isConnected && located.dialog.hasAttribute('open') ? located.dialog : undefined;
    const parent = dialog ?? doc.body ?? doc.documentElement;
    // Moving the host reloads its frame: only when it must (first show, the page removed it, a modal opened or closed).
    if (parent && host.parentNode !== parent) parent.append(host);
    apply(placeDock({ viewport: viewportSize(), anchor: located.anchor, controls, preferredHeight: step.height, handle: measureHandle(), mode }));
  }

  /**
   * The dock is placed beside the latest step the page brought whose anchor is in the page, not
   * beside the one shown: the header's "Backup" tab must not move it over the credentials dialog
   * that came after the backup.
   */
  function locateWhereThePageIs(): Located | undefined {
    const latestFirst = [...steps].sort((a, b) => (shownAt.get(b.key) ?? 0) - (shownAt.get(a.key) ?? 0));
    for (const step of latestFirst) {
      const target = step.locate();
      if (target?.anchor.isConnected) return locate(step, target);
    }
    return undefined;
  }

  function schedule(): void {
    if (frameRequest !== undefined || stopped || !currentStep()) return;
    frameRequest = win.requestAnimationFrame(() => {
      frameRequest = undefined;
      place();
    });
  }

  const resizeObserver = typeof ResizeObserver === 'function' ? new ResizeObserver(() => schedule()) : undefined;

  // ---- user actions ---------------------------------------------------------------------

  function select(key: string): void {
    if (!steps.some((step) => step.key === key)) return;
    currentKey = key;
    render();
    place();
  }

  function collapse(): void {
    if (panel.hidden) return;
    mode = 'collapsed';
    place();
    handle.focus();
  }

  function expand(): void {
    mode = 'expanded';
    place();
    collapseButton.focus();
  }

  collapseButton.addEventListener('click', collapse);
  handle.addEventListener('click', expand);
  closeButton.addEventListener('click', () => {
    const step = currentStep();
    if (step?.closeLabel === undefined) return;
    remove(step.key);
    if (currentStep()) collapseButton.focus();
  });

  for (const type of CONTAINED_EVENTS) shadow.addEventListener(type, (event) => event.stopPropagation());

  /**
   * Escape from inside the dock, stopped before any page listener: registered on the window in
   * the capture phase at document_start, ahead of the page's own listeners.
   */
  function onWindowKey(event: Event): void {
    if (!(event instanceof KeyboardEvent) || (event.key !== 'Escape' && event.key !== 'Esc')) return;
    if (!event.composedPath().includes(host)) return;
    event.stopImmediatePropagation();
    if (event.cancelable) event.preventDefault();
    if (event.type === 'keydown') collapse();
  }

  const onViewportChange = (): void => schedule();
  for (const type of KEY_EVENTS) win.addEventListener(type, onWindowKey, { capture: true });
  win.addEventListener('resize', onViewportChange, { passive: true });
  // Capture: a scrolling container inside the page moves the anchor too.
  win.addEventListener('scroll', onViewportChange, { capture: true, passive: true });
  if (doc.documentElement) resizeObserver?.observe(doc.documentElement);

  // ---- steps ----------------------------------------------------------------------------

  function sortSteps(list: readonly DockStep[]): readonly DockStep[] {
    return [...list].sort((a, b) => STEP_ORDER.indexOf(a.kind) - STEP_ORDER.indexOf(b.kind) || (arrival.get(a.key) ?? 0) - (arrival.get(b.key) ?? 0));
  }

  function show(step: DockStep): void {
    if (stopped) return;
    if (!arrival.has(step.key)) arrival.set(step.key, (arrivals += 1));
    shownAt.set(step.key, (shows += 1));
    steps = sortSteps([...steps.filter((existing) => existing.key !== step.key), step]);
    currentKey = step.key;
    // A new step (or one the user asked for again) is shown open when there is room.
    mode = 'auto';
    render();
    place();
  }

  function update(key: string, changes: DockStepChanges): void {
    const index = steps.findIndex((step) => step.key === key);
    const old = steps[index];
    if (!old) return;
    const next: DockStep = { ...old, ...changes };
    steps = steps.map((step) => (step.key === key ? next : step));
    if (key === currentKey) {
      render();
      schedule();
    } else renderTabs();
  }

  function remove(key: string): void {
    if (!steps.some((step) => step.key === key)) return;
    steps = steps.filter((step) => step.key !== key);
    arrival.delete(key);
    shownAt.delete(key);
    lastLocated.delete(key);
    if (currentKey === key) {
      // The latest remaining step: what the user saw before this one arrived.
      const latest = [...steps].sort((a, b) => (shownAt.get(b.key) ?? 0) - (shownAt.get(a.key) ?? 0))[0];
      currentKey = latest?.key;
    }
    if (!currentStep()) {
      host.remove();
      body.replaceChildren();
      shownBody = undefined;
      mode = 'auto';
      return;
    }
    render();
    place();
  }

  return {
    host,
    shadow,
    show,
    update,
    remove,
    ensureAttached() {
      if (currentStep() && !host.isConnected) place();
      else schedule();
    },
    current: () => currentStep()?.key,
    keys: () => steps.map((step) => step.key),
    stop() {
      stopped = true;
      for (const type of KEY_EVENTS) win.removeEventListener(type, onWindowKey, { capture: true });
      win.removeEventListener('resize', onViewportChange);
      win.removeEventListener('scroll', onViewportChange, { capture: true });
      resizeObserver?.disconnect();
      if (frameRequest !== undefined) win.cancelAnimationFrame(frameRequest);
      host.remove();
    },
  };
}
