// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectFormValues } from '../../../shared/protocol/extension-protocol.ts';
import type { Dock } from '../dock/dock-step.ts';
import { createDock } from '../dock/dock.ts';
import { formKeyOf, releasedHoldId } from './hold-activation.ts';
import { startConnectHold, type ConnectHold, type ConnectHoldPorts } from './connect-hold.ts';

const SECRET = 'cgtest-fake-secret-0000000000000000000000';

/** The page's own reactions, counted: what the hold must keep from running until released. */
interface PageLog {
  clicks: number;
  submits: number;
  keydowns: number;
  mousedowns: number;
  submitters: (string | null)[];
}

function buildPage(): PageLog {
  document.documentElement.lang = 'en';
  document.body.innerHTML = `
    <form id="connect-form">
      <label for="p">Storage provider</label>
      <select id="p" name="provider"><option value="wesendit">WeSendit</option><option value="other" selected>Other S3</option></select>
      <label for="e">S3 endpoint</label><input id="e" name="endpoint">
      <label for="b">Bucket name</label><input id="b" name="bucket">
      <label for="a">Access key</label><input id="a" name="accessKey">
      <label for="s">Secret key</label><input id="s" name="secretKey" type="password">
      <div class="actions"><label id="connect-label" for="connect">Go</label><button type="submit" id="connect">Connect</button></div>
    </form>
    <form id="search"><input name="q"><button type="submit" id="search-button">Search</button></form>`;
  fill({ endpoint: 'http://127.0.0.1:7480', bucket: 'usr-48291-itm-00384-nas', accessKey: 'CGTESTACCESS0001', secretKey: SECRET });
  return listen();
}

function listen(): PageLog {
  const log: PageLog = { clicks: 0, submits: 0, keydowns: 0, mousedowns: 0, submitters: [] };
  const form = document.getElementById('connect-form');
  const button = document.getElementById('connect');
  button?.addEventListener('click', () => (log.clicks += 1));
  button?.addEventListener('keydown', () => (log.keydowns += 1));
  button?.addEventListener('mousedown', () => (log.mousedowns += 1));
  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    log.submits += 1;
    log.submitters.push(event instanceof SubmitEvent && event.submitter ? event.submitter.id : null);
  });
  return log;
}

function fill(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    const control = document.querySelector(`#connect-form [name="${name}"]`);
    if (control instanceof HTMLInputElement) control.value = value;
  }
}

function connectButton(): HTMLButtonElement {
  const button = document.getElementById('connect');
  if (!(button instanceof HTMLButtonElement)) throw new Error('no connect button');
  return button;
}

function fakePorts(): ConnectHoldPorts & { requests: ConnectFormValues[]; released: Set<string>; urls: string[] } {
  const requests: ConnectFormValues[] = [];
  const released = new Set<string>();
  const urls: string[] = [];
  return {
    requests,
    released,
    urls,
    requestHold: vi.fn(async (form: ConnectFormValues) => {
      requests.push(form);
      return { holdId: `hold-${requests.length}` };
    }),
    askReleased: vi.fn(async (holdId: string) => released.has(holdId)),
    holdUrl: (holdId: string) => {
      const url = `chrome-extension://mmdddcpcnmjcbbelgogjfhoboambpked/hold.html#hold=${encodeURIComponent(holdId)}`;
      urls.push(url);
      return url;
    },
  };
}

