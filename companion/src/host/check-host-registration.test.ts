import { mkdtemp, rm, writeFile, chmod, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_EXTENSION_ID, FIREFOX_EXTENSION_ID } from '../../../shared/extension-identity.ts';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';
import { checkHostRegistration } from './check-host-registration.ts';
import { installHost } from './install-host.ts';

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cg-host-doctor-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const firefoxManifest = (): string => join(home, '.mozilla/native-messaging-hosts', `${COMPANION_HOST_NAME}.json`);
const chromiumManifest = (): string => join(home, '.config/chromium/NativeMessagingHosts', `${COMPANION_HOST_NAME}.json`);

function check(chromiumIds: readonly string[] = []) {
  return checkHostRegistration({ env: { HOME: home }, platform: 'linux', chromiumIds, firefoxIds: [FIREFOX_EXTENSION_ID] });
}

describe('checkHostRegistration (doctor --host)', () => {
  it('passes what install-host wrote for every browser', async () => {
    await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [DEV_EXTENSION_ID], browsers: ['chromium', 'firefox'] });
    const findings = await check([DEV_EXTENSION_ID]);
    expect(findings.map((finding) => finding.status)).toEqual(['pass', 'pass']);
  });

  it('warns when nothing is registered', async () => {
    expect(await check()).toEqual([{ status: 'warn', browser: '', message: expect.stringMatching(/not registered with any browser/) }]);
  });

  it('names a Chromium manifest in Firefox’s folder as written for the wrong browser', async () => {
    await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [DEV_EXTENSION_ID], browsers: ['chromium', 'firefox'] });
    await writeFile(firefoxManifest(), await readFile(chromiumManifest(), 'utf8'));
    const findings = await check();
    expect(findings.find((finding) => finding.message.includes(firefoxManifest()))).toEqual({ status: 'fail', browser: 'Firefox', message: expect.stringMatching(/written for a Chromium browser.*install-host --browser firefox/) });
  });

  it('names a Firefox manifest in Chromium’s folder as written for the wrong browser', async () => {
    await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [DEV_EXTENSION_ID], browsers: ['chromium', 'firefox'] });
    await writeFile(chromiumManifest(), await readFile(firefoxManifest(), 'utf8'));
    expect((await check()).find((finding) => finding.message.includes(chromiumManifest()))).toMatchObject({ status: 'fail', message: expect.stringMatching(/written for Firefox/) });
  });

  it.each([
    ['a Firefox manifest for another add-on', 'firefox', ['other@example.com'], [], /allows the add-on other@example\.com, not Connect Guard's connect-guard@connect-guard\.dev/],
    ['a Chromium manifest for another extension id', 'chromium', [], ['abcdefghijklmnopabcdefghijklmnop'], /not chrome-extension:\/\/mmdddcpcnmjcbbelgogjfhoboambpked\//],
  ] as const)('names %s', async (_name, browser, firefoxIds, chromiumIds, message) => {
    await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: chromiumIds.length > 0 ? chromiumIds : [DEV_EXTENSION_ID], firefoxExtensionIds: firefoxIds.length > 0 ? firefoxIds : [FIREFOX_EXTENSION_ID], browsers: [browser] });
    expect(await check([DEV_EXTENSION_ID])).toEqual([{ status: 'fail', browser: browser === 'firefox' ? 'Firefox' : 'Chromium', message: expect.stringMatching(message) }]);
  });

  it('names a launcher that is not executable, and one that serves another id than its manifest allows', async () => {
    const installed = await installHost({ env: { HOME: home }, platform: 'linux', extensionIds: [], browsers: ['firefox'] });
    await chmod(installed.firefoxLauncherPath, 0o644);
    expect(await check()).toEqual([{ status: 'fail', browser: 'Firefox', message: expect.stringMatching(/not executable/) }]);
    await chmod(installed.firefoxLauncherPath, 0o755);
    await writeFile(installed.firefoxLauncherPath, (await readFile(installed.firefoxLauncherPath, 'utf8')).replace(FIREFOX_EXTENSION_ID, 'other@example.com'));
    expect(await check()).toEqual([{ status: 'fail', browser: 'Firefox', message: expect.stringMatching(/does not serve what the manifest allows/) }]);
  });
});
