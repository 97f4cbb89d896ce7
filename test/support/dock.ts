/**
 * Finding Connect Guard's dock and its one extension frame from a test: the host element
 * (`data-connect-guard-ui="dock"`) holds a closed shadow root, so page scripts cannot look inside;
 * the frame is found through the browser (its URL) and checked to sit in the dock's shadow root.
 */
import type { ElementHandle, Frame, Page } from 'puppeteer-core';

export const DOCK_SELECTOR = '[data-connect-guard-ui="dock"]';

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Is `url` one of an extension's own pages (Chromium or Firefox)? */
export function isExtensionUrl(url: string): boolean {
  return url.startsWith('chrome-extension://') || url.startsWith('moz-extension://');
}

/**
 * The address of the document in `frame`. Firefox over WebDriver BiDi keeps reporting an add-on
 * frame, which runs in the add-on's own process, as about:blank: the frame itself is asked then.
 */
export async function frameHref(frame: Frame): Promise<string> {
  const url = frame.url();
  if (url !== '' && url !== 'about:blank') return url;
  return frame.evaluate(() => location.href).catch(() => url);
}

/** Is `frame` the frame of a Connect Guard dock (its iframe sits in the dock's shadow root)? */
export async function isDockFrame(frame: Frame): Promise<boolean> {
  let element: ElementHandle<HTMLIFrameElement> | null = null;
  try {
    element = await frame.frameElement();
  } catch {
    return false;
  }
  if (!element) return false;
  try {
    return await element.evaluate((iframe, selector) => {
      const root = iframe.getRootNode();
      return root instanceof ShadowRoot && root.host.matches(selector);
    }, DOCK_SELECTOR);
  } catch {
    // Detached meanwhile: a newer step replaced it.
    return false;
  } finally {
    await element.dispose().catch(() => undefined);
  }
}

/**
 * The dock frame showing the extension page `path` (e.g. `/gate.html`), waiting for it: in the
 * page itself or in one of its frames (a dialog in a same-origin iframe gets its dock there).
 */
export async function waitForDockFrame(page: Page, path: string, options: { timeout?: number } = {}): Promise<Frame> {
  const timeout = options.timeout ?? 15_000;
  const deadline = Date.now() + timeout;
  const matches = (frame: Frame): boolean => !frame.detached && isExtensionUrl(frame.url()) && new URL(frame.url()).pathname === path;
  const showsPath = async (frame: Frame): Promise<boolean> => {
    if (frame.detached) return false;
    const href = await frameHref(frame);
    return isExtensionUrl(href) && new URL(href).pathname === path;
  };
  for (;;) {
    for (const frame of page.frames()) if ((await showsPath(frame)) && (await isDockFrame(frame))) return frame;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(`No dock frame ${path} on ${page.url()} within ${timeout} ms (frames: ${page.frames().map((frame) => frame.url()).join(', ')}).`);
    }
    await page.waitForFrame((frame) => matches(frame), { timeout: Math.min(left, 500) }).catch(() => undefined);
  }
}

/** How many docks the document of `frame` holds. */
export function dockCount(frame: Frame): Promise<number> {
  return frame.evaluate((selector) => document.querySelectorAll(selector).length, DOCK_SELECTOR);
}

/** The extension frames (chrome-extension://) of the page: the dock holds exactly one at a time. */
export function extensionFrames(page: Page): Frame[] {
  return page.frames().filter((frame) => !frame.detached && frame.url().startsWith('chrome-extension://'));
}

/** The dock host's box in its document's viewport. */
export async function dockRect(frame: Frame): Promise<Rect> {
  return frame.evaluate((selector) => {
    const host = document.querySelector(selector);
    if (!host) throw new Error('No Connect Guard dock in this document.');
    const rect = host.getBoundingClientRect();
    return { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
  }, DOCK_SELECTOR);
}

/** The boxes of the elements `selector` matches in the document of `frame`. */
export async function rectsOf(frame: Frame, selector: string): Promise<Rect[]> {
  return frame.evaluate(
    (sel) =>
      [...document.querySelectorAll(sel)].map((element) => {
        const rect = element.getBoundingClientRect();
        return { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
      }),
    selector,
  );
}

export function intersects(a: Rect, b: Rect): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

/** Is the dock what the user sees at its centre (nothing of the page over it)? */
export function dockOnTop(frame: Frame): Promise<boolean> {
  return frame.evaluate((selector) => {
    const host = document.querySelector(selector);
    if (!host) return false;
    const rect = host.getBoundingClientRect();
    return document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2) === host;
  }, DOCK_SELECTOR);
}

/**
 * A connect the user made for a bucket address they have not previewed or approved before waits
 * in the hold frame with the bucket and its address: the user checks them and chooses "Back up
 * and connect". Waits for the hold frame, approves, and returns the frame.
 */
export async function approveHold(page: Page, options: { timeout?: number } = {}): Promise<Frame> {
  const hold = await waitForDockFrame(page, '/hold.html', options);
  await hold.locator('::-p-aria([name="Back up and connect"][role="button"])').setTimeout(options.timeout ?? 15_000).click();
  return hold;
}

/**
 * In the dock's review.html: waits for the backup of `bucket` in its list and clicks its "Review
 * sync result". Returns whether that backup was listed.
 */
export async function chooseBackupToReview(frame: Frame, bucket: string, options: { timeout?: number } = {}): Promise<boolean> {
  await frame.waitForSelector(`li.backup-item ::-p-text(${bucket})`, { timeout: options.timeout ?? 30_000 });
  for (const item of await frame.$$('li.backup-item')) {
    if (!(await item.evaluate((element) => element.textContent ?? '')).includes(bucket)) continue;
    const button = await item.$('::-p-aria([name="Review sync result"][role="button"])');
    if (!button) return false;
    await button.click();
    return true;
  }
  return false;
}