/** Lets the ports' promises settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

// The DOM environment cannot load extension pages and logs every try: frames stay empty here,
// and the URL each would have loaded is noted instead.
const setAttribute = Element.prototype.setAttribute;
const frameSources = new WeakMap<Element, string>();
let dock: Dock;
beforeEach(() => {
  vi.spyOn(Element.prototype, 'setAttribute').mockImplementation(function (this: Element, name: string, value: string) {
    if (this instanceof HTMLIFrameElement && name === 'src') {
      frameSources.set(this, value);
      return;
    }
    setAttribute.call(this, name, value);
  });
  dock = createDock(window);
});

let hold: ConnectHold | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  hold?.stop();
  hold = undefined;
  dock.stop();
  document.body.innerHTML = '';
});

function docks(): NodeListOf<Element> {
  return document.querySelectorAll('[data-connect-guard-ui="dock"]');
}

/** The URL of the dock's one frame. */
function dockFrameSrc(): string | undefined {
  const frames = dock.shadow.querySelectorAll('iframe');
  if (frames.length !== 1) throw new Error(`The dock holds ${frames.length} frames.`);
  return frames[0] ? frameSources.get(frames[0]) : undefined;
}

describe('connect hold: every activation path is held', () => {
  let log: PageLog;
  let ports: ReturnType<typeof fakePorts>;
  beforeEach(() => {
    log = buildPage();
    ports = fakePorts();
    hold = startConnectHold(window, ports, dock);
  });

  it('marks the connect button gated, and only it', () => {
    expect(connectButton().getAttribute('data-connect-guard')).toBe('gated');
    expect(document.getElementById('search-button')?.hasAttribute('data-connect-guard')).toBe(false);
  });

  it('holds a pointer click: no page handler runs, the form goes to the background and the frame opens with the hold id only', async () => {
    const button = connectButton();
    button.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, cancelable: true, composed: true }));
    button.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, cancelable: true, composed: true }));
    button.dispatchEvent(new MouseEvent('mouseup', { bubbles: true, cancelable: true, composed: true }));
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
    button.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(log).toMatchObject({ clicks: 0, submits: 0, mousedowns: 0 });
    await settle();
    expect(ports.requests).toEqual([{ provider: 'Other S3', endpoint: 'http://127.0.0.1:7480', region: '', bucket: 'usr-48291-itm-00384-nas', accessKey: 'CGTESTACCESS0001', secretKey: SECRET }]);
    expect(ports.urls.at(-1)).toBe('chrome-extension://mmdddcpcnmjcbbelgogjfhoboambpked/hold.html#hold=hold-1');
    expect(docks()).toHaveLength(1);
    expect(dock.current()).toBe('hold');
    expect(dockFrameSrc()).toBe('chrome-extension://mmdddcpcnmjcbbelgogjfhoboambpked/hold.html#hold=hold-1');
    expect(document.querySelector('[data-connect-guard-ui="connect-hold-note"]')?.textContent).toContain('holds this click');
    // Nothing the hold wrote into the page holds the secret.
    expect(document.documentElement.outerHTML).not.toContain(SECRET);
  });

  it('holds a synthetic click from a page script (element.click())', async () => {
    connectButton().click();
    expect(log).toMatchObject({ clicks: 0, submits: 0 });
    await settle();
    expect(ports.requests).toHaveLength(1);
  });

  it('holds Enter and Space on the focused button', async () => {
    const button = connectButton();
    for (const key of ['Enter', ' ']) {
      const down = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, composed: true });
      button.dispatchEvent(down);
      expect(down.defaultPrevented).toBe(true);
      button.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true, cancelable: true, composed: true }));
    }
    expect(log).toMatchObject({ keydowns: 0, clicks: 0, submits: 0 });
    await settle();
    // Two attempts with the same values are one hold.
    expect(ports.requests).toHaveLength(1);
  });

  it('lets other keys through (typing into the page is not touched)', () => {
    const down = new KeyboardEvent('keydown', { key: 'a', bubbles: true, cancelable: true });
    connectButton().dispatchEvent(down);
    expect(down.defaultPrevented).toBe(false);
    expect(log.keydowns).toBe(1);
  });

  it('holds a click on the button’s label', async () => {
    const label = document.getElementById('connect-label');
    label?.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, composed: true }));
    expect(log).toMatchObject({ clicks: 0, submits: 0 });
    await settle();
    expect(ports.requests).toHaveLength(1);
  });

  it('holds form.requestSubmit() and a dispatched submit event', async () => {
    const form = document.getElementById('connect-form');
    if (!(form instanceof HTMLFormElement)) throw new Error('no form');
    form.requestSubmit();
    form.dispatchEvent(new SubmitEvent('submit', { bubbles: true, cancelable: true }));
    expect(log.submits).toBe(0);
    await settle();
    expect(ports.requests).toHaveLength(1);
  });

  it('does not touch other forms and buttons', () => {
    let searched = 0;
    const search = document.getElementById('search');
    search?.addEventListener('submit', (event) => {
      event.preventDefault();
      searched += 1;
    });
    document.getElementById('search-button')?.click();
    expect(searched).toBe(1);
    expect(ports.requests).toHaveLength(0);
  });

  it('holds a button the page re-creates, from its first event', async () => {
    const fresh = document.createElement('button');
    fresh.type = 'submit';
    fresh.id = 'connect';
    fresh.textContent = 'Connect';
    let freshClicks = 0;
    fresh.addEventListener('click', () => (freshClicks += 1));
    connectButton().replaceWith(fresh);
    // Same task: the observer has not run yet.
    fresh.click();
    expect(freshClicks).toBe(0);
    expect(log.submits).toBe(0);
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fresh.getAttribute('data-connect-guard')).toBe('gated');
  });

  it('puts the marker back when the page removes it, and ignores the page re-enabling the button', async () => {
    const button = connectButton();
    button.removeAttribute('data-connect-guard');
    button.disabled = true;
    button.disabled = false;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(button.getAttribute('data-connect-guard')).toBe('gated');
    button.click();
    expect(log.clicks).toBe(0);
  });

  it('ignores our own "Preview connect" button and UI', () => {
    const preview = document.createElement('button');
    preview.type = 'button';
    preview.dataset.connectGuardUi = 'preview-connect';
    preview.textContent = 'Connect';
    let previewClicks = 0;
    preview.addEventListener('click', () => (previewClicks += 1));
    connectButton().after(preview);
    preview.click();
    expect(previewClicks).toBe(1);
    expect(ports.requests).toHaveLength(0);
  });

  it('stays held and says why when the background cannot be reached; the next click asks again', async () => {
    ports.requestHold = vi.fn(async () => {
      throw new Error('The extension was reloaded. Reload this page.');
    });
    connectButton().click();
    await settle();
    expect(log.clicks).toBe(0);
    expect(document.querySelector('[data-connect-guard-ui="connect-hold-note"]')?.textContent).toContain('Reload this page');
    connectButton().click();
    await settle();
    expect(ports.requestHold).toHaveBeenCalledTimes(2);
  });
});

