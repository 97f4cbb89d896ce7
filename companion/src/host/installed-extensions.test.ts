import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_EXTENSION_ID } from '../../../shared/extension-identity.ts';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';
import type { CliIo } from '../cli/cli-io.ts';
import { installHost } from './install-host.ts';
import { runInstallHostCommand } from './install-host-command.ts';
import { checkHostRegistration } from './check-host-registration.ts';
import { findInstalledExtensions } from './installed-extensions.ts';

/** A store build's id (the store gives it) and an unpacked build's (from its folder). */
const STORE_ID = 'kfbgpjgbmfgbgnhkfbgdbmmjnpmhmpkc';
const UNPACKED_ID = 'abcdefghijklmnopabcdefghijklmnop';
const OTHER_EXTENSION = 'cjpalhdlnbpafiamejdnhcphjbkeiagm';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cg-installed-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(value));
}

/**
 * Profiles as Chromium leaves them: an unpacked build in Chromium's Default profile (Secure
 * Preferences names the folder it was loaded from), a store install in Chrome's "Profile 1"
 * (Preferences keeps its manifest), and another extension beside each.
 */
async function installs(): Promise<void> {
  const unpacked = join(home, 'src', 'connect-guard', '.output', 'chrome-mv3');
  await writeJson(join(unpacked, 'manifest.json'), { manifest_version: 3, name: 'Connect Guard', version: '0.1.0' });
  await writeJson(join(home, '.config/chromium/Default/Secure Preferences'), {
    extensions: { settings: { [UNPACKED_ID]: { location: 4, path: unpacked, state: 1 }, [OTHER_EXTENSION]: { location: 1, manifest: { name: 'uBlock Origin' }, path: `${OTHER_EXTENSION}/1.0_0` } } },
  });
  await writeJson(join(home, '.config/chromium/Default/Preferences'), { extensions: { settings: {} }, profile: { name: 'Person 1' } });
  await writeJson(join(home, '.config/google-chrome/Profile 1/Preferences'), {
    extensions: { settings: { [STORE_ID]: { location: 1, manifest: { name: 'Connect Guard', version: '1.2.0' }, path: `${STORE_ID}/1.2.0_0` } } },
  });
  await mkdir(join(home, '.config/google-chrome/Default'), { recursive: true });
}

function fakeIo(env: Record<string, string>): { io: CliIo; output: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const io: CliIo = { stdout, stderr: new PassThrough(), stdin: process.stdin, env, signal: new AbortController().signal };
  return { io, output: () => text };
}

const manifestPath = (browserFolder: string): string => join(home, '.config', browserFolder, 'NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`);

describe('finding Connect Guard in the browsers', () => {
  it('finds an unpacked build by the manifest in its folder and a store install by its stored manifest, and nothing else', async () => {
    await installs();
    const found = await findInstalledExtensions({ env: { HOME: home }, platform: 'linux' });
    expect(found.map(({ browser, profile, id }) => ({ browser, profile, id }))).toEqual([
      { browser: 'Chromium', profile: 'Default', id: UNPACKED_ID },
      { browser: 'Google Chrome', profile: 'Profile 1', id: STORE_ID },
    ]);
  });

  it('install-host without --extension-id registers the ids actually installed, and says where it found them', async () => {
    await installs();
    const { io, output } = fakeIo({ HOME: home });
    expect(await runInstallHostCommand([], io)).toBe(0);
    for (const folder of ['chromium', 'google-chrome']) {
      const manifest = JSON.parse(await readFile(manifestPath(folder), 'utf8')) as { allowed_origins: string[] };
      expect(manifest.allowed_origins.sort()).toEqual([`chrome-extension://${STORE_ID}/`, `chrome-extension://${UNPACKED_ID}/`].sort());
      expect(manifest.allowed_origins).not.toContain(`chrome-extension://${DEV_EXTENSION_ID}/`);
    }
    expect(output()).toContain(`Found Connect Guard in Chromium (Default) as ${UNPACKED_ID}`);
    expect(output()).toContain(`Found Connect Guard in Google Chrome (Profile 1) as ${STORE_ID}`);
    expect(await checkHostRegistration({ env: { HOME: home }, platform: 'linux' })).toEqual([
      expect.objectContaining({ status: 'pass', browser: 'Chromium' }),
      expect.objectContaining({ status: 'pass', browser: 'Google Chrome' }),
    ]);
  });

  it('with no install found, registers the development id and says how to do better', async () => {
    await mkdir(join(home, '.config/chromium/Default'), { recursive: true });
    const { io, output } = fakeIo({ HOME: home });
    expect(await runInstallHostCommand([], io)).toBe(0);
    expect(output()).toMatch(/No Connect Guard install found.*--extension-id ID/);
    expect(JSON.parse(await readFile(manifestPath('chromium'), 'utf8'))).toMatchObject({ allowed_origins: [`chrome-extension://${DEV_EXTENSION_ID}/`] });
  });
});

describe('the doctor on the host registration', () => {
  it('names a manifest whose allowed_origins miss the installed id, and one that is missing, with the fix', async () => {
    await installs();
    // Registered for the development build only (the old default), in Chromium alone.
    await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [DEV_EXTENSION_ID], browsers: ['chromium'] });
    const findings = await checkHostRegistration({ env: { HOME: home }, platform: 'linux' });
    expect(findings).toHaveLength(2);
    const [chromium, chrome] = findings;
    expect(chromium).toMatchObject({ status: 'fail', browser: 'Chromium' });
    expect(chromium?.message).toContain(manifestPath('chromium'));
    expect(chromium?.message).toContain(`allows chrome-extension://${DEV_EXTENSION_ID}/`);
    expect(chromium?.message).toContain(`installed there as chrome-extension://${UNPACKED_ID}/`);
    expect(chromium?.message).toMatch(/connect-guard install-host/);
    expect(chrome).toMatchObject({ status: 'fail', browser: 'Google Chrome', message: expect.stringMatching(/no host manifest .* is at .*google-chrome.*install-host --extension-id kfbgpjgbmfgbgnhkfbgdbmmjnpmhmpkc/) });
  });

  it('with nothing installed and nothing registered, says only that the companion is registered nowhere', async () => {
    await mkdir(join(home, '.config/chromium/Default'), { recursive: true });
    expect(await checkHostRegistration({ env: { HOME: home }, platform: 'linux' })).toEqual([{ status: 'warn', browser: '', message: expect.stringMatching(/not registered with any browser/) }]);
  });

  it('checks Firefox’s manifest in the same pass as the installed Chromium ids', async () => {
    await installs();
    await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [UNPACKED_ID, STORE_ID], browsers: ['chromium', 'chrome', 'firefox'] });
    const findings = await checkHostRegistration({ env: { HOME: home }, platform: 'linux' });
    expect(findings.map(({ status, browser }) => `${status} ${browser}`)).toEqual(['pass Chromium', 'pass Google Chrome', 'pass Firefox']);
  });
});
