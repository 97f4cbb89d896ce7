/**
 * Real Firefox (Debian's /usr/bin/firefox-esr) with the Firefox loopback build of the extension
 * (.output/firefox-mv3-loopback), driven by puppeteer-core over WebDriver BiDi, beside
 * chromium.ts. The add-on is installed temporarily (`browser.installExtension`, BiDi
 * `webExtension.install`), unsigned, as about:debugging's "Load Temporary Add-on" does.
 *
 * Firefox gives an add-on's pages a random `moz-extension://<uuid>/` origin per install; the
 * profile's `extensions.webextensions.uuids` pref fixes it for this launch so the tests can open
 * the popup. Firefox looks for native-messaging host manifests under `$HOME/.mozilla`, so each
 * launch gets its own HOME (`home`), where launch-with-companion.ts registers the host.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { FIREFOX_EXTENSION_ID } from '../../shared/extension-identity.ts';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';
/** The Firefox loopback build (wxt.config.ts): the fake WeSendit UI runs on 127.0.0.1. */
export const FIREFOX_EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/firefox-mv3-loopback');

export interface FirefoxLaunchOptions {
  /** Profile directory; a fresh temporary one when absent (removed by `close()`). */
  readonly userDataDir?: string;
  /** HOME for Firefox and the host it starts (where `.mozilla/native-messaging-hosts` is read); a fresh one when absent. */
  readonly home?: string;
  /** Keep the profile directory after `close()` (e.g. to scan it). Default: keep a given one, remove a temporary one. */
  readonly keepProfile?: boolean;
  /** Extra environment for Firefox and so for the companion host it starts. */
  readonly env?: Readonly<Record<string, string>>;
  /** The built add-on to install (default the loopback build). */
  readonly extensionDir?: string;
  /** Default true. */
  readonly headless?: boolean;
}

export interface FirefoxWithExtension {
  readonly kind: 'firefox';
  readonly browser: Browser;
  /** The add-on id (gecko id). */
  readonly extensionId: string;
  /** `moz-extension://<uuid>/`: the add-on's pages, for this install. */
  readonly baseUrl: string;
  readonly userDataDir: string;
  readonly home: string;
  close(): Promise<void>;
}

export async function launchFirefoxWithExtension(options: FirefoxLaunchOptions = {}): Promise<FirefoxWithExtension> {
  const extensionDir = options.extensionDir ?? FIREFOX_EXTENSION_DIR;
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`No built add-on at ${extensionDir}. Run \`npx wxt build -b firefox --mv3 --mode loopback\` first.`);
  }
  if (!existsSync(FIREFOX_PATH)) throw new Error(`Firefox ESR is not installed at ${FIREFOX_PATH}. Run \`tsx test/support/ensure-system.ts firefox\`.`);
  const temporaryProfile = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? (await mkdtemp(join(tmpdir(), 'connect-guard-ff-profile-')));
  const temporaryHome = options.home === undefined;
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'connect-guard-ff-home-')));
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: options.headless ?? true,
    userDataDir,
    // Lets WebDriver BiDi navigate a tab to the add-on's own pages (moz-extension://), as a user can.
    args: ['--remote-allow-system-access'],
    env: { ...process.env, ...options.env, HOME: home, MOZ_CRASHREPORTER_DISABLE: '1' },
    defaultViewport: { width: 1280, height: 900 },
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_EXTENSION_ID]: uuid }),
      // No update checks, telemetry or first-run pages: nothing but the test on the network.
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'browser.shell.checkDefaultBrowser': false,
    },
  });
  try {
    const extensionId = await browser.installExtension(extensionDir);
    if (extensionId !== FIREFOX_EXTENSION_ID) throw new Error(`The installed add-on has id ${extensionId}, expected ${FIREFOX_EXTENSION_ID} (browser_specific_settings.gecko.id).`);
    const keepProfile = options.keepProfile ?? !temporaryProfile;
    return {
      kind: 'firefox',
      browser,
      extensionId,
      baseUrl: `moz-extension://${uuid}/`,
      userDataDir,
      home,
      close: async () => {
        await browser.close();
        if (temporaryHome) await rm(home, { recursive: true, force: true });
        if (!keepProfile) await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