describe('connect hold: release', () => {
  let log: PageLog;
  let ports: ReturnType<typeof fakePorts>;
  beforeEach(() => {
    log = buildPage();
    ports = fakePorts();
    hold = startConnectHold(window, ports, dock);
  });

  it('re-does the held click once on release: the page’s click and submit handlers run, as for the user’s click', async () => {
    connectButton().click();
    await settle();
    hold?.release('hold-1');
    expect(connectButton().getAttribute('data-connect-guard')).toBe('released');
    expect(log).toMatchObject({ clicks: 1, submits: 1, submitters: ['connect'] });
    // A second release message is a no-op.
    hold?.release('hold-1');
    expect(log.clicks).toBe(1);
    // Later clicks with the same values go straight through.
    connectButton().click();
    expect(log).toMatchObject({ clicks: 2, submits: 2 });
    expect(ports.requests).toHaveLength(1);
  });

  it('the backup step stays on screen, in the same frame, while the released click goes through', async () => {
    connectButton().click();
    await settle();
    const frame = dock.shadow.querySelector('iframe');
    const seenByPage: (string | undefined)[] = [];
    connectButton().addEventListener('click', () => {
      seenByPage.push(dock.current(), dock.shadow.querySelector('iframe') === frame ? 'same frame' : 'other frame', dock.shadow.querySelector('.title')?.textContent ?? undefined);
    });
    hold?.release('hold-1');
    expect(seenByPage).toEqual(['hold', 'same frame', 'Connect let through']);
    expect(docks()).toHaveLength(1);
    expect(dockFrameSrc()).toBe('chrome-extension://mmdddcpcnmjcbbelgogjfhoboambpked/hold.html#hold=hold-1');
  });

  it('stopping takes its step out of the dock', async () => {
    connectButton().click();
    await settle();
    expect(docks()).toHaveLength(1);
    hold?.stop();
    expect(docks()).toHaveLength(0);
  });

  it('re-does a held requestSubmit as a submit with the same submitter', async () => {
    const form = document.getElementById('connect-form');
    if (!(form instanceof HTMLFormElement)) throw new Error('no form');
    form.requestSubmit(connectButton());
    await settle();
    expect(log.submits).toBe(0);
    hold?.release('hold-1');
    expect(log).toMatchObject({ clicks: 0, submits: 1, submitters: ['connect'] });
  });

  it('a release that overtakes the reply with the hold id still lets the click through', async () => {
    let answer: ((reply: { holdId: string }) => void) | undefined;
    ports.requestHold = vi.fn(() => new Promise<{ holdId: string }>((resolve) => (answer = resolve)));
    connectButton().click();
    await settle();
    hold?.release('hold-fast');
    expect(log.clicks).toBe(0);
    answer?.({ holdId: 'hold-fast' });
    await settle();
    expect(log).toMatchObject({ clicks: 1, submits: 1 });
    expect(connectButton().getAttribute('data-connect-guard')).toBe('released');
  });

  it('ignores a release for a hold it does not know', async () => {
    connectButton().click();
    await settle();
    hold?.release('hold-other');
    expect(log.clicks).toBe(0);
    expect(connectButton().getAttribute('data-connect-guard')).toBe('gated');
  });

  it('holds again when the bucket or keys change after the release', async () => {
    connectButton().click();
    await settle();
    hold?.release('hold-1');
    expect(log.clicks).toBe(1);
    fill({ bucket: 'another-bucket' });
    document.querySelector('[name="bucket"]')?.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(connectButton().getAttribute('data-connect-guard')).toBe('gated');
    connectButton().click();
    expect(log.clicks).toBe(1);
    await settle();
    expect(ports.requests.map((form) => form.bucket)).toEqual(['usr-48291-itm-00384-nas', 'another-bucket']);
  });

  it('does not re-do the click when the form changed while the backup ran', async () => {
    connectButton().click();
    await settle();
    fill({ accessKey: 'CGTESTACCESS0002' });
    hold?.release('hold-1');
    expect(log).toMatchObject({ clicks: 0, submits: 0 });
    expect(connectButton().getAttribute('data-connect-guard')).toBe('gated');
  });

  it('after a re-render, asks the background and re-does the click on the new button once released', async () => {
    connectButton().click();
    await settle();
    // The page re-renders the whole form (same values) and the release message was missed.
    const html = document.getElementById('connect-form')?.outerHTML ?? '';
    const values = { endpoint: 'http://127.0.0.1:7480', bucket: 'usr-48291-itm-00384-nas', accessKey: 'CGTESTACCESS0001', secretKey: SECRET };
    document.getElementById('connect-form')?.remove();
    document.body.insertAdjacentHTML('afterbegin', html);
    fill(values);
    const fresh = listen();
    ports.released.add('hold-1');
    hold?.scan();
    await settle();
    expect(ports.askReleased).toHaveBeenCalledWith('hold-1');
    expect(connectButton().getAttribute('data-connect-guard')).toBe('released');
    expect(fresh).toMatchObject({ clicks: 1, submits: 1 });
  });

  it('asks for a new hold when the background no longer knows the old one (it was restarted)', async () => {
    connectButton().click();
    await settle();
    ports.askReleased = vi.fn(async () => {
      throw new Error('Unknown hold.');
    });
    connectButton().click();
    await settle();
    expect(ports.requests).toHaveLength(2);
    expect(ports.urls.at(-1)).toBe('chrome-extension://mmdddcpcnmjcbbelgogjfhoboambpked/hold.html#hold=hold-2');
    expect(dockFrameSrc()).toBe('chrome-extension://mmdddcpcnmjcbbelgogjfhoboambpked/hold.html#hold=hold-2');
    expect(docks()).toHaveLength(1);
    // The old id no longer releases anything; the new one does.
    hold?.release('hold-1');
    expect(log.clicks).toBe(0);
    hold?.release('hold-2');
    expect(log).toMatchObject({ clicks: 1, submits: 1 });
  });

  it('a new click on a held form re-opens the frame and re-checks the hold', async () => {
    connectButton().click();
    await settle();
    // The user closes the backup step: the click stays held.
    const close = dock.shadow.querySelector('.close');
    if (!(close instanceof HTMLButtonElement) || close.hidden) throw new Error('The backup step cannot be closed.');
    expect(close.getAttribute('aria-label')).toBe('Close the backup step');
    close.click();
    expect(docks()).toHaveLength(0);
    ports.released.add('hold-1');
    connectButton().click();
    expect(docks()).toHaveLength(1);
    expect(dockFrameSrc()).toBe('chrome-extension://mmdddcpcnmjcbbelgogjfhoboambpked/hold.html#hold=hold-1');
    await settle();
    expect(log).toMatchObject({ clicks: 1, submits: 1 });
    expect(ports.requests).toHaveLength(1);
  });
});

