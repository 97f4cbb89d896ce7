/**
 * `connect-guard install-host` registers the companion for the extension id actually installed.
 * A build without the development key (as a store or release build is) gets an id the user never
 * typed: here the built extension is copied to a folder of its own and its `key` removed, so
 * Chromium derives the id from that folder. Real Chromium installs it and writes its own
 * Preferences; install-host, given no --extension-id, reads the id from there; the relaunched
 * browser then reaches the real host, which it refuses for any other id.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { COMPANION_HOST_NAME, COMPANION_PROTOCOL_VERSION } from '../../shared/protocol/companion-protocol.ts';
import { CHROMIUM_PATH, EXTENSION_DIR } from '../support/chromium.ts';

/** The service worker's `chrome` global, as functions passed to worker.evaluate see it. */
declare const chrome: { runtime: { sendNativeMessage?(host: string, message: unknown): Promise<unknown> } };

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../companion/bin/connect-guard.js', import.meta.url));

/** Chromium with the extension in `extensionDir`, on the profile `userDataDir`. */
async function launch(extensionDir: string, userDataDir: string, xdg: string): Promise<{ browser: Browser; worker: WebWorker; id: string }> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    userDataDir,
    ignoreDefaultArgs: ['--disable-extensions'],
    env: { ...process.env, XDG_CONFIG_HOME: xdg },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', `--load-extension=${extensionDir}`, `--disable-extensions-except=${extensionDir}`],
  });
  const target = await browser.waitForTarget((candidate) => candidate.type() === 'service_worker' && candidate.url().startsWith('chrome-extension://'), { timeout: 20_000 });
  const worker = await target.worker();
  if (!worker) throw new Error('no service worker');
  // The worker can be reachable before Chromium binds the extension APIs into it: wait for the one used here.
  const deadline = Date.now() + 10_000;
  while (!(await worker.evaluate(() => typeof chrome === 'object' && typeof chrome.runtime.sendNativeMessage === 'function'))) {
    if (Date.now() > deadline) throw new Error('chrome.runtime.sendNativeMessage never appeared in the extension service worker.');
  }
  return { browser, worker, id: new URL(target.url()).host };
}

describe('install-host without --extension-id', () => {
  let sandbox: string;
  let extensionDir: string;
  let userDataDir: string;
  let xdg: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'cg-install-host-id-'));
    extensionDir = join(sandbox, 'connect-guard-extension');
    userDataDir = join(sandbox, 'profile');
    xdg = join(sandbox, 'xdg');
    await cp(EXTENSION_DIR, extensionDir, { recursive: true });
    const manifest = JSON.parse(await readFile(join(extensionDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    delete manifest.key;
    await writeFile(join(extensionDir, 'manifest.json'), JSON.stringify(manifest));
  });
  afterAll(async () => {
    await browser?.close();
    await rm(sandbox, { recursive: true, force: true });
  });

  it('registers the id Chromium gave the installed extension, and the browser then reaches the host', async () => {
    const first = await launch(extensionDir, userDataDir, xdg);
    const installedId = first.id;
    await first.browser.close();
    expect(installedId).not.toBe(DEV_EXTENSION_ID);

    const { stdout } = await run(process.execPath, [BIN, 'install-host', '--user-data-dir', userDataDir], { env: { PATH: process.env.PATH ?? '', HOME: sandbox } });
    expect(stdout).toContain(`as ${installedId}`);
    const hostManifest = JSON.parse(await readFile(join(userDataDir, 'NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`), 'utf8')) as { allowed_origins?: unknown };
    expect(hostManifest.allowed_origins).toEqual([`chrome-extension://${installedId}/`]);

    const second = await launch(extensionDir, userDataDir, xdg);
    browser = second.browser;
    expect(second.id).toBe(installedId);
    const reply: unknown = await second.worker.evaluate((host) => chrome.runtime.sendNativeMessage?.(host, { id: 'ping', type: 'ping', data: {}, timeoutMs: 10_000 }), COMPANION_HOST_NAME);
    expect(reply).toMatchObject({ id: 'ping', ok: { protocolVersion: COMPANION_PROTOCOL_VERSION } });
  });
});
