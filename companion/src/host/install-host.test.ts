import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';
import { BROWSER_NAMES, COMPANION_NODE_FLAGS, firefoxLauncherScript, installHost, launcherScript, locateHost, uninstallHost } from './install-host.ts';
import { FIREFOX_EXTENSION_ID } from '../../../shared/extension-identity.ts';

const ID = 'mmdddcpcnmjcbbelgogjfhoboambpked';
const OTHER_ID = 'abcdefghijklmnopabcdefghijklmnop';
let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'connect-guard-home-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('installHost', () => {
  it('registers with every browser whose profile exists, writes an executable launcher, and says what it skipped', async () => {
    await mkdir(join(home, '.config', 'chromium'), { recursive: true });
    await mkdir(join(home, '.config', 'BraveSoftware', 'Brave-Browser'), { recursive: true });
    const result = await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [ID] });
    expect(result.manifestPaths.map((manifest) => manifest.path)).toEqual([
      join(home, '.config/chromium/NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`),
      join(home, '.config/BraveSoftware/Brave-Browser/NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`),
    ]);
    expect(result.skipped.map((skip) => skip.label)).toEqual(['Google Chrome', 'Microsoft Edge', 'Firefox']);
    const launcher = join(home, '.local/share/connect-guard/native-host');
    expect(result.launcherPath).toBe(launcher);
    for (const { path } of result.manifestPaths) {
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
        name: COMPANION_HOST_NAME,
        description: expect.any(String),
        path: launcher,
        type: 'stdio',
        allowed_origins: [`chrome-extension://${ID}/`],
      });
    }
    expect((await stat(launcher)).mode & 0o777).toBe(0o755);
    const script = await readFile(launcher, 'utf8');
    expect(script).toMatch(/^#!\/bin\/sh\n/);
    expect(script).toContain(`host --allowed-origin 'chrome-extension://${ID}/' "$@"`);
    expect(script).toContain(`'${process.execPath}'`);
  });

  it('follows XDG folders and --browser for a browser not started yet', async () => {
    const config = join(home, 'cfg');
    const data = join(home, 'data');
    const result = await installHost({ env: { HOME: home, XDG_CONFIG_HOME: config, XDG_DATA_HOME: data }, platform: 'linux', extensionIds: [ID, OTHER_ID], browsers: ['chrome', 'edge'] });
    expect(result.manifestPaths.map((manifest) => manifest.path)).toEqual([
      join(config, 'google-chrome/NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`),
      join(config, 'microsoft-edge/NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`),
    ]);
    expect(result.launcherPath).toBe(join(data, 'connect-guard/native-host'));
    expect(result.allowedOrigins).toEqual([`chrome-extension://${ID}/`, `chrome-extension://${OTHER_ID}/`]);
  });

  it('uses the macOS folders', () => {
    const locations = locateHost({ env: { HOME: '/Users/ana' }, platform: 'darwin', browsers: ['chromium', 'chrome', 'brave', 'edge'] });
    expect(locations.manifests.map((manifest) => manifest.path)).toEqual([
      `/Users/ana/Library/Application Support/Chromium/NativeMessagingHosts/${COMPANION_HOST_NAME}.json`,
      `/Users/ana/Library/Application Support/Google/Chrome/NativeMessagingHosts/${COMPANION_HOST_NAME}.json`,
      `/Users/ana/Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/${COMPANION_HOST_NAME}.json`,
      `/Users/ana/Library/Application Support/Microsoft Edge/NativeMessagingHosts/${COMPANION_HOST_NAME}.json`,
    ]);
  });

  it('registers a --user-data-dir profile only, launcher beside the manifest', async () => {
    const profile = join(home, 'profile');
    const result = await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [ID], userDataDir: profile });
    expect(result.manifestPaths.map((manifest) => manifest.path)).toEqual([join(profile, 'NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`)]);
    expect(result.launcherPath).toBe(join(profile, 'NativeMessagingHosts', 'connect-guard-native-host'));
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it.each([
    ['an id that is not 32 letters a–p', { extensionIds: ['not-an-id'] }, /not an extension id/],
    ['no browser profile at all', { extensionIds: [ID] }, /No Chromium, Chrome, Brave, Edge or Firefox profile found/],
    ['Windows', { extensionIds: [ID], platform: 'win32' as const }, /not supported yet/],
  ])('refuses %s with the fix', async (_name, input, message) => {
    await expect(installHost({ env: { HOME: home }, platform: 'linux', ...input })).rejects.toThrow(message);
  });
});

describe('installHost for Firefox', () => {
  it('writes ~/.mozilla/native-messaging-hosts with allowed_extensions [the add-on id] and a launcher that serves that id only', async () => {
    const result = await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [], browsers: ['firefox'] });
    const manifestPath = join(home, '.mozilla/native-messaging-hosts', `${COMPANION_HOST_NAME}.json`);
    expect(result.manifestPaths).toEqual([{ label: 'Firefox', path: manifestPath, browser: 'firefox' }]);
    const launcher = join(home, '.local/share/connect-guard/native-host-firefox');
    expect(JSON.parse(await readFile(manifestPath, 'utf8'))).toEqual({
      name: COMPANION_HOST_NAME,
      description: expect.any(String),
      path: launcher,
      type: 'stdio',
      allowed_extensions: [FIREFOX_EXTENSION_ID],
    });
    expect((await stat(launcher)).mode & 0o777).toBe(0o755);
    expect(await readFile(launcher, 'utf8')).toContain(`host --allowed-extension '${FIREFOX_EXTENSION_ID}' "$@"`);
    // Chromium's launcher is left alone: registering Firefox must not take the host from Chromium.
    expect(existsSync(join(home, '.local/share/connect-guard/native-host'))).toBe(false);
  });

  it('registers every browser with --browser all, each kind with its own launcher', async () => {
    const result = await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [ID], browsers: BROWSER_NAMES });
    expect(result.manifestPaths.map((manifest) => manifest.browser)).toEqual(['chromium', 'chrome', 'brave', 'edge', 'firefox']);
    expect(JSON.parse(await readFile(result.manifestPaths[0]?.path ?? '', 'utf8')).path).toBe(result.launcherPath);
    expect(JSON.parse(await readFile(result.manifestPaths[4]?.path ?? '', 'utf8')).path).toBe(result.firefoxLauncherPath);
    const { removed } = await uninstallHost({ env: { HOME: home }, platform: 'linux' });
    expect(removed).toHaveLength(7);
  });

  it('uses the macOS folder', () => {
    expect(locateHost({ env: { HOME: '/Users/ana' }, platform: 'darwin', browsers: ['firefox'] }).manifests.map((manifest) => manifest.path)).toEqual([
      `/Users/ana/Library/Application Support/Mozilla/NativeMessagingHosts/${COMPANION_HOST_NAME}.json`,
    ]);
  });

  it.each([
    ['an add-on id that is not name@domain or {uuid}', { extensionIds: [], firefoxExtensionIds: ['not an id'], browsers: ['firefox' as const] }, /not a Firefox add-on id/],
    ['a profile folder (Firefox does not look there)', { extensionIds: [ID], userDataDir: '/tmp/p', browsers: ['firefox' as const] }, /~\/\.mozilla\/native-messaging-hosts only/],
  ])('refuses %s with the fix', async (_name, input, message) => {
    await expect(installHost({ env: { HOME: home }, platform: 'linux', ...input })).rejects.toThrow(message);
  });
});