describe('connect hold: a form inside an open shadow root', () => {
  it('holds its click and, once seen, its requestSubmit; marks its button', async () => {
    document.body.innerHTML = '<wsi-connect></wsi-connect>';
    const shadow = document.querySelector('wsi-connect')?.attachShadow({ mode: 'open' });
    if (!shadow) throw new Error('no shadow root');
    shadow.innerHTML = `
      <form><label for="b">Bucket</label><input id="b" name="bucket" value="nas">
      <label for="s">Secret key</label><input id="s" name="secretKey" type="password" value="${SECRET}">
      <button type="submit" id="go">Connect</button></form>`;
    let submits = 0;
    const form = shadow.querySelector('form');
    form?.addEventListener('submit', (event) => {
      event.preventDefault();
      submits += 1;
    });
    const ports = fakePorts();
    hold = startConnectHold(window, ports, dock);
    shadow.getElementById('go')?.click();
    form?.requestSubmit();
    expect(submits).toBe(0);
    await settle();
    expect(ports.requests).toHaveLength(1);
    hold.scan();
    expect(shadow.getElementById('go')?.getAttribute('data-connect-guard')).toBe('gated');
    hold.release('hold-1');
    expect(submits).toBe(1);
  });
});

describe('connect hold helpers', () => {
  it('reads the release message', () => {
    expect(releasedHoldId({ type: 'connectHold.released', data: { holdId: 'h1' } })).toBe('h1');
    expect(releasedHoldId({ type: 'gate.released', data: { captureId: 'c' } })).toBeUndefined();
    expect(releasedHoldId({ type: 'connectHold.released', data: { holdId: 3 } })).toBeUndefined();
    expect(releasedHoldId(null)).toBeUndefined();
  });

  it('keys forms by all values without containing the secret', () => {
    const form: ConnectFormValues = { provider: 'AWS', endpoint: '', region: 'eu-west-1', bucket: 'b', accessKey: 'A', secretKey: SECRET };
    expect(formKeyOf(form)).toBe(formKeyOf({ ...form }));
    expect(formKeyOf(form)).not.toBe(formKeyOf({ ...form, secretKey: `${SECRET}x` }));
    expect(formKeyOf(form)).not.toBe(formKeyOf({ ...form, bucket: 'c' }));
    expect(formKeyOf(form)).not.toContain(SECRET);
  });
});
