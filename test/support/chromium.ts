/**
 * Real Chromium (Debian's /usr/bin/chromium) with the loopback build of the extension (.output/chrome-mv3-loopback),
 * driven by puppeteer-core, for the end-to-end tests and the demo.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { waitForDockFrame } from './dock.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The loopback build (wxt.config.ts): the fake WeSendit UI runs on 127.0.0.1. */
export const EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3-loopback');

export interface LaunchOptions {
  /** Profile directory; a fresh temporary one when absent (removed by `close()`). */
  readonly userDataDir?: string;
  /** Default true. */
  readonly headless?: boolean;
  /** Keep the profile directory after `close()` (e.g. to scan it). Default: keep a given one, remove a temporary one. */
  readonly keepProfile?: boolean;
  /** Extra environment for Chromium and so for the companion host it starts (e.g. CONNECT_GUARD_BACKUP_ROOT). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ChromiumWithExtension {
  readonly kind: 'chromium';
  readonly browser: Browser;
  readonly extensionId: string;
  /** `chrome-extension://<id>/`: the extension's pages. */
  readonly baseUrl: string;
  readonly userDataDir: string;
  /** Closes the browser (and removes a temporary profile unless kept). */
  close(): Promise<void>;
}

export async function launchChromiumWithExtension(options: LaunchOptions = {}): Promise<ChromiumWithExtension> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`No built extension at ${EXTENSION_DIR}. Run \`npx wxt build --mode loopback\` first.`);
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}. Run \`tsx test/support/ensure-system.ts chromium\`.`);
  }
  const temporaryProfile = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? (await mkdtemp(join(tmpdir(), 'connect-guard-profile-')));
  // Chromium writes crash folders under XDG_CONFIG_HOME (default ~/.config) despite --user-data-dir.
  const xdgConfigHome = await mkdtemp(join(tmpdir(), 'connect-guard-xdg-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: options.headless ?? true,
    userDataDir,
    ignoreDefaultArgs: ['--disable-extensions'],
    env: { ...process.env, ...options.env, XDG_CONFIG_HOME: xdgConfigHome },
    defaultViewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      `--load-extension=${EXTENSION_DIR}`,
      `--disable-extensions-except=${EXTENSION_DIR}`,
    ],
  });
  try {
    const worker = await browser.waitForTarget((target) => target.type() === 'service_worker' && target.url().startsWith('chrome-extension://'), {
      timeout: 20_000,
    });
    const extensionId = new URL(worker.url()).host;
    if (extensionId !== DEV_EXTENSION_ID) {
      throw new Error(`The loaded extension has id ${extensionId}, expected ${DEV_EXTENSION_ID} (manifest.key from shared/extension-identity.ts).`);
    }
    const keepProfile = options.keepProfile ?? !temporaryProfile;
    return {
      kind: 'chromium',
      browser,
      extensionId,
      baseUrl: `chrome-extension://${extensionId}/`,
      userDataDir,
      close: async () => {
        await browser.close();
        await rm(xdgConfigHome, { recursive: true, force: true });
        if (!keepProfile) await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** The popup's tabs (extension/ui/popup/popup-tabs.ts). */
export type PopupTabName = 'storages' | 'preview' | 'backups' | 'settings';

/**
 * Opens the popup as a tab (an action popup cannot be opened headless): on `tab` when given
 * (`popup.html#tab=…`), else on the tab it opens on by itself (the one chosen last this session).
 */
export async function openPopup(browser: Browser, extensionId: string, tab?: PopupTabName): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`chrome-extension://${extensionId}/popup.html${tab === undefined ? '' : `#tab=${tab}`}`);
  return page;
}

/** Chooses one of the popup's tabs by its accessible name, as a user does, and waits for its panel. */
export async function choosePopupTab(page: Page, name: 'Storages' | 'Preview' | 'Backups' | 'Settings'): Promise<void> {
  await page.locator(`::-p-aria([name="${name}"][role="tab"])`).click();
  await page.waitForSelector(`::-p-aria([name="${name}"][role="tabpanel"])`, { visible: true });
}

/** The gate prompt frame (gate.html) in the Connect Guard dock the gate put into `page`, waiting for it. */
export function waitForGateFrame(page: Page, options: { timeout?: number } = {}): Promise<Frame> {
  return waitForDockFrame(page, '/gate.html', options);
}

/** The capture id the gate prompt frame was opened with (its URL hash). */
export function captureIdOf(frame: Frame): string {
  return new URL(frame.url()).hash.slice(1);
}

/** The part of the extension API the tests call from inside an extension page. */
interface ExtensionRuntime {
  sendMessage(message: unknown): Promise<unknown>;
}

/**
 * Sends a protocol request from an extension-origin frame (the gate prompt or the popup), as
 * that page would; returns the raw `{ok} | {error}` reply.
 */
export async function requestFromExtensionFrame(frame: Frame, request: { type: string; data: unknown }): Promise<unknown> {
  // Serialized in the page: WebDriver BiDi (Firefox) hands an object reached twice in a reply
  // (an error kept both in a hold and in its backup) to puppeteer as a bare reference it drops.
  const json = await frame.evaluate(async (message) => {
    const runtime: ExtensionRuntime | undefined = Reflect.get(Reflect.get(globalThis, 'chrome') ?? {}, 'runtime');
    if (!runtime) throw new Error('Not an extension page.');
    return JSON.stringify((await runtime.sendMessage(message)) ?? null);
  }, request);
  return JSON.parse(json);
}
