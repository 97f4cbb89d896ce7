/**
 * The browser an end-to-end test runs in: Chromium (chromium.ts) or Firefox (firefox.ts), chosen
 * by CONNECT_GUARD_E2E_BROWSER (the `e2e-firefox` vitest project sets `firefox`), so one test
 * file proves a flow in both browsers with the same page objects.
 */
import { installHost } from '../../companion/src/host/install-host.ts';
import { DEV_EXTENSION_ID, FIREFOX_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { launchChromiumWithExtension, openPopup, type ChromiumWithExtension, type LaunchOptions, type PopupTabName } from './chromium.ts';
import { launchFirefoxWithExtension, type FirefoxWithExtension } from './firefox.ts';
import type { Frame, Page } from 'puppeteer-core';

export type BrowserKind = 'chromium' | 'firefox';

/** The browser of this test run. */
export const E2E_BROWSER: BrowserKind = process.env.CONNECT_GUARD_E2E_BROWSER === 'firefox' ? 'firefox' : 'chromium';

export type ExtensionBrowser = ChromiumWithExtension | FirefoxWithExtension;

/** Launches the browser of this run (or `kind`) with the loopback build of the extension. */
export function launchExtensionBrowser(options: LaunchOptions = {}, kind: BrowserKind = E2E_BROWSER): Promise<ExtensionBrowser> {
  if (kind === 'chromium') return launchChromiumWithExtension(options);
  return launchFirefoxWithExtension({
    ...(options.userDataDir === undefined ? {} : { userDataDir: options.userDataDir }),
    ...(options.keepProfile === undefined ? {} : { keepProfile: options.keepProfile }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
}

/**
 * Registers the real companion host as `connect-guard install-host` does for a user — Chromium:
 * in the profile in `profileDir`; Firefox: under `<profileDir>-home/.mozilla`, the HOME Firefox
 * gets — and launches the browser with the built extension on that profile.
 */
export async function launchExtensionBrowserWithCompanion(profileDir: string, options: Omit<LaunchOptions, 'userDataDir'> = {}, kind: BrowserKind = E2E_BROWSER): Promise<ExtensionBrowser> {
  if (kind === 'chromium') {
    await installHost({ env: process.env, platform: process.platform, extensionIds: [DEV_EXTENSION_ID], userDataDir: profileDir });
    return launchChromiumWithExtension({ ...options, userDataDir: profileDir });
  }
  const home = `${profileDir}-home`;
  await installHost({ env: { HOME: home }, platform: process.platform, extensionIds: [], firefoxExtensionIds: [FIREFOX_EXTENSION_ID], browsers: ['firefox'] });
  return launchFirefoxWithExtension({ ...options, userDataDir: profileDir, home });
}

/**
 * Opens the popup as a tab (an action popup cannot be opened headless), on `tab` when given.
 * Firefox over BiDi does not report the load of an add-on page (it runs in another process), so
 * the page is asked until it shows the popup's document.
 */
export async function openExtensionPopup(target: ExtensionBrowser, tab?: PopupTabName): Promise<Page> {
  if (target.kind === 'chromium') return openPopup(target.browser, target.extensionId, tab);
  const url = `${target.baseUrl}popup.html${tab === undefined ? '' : `#tab=${tab}`}`;
  return openFirefoxExtensionPage(target, url);
}

/** Opens one of the add-on's pages in a new Firefox tab and waits until it has loaded. */
export async function openFirefoxExtensionPage(target: FirefoxWithExtension, url: string): Promise<Page> {
  const page = await target.browser.newPage();
  // The navigation itself works; only its load event never reaches puppeteer.
  void page.goto(url).catch(() => undefined);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = await page.evaluate(() => ({ href: location.href, ready: document.readyState })).catch(() => undefined);
    if (state?.href === url && state.ready === 'complete') return page;
    if (Date.now() > deadline) throw new Error(`${url} did not load in Firefox within 15 s (at ${state?.href ?? 'unknown'}).`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Types `value` into the input named `name` (its accessible name), replacing what it held. Works
 * in both browsers: puppeteer's `Locator.fill` never finds an element located by accessible name
 * in Firefox's add-on frames usable, while typing into it does.
 */
export async function fillByLabel(frame: Frame | Page, name: string, value: string): Promise<void> {
  const input = await frame.waitForSelector(`::-p-aria(${name})`, { visible: true });
  if (!input) throw new Error(`No input named "${name}".`);
  await input.evaluate((element) => {
    if ('select' in element && typeof element.select === 'function') element.select();
  });
  await input.type(value);
  await input.dispose();
}
