/**
 * Whether each browser can start the companion for Connect Guard, for `connect-guard doctor`
 * (beside its bucket checks) and `connect-guard doctor --host`. Every host manifest this user has
 * is read, and a browser where Connect Guard is installed but no manifest is found is named too.
 * A manifest fails when no browser can use it: in Firefox's folder but written for Chromium
 * (`allowed_origins`, which Firefox ignores) or the reverse; allowing another extension id than
 * the one given or installed (the browser then answers "Access to the specified native messaging
 * host is forbidden"); or running a launcher that is missing, not executable, or does not serve
 * what the manifest allows.
 */
import { constants, existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FIREFOX_EXTENSION_ID } from '../../../shared/extension-identity.ts';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';
import { findInstalledExtensions } from './installed-extensions.ts';
import { BROWSER_NAMES, locateHost, type HostManifestLocation } from './install-host.ts';

export type HostRegistrationStatus = 'pass' | 'warn' | 'fail';

export interface HostRegistrationFinding {
  readonly status: HostRegistrationStatus;
  /** The browser the manifest is for, as install-host names it ("Chromium", "Firefox"). */
  readonly browser: string;
  readonly message: string;
}

export interface CheckHostRegistrationInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** Chromium extension ids the host must allow; none: the ids Connect Guard is installed as, browser by browser. */
  readonly chromiumIds?: readonly string[];
  /** Firefox add-on ids the host must allow; none: Connect Guard's own. */
  readonly firefoxIds?: readonly string[];
}

/** The ids a Chromium-family manifest must allow, and where they come from. */
interface Wanted {
  readonly ids: readonly string[];
  readonly installed: boolean;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

function reinstallFor(location: HostManifestLocation, wanted: Wanted): string {
  if (location.browser === 'firefox') return 'Run "connect-guard install-host --browser firefox".';
  if (wanted.installed) return `Run "connect-guard install-host" (it finds the installed id), or "connect-guard install-host --extension-id ${wanted.ids[0] ?? 'ID'}".`;
  return `Run "connect-guard install-host --browser ${location.browser} --extension-id ${wanted.ids[0] ?? 'ID'}".`;
}

async function checkManifest(location: HostManifestLocation, wanted: Wanted): Promise<HostRegistrationFinding> {
  const where = `${location.label}: ${location.path}`;
  const reinstall = reinstallFor(location, wanted);
  const finding = (status: HostRegistrationStatus, message: string): HostRegistrationFinding => ({ status, browser: location.label, message });
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(location.path, 'utf8'));
  } catch (error) {
    return finding('fail', `${where} is not a readable JSON host manifest (${error instanceof Error ? error.message : String(error)}). ${reinstall}`);
  }
  if (typeof manifest !== 'object' || manifest === null) return finding('fail', `${where} is not a host manifest. ${reinstall}`);
  const name: unknown = Reflect.get(manifest, 'name');
  const path: unknown = Reflect.get(manifest, 'path');
  const origins = stringList(Reflect.get(manifest, 'allowed_origins'));
  const extensions = stringList(Reflect.get(manifest, 'allowed_extensions'));
  if (name !== COMPANION_HOST_NAME) return finding('fail', `${where} names the host "${String(name)}", not ${COMPANION_HOST_NAME}. ${reinstall}`);
  const firefox = location.browser === 'firefox';
  let allowed: readonly string[];
  let launcherArguments: string[];
  if (firefox) {
    if (!extensions) return finding('fail', `${where} is written for a Chromium browser (allowed_origins ${origins?.join(', ') ?? 'none'}); Firefox reads allowed_extensions only, so it will not start the host. ${reinstall}`);
    const missing = wanted.ids.filter((id) => !extensions.includes(id));
    if (missing.length > 0) return finding('fail', `${where} allows the add-on ${extensions.join(', ') || 'none'}, not Connect Guard's ${missing.join(', ')}. ${reinstall}`);
    allowed = extensions;
    launcherArguments = extensions.map((id) => `--allowed-extension '${id}'`);
  } else {
    if (!origins) return finding('fail', `${where} is written for Firefox (allowed_extensions ${extensions?.join(', ') ?? 'none'}); ${location.label} reads allowed_origins only, so it will not start the host. ${reinstall}`);
    const malformed = origins.filter((origin) => !/^chrome-extension:\/\/[a-p]{32}\/$/.test(origin));
    if (malformed.length > 0) return finding('fail', `${where} names ${malformed.join(', ')}, which is not an extension origin (chrome-extension://<32 letters a–p>/). ${reinstall}`);
    const missing = wanted.ids.map((id) => `chrome-extension://${id}/`).filter((origin) => !origins.includes(origin));
    if (missing.length > 0) {
      const refused = 'the browser refuses to start the companion for it ("Access to the specified native messaging host is forbidden")';
      const installedAs = wanted.installed ? `, but Connect Guard is installed there as ${missing.join(', ')}` : `, not ${missing.join(', ')}`;
      return finding('fail', `${where} allows ${origins.join(', ') || 'no extension'}${installedAs}: ${refused}. ${reinstall}`);
    }
    allowed = origins;
    launcherArguments = origins.map((origin) => `--allowed-origin '${origin}'`);
  }
  if (typeof path !== 'string' || !existsSync(path)) return finding('fail', `${where} runs ${String(path)}, which does not exist. ${reinstall}`);
  if (!(await isExecutable(path))) return finding('fail', `${where} runs ${path}, which is not executable; the browser reports "Native host has exited". ${reinstall}`);
  const launcher = await readFile(path, 'utf8').catch(() => '');
  const notServed = launcherArguments.filter((argument) => !launcher.includes(argument));
  if (notServed.length > 0) return finding('fail', `${where}: its launcher ${path} does not serve what the manifest allows (${notServed.join(' ')}): the host would refuse the extension. ${reinstall}`);
  return finding('pass', `${where} allows ${allowed.join(', ')} and runs ${path}.`);
}