describe('uninstallHost', () => {
  it('removes our manifests and the launcher and says which, leaving other hosts alone', async () => {
    await mkdir(join(home, '.config', 'chromium'), { recursive: true });
    const installed = await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [ID], browsers: ['chromium', 'edge'] });
    const { removed } = await uninstallHost({ env: { HOME: home }, platform: 'linux' });
    expect([...removed].sort()).toEqual([...installed.manifestPaths.map((manifest) => manifest.path), installed.launcherPath].sort());
    for (const path of removed) expect(existsSync(path)).toBe(false);
    expect((await uninstallHost({ env: { HOME: home }, platform: 'linux' })).removed).toEqual([]);
  });
});

describe('launcherScript', () => {
  it('quotes paths with spaces and quotes for the shell', () => {
    const script = launcherScript([`chrome-extension://${ID}/`], { node: "/opt/my node's/bin/node", bin: '/home/a b/connect-guard.js' });
    expect(script).toContain(`exec '/opt/my node'\\''s/bin/node' --max-semi-space-size=8 '/home/a b/connect-guard.js' host --allowed-origin 'chrome-extension://${ID}/' "$@"`);
  });

  it('runs Node with the same flags as the connect-guard command’s shebang, in the checkout and in the release', async () => {
    for (const file of ['../../bin/connect-guard.js', '../../../scripts/release/connect-guard.js']) {
      const firstLine = (await readFile(new URL(file, import.meta.url), 'utf8')).split('\n')[0];
      expect(firstLine, file).toBe(`#!/usr/bin/env -S node ${COMPANION_NODE_FLAGS.join(' ')}`);
    }
    expect(firefoxLauncherScript(['a@b.c'], { node: '/n', bin: '/b' })).toContain(`exec '/n' ${COMPANION_NODE_FLAGS.join(' ')} '/b' host`);
  });
});