/**
 * One finding per host manifest found, and one per browser where Connect Guard is installed
 * without one; a warning when the companion is registered nowhere.
 */
export async function checkHostRegistration(input: CheckHostRegistrationInput): Promise<HostRegistrationFinding[]> {
  const given = input.chromiumIds ?? [];
  const installed = given.length > 0 ? [] : await findInstalledExtensions({ env: input.env, platform: input.platform });
  const firefoxIds = input.firefoxIds && input.firefoxIds.length > 0 ? input.firefoxIds : [FIREFOX_EXTENSION_ID];
  const findings: HostRegistrationFinding[] = [];
  for (const location of locateHost({ env: input.env, platform: input.platform, browsers: BROWSER_NAMES }).manifests) {
    let wanted: Wanted;
    if (location.browser === 'firefox') wanted = { ids: firefoxIds, installed: false };
    else if (given.length > 0) wanted = { ids: given, installed: false };
    else {
      const userDataDir = dirname(dirname(location.path));
      wanted = { ids: [...new Set(installed.filter((install) => install.userDataDir === userDataDir).map((install) => install.id))], installed: true };
    }
    if (existsSync(location.path)) findings.push(await checkManifest(location, wanted));
    else if (wanted.installed && wanted.ids.length > 0) {
      findings.push({
        status: 'fail',
        browser: location.label,
        message: `${location.label}: Connect Guard is installed (id ${wanted.ids.join(', ')}) but no host manifest ${COMPANION_HOST_NAME}.json is at ${location.path}, so the extension cannot start the companion. ${reinstallFor(location, wanted)}`,
      });
    }
  }
  if (findings.length === 0) return [{ status: 'warn', browser: '', message: 'The companion is not registered with any browser. Run "connect-guard install-host --browser NAME".' }];
  return findings;
}
