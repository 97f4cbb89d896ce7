/**
 * `connect-guard doctor --host`: reads every host manifest this user has for Connect Guard and
 * names the ones no browser can use — a manifest in Firefox's folder written for Chromium
 * (`allowed_origins`, which Firefox ignores) or the reverse, a manifest or launcher that allows
 * another extension id, a launcher that is missing or not executable.
 */
import { constants, existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';
import { BROWSER_NAMES, locateHost, type HostManifestLocation } from './install-host.ts';

export interface HostFinding {
  readonly status: 'pass' | 'fail' | 'warn';
  readonly message: string;
}

export interface CheckHostRegistrationInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** Chromium extension ids the host must allow (none: any well-formed one is accepted). */
  readonly chromiumIds: readonly string[];
  /** Firefox add-on ids the host must allow. */
  readonly firefoxIds: readonly string[];
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

async function checkOne(location: HostManifestLocation, input: CheckHostRegistrationInput): Promise<HostFinding> {
  const where = `${location.label}: ${location.path}`;
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(location.path, 'utf8'));
  } catch (error) {
    return { status: 'fail', message: `${where} is not a readable JSON host manifest (${error instanceof Error ? error.message : String(error)}). Run "connect-guard install-host" again.` };
  }
  if (typeof manifest !== 'object' || manifest === null) return { status: 'fail', message: `${where} is not a host manifest. Run "connect-guard install-host" again.` };
  const name: unknown = Reflect.get(manifest, 'name');
  const path: unknown = Reflect.get(manifest, 'path');
  const origins = stringList(Reflect.get(manifest, 'allowed_origins'));
  const extensions = stringList(Reflect.get(manifest, 'allowed_extensions'));
  if (name !== COMPANION_HOST_NAME) return { status: 'fail', message: `${where} names the host "${String(name)}", not ${COMPANION_HOST_NAME}. Run "connect-guard install-host" again.` };
  const firefox = location.browser === 'firefox';
  const reinstall = `Run "connect-guard install-host --browser ${location.browser}"`;
  let allowed: string[];
  if (firefox) {
    if (!extensions) {
      return {
        status: 'fail',
        message: `${where} is written for a Chromium browser (allowed_origins ${origins?.join(', ') ?? 'none'}); Firefox reads allowed_extensions only, so it will not start the host. ${reinstall}.`,
      };
    }
    const missing = input.firefoxIds.filter((id) => !extensions.includes(id));
    if (missing.length > 0) return { status: 'fail', message: `${where} allows the add-on ${extensions.join(', ') || 'none'}, not Connect Guard's ${missing.join(', ')}. ${reinstall}.` };
    allowed = extensions.map((id) => `--allowed-extension '${id}'`);
  } else {
    if (!origins) {
      return {
        status: 'fail',
        message: `${where} is written for Firefox (allowed_extensions ${extensions?.join(', ') ?? 'none'}); ${location.label} reads allowed_origins only, so it will not start the host. ${reinstall}.`,
      };
    }
    const wanted = input.chromiumIds.map((id) => `chrome-extension://${id}/`);
    const missing = wanted.filter((origin) => !origins.includes(origin));
    const malformed = origins.filter((origin) => !/^chrome-extension:\/\/[a-p]{32}\/$/.test(origin));
    if (malformed.length > 0) return { status: 'fail', message: `${where} names ${malformed.join(', ')}, which is not an extension origin (chrome-extension://<32 letters a–p>/). ${reinstall}.` };
    if (missing.length > 0) return { status: 'fail', message: `${where} allows ${origins.join(', ') || 'no extension'}, not ${missing.join(', ')}. ${reinstall} --extension-id ID.` };
    allowed = origins.map((origin) => `--allowed-origin '${origin}'`);
  }
  if (typeof path !== 'string' || !existsSync(path)) return { status: 'fail', message: `${where} runs ${String(path)}, which does not exist. ${reinstall}.` };
  if (!(await isExecutable(path))) return { status: 'fail', message: `${where} runs ${path}, which is not executable; the browser reports "Native host has exited". ${reinstall}.` };
  const launcher = await readFile(path, 'utf8').catch(() => '');
  const notServed = allowed.filter((argument) => !launcher.includes(argument));
  if (notServed.length > 0) return { status: 'fail', message: `${where}: its launcher ${path} does not serve what the manifest allows (${notServed.join(' ')}): the host would refuse the extension. ${reinstall}.` };
  return { status: 'pass', message: `${where} allows ${(firefox ? extensions : origins)?.join(', ')} and runs ${path}.` };
}

/** One finding per host manifest found (a warning when there is none). */
export async function checkHostRegistration(input: CheckHostRegistrationInput): Promise<HostFinding[]> {
  const locations = locateHost({ env: input.env, platform: input.platform, browsers: BROWSER_NAMES }).manifests.filter((location) => existsSync(location.path));
  if (locations.length === 0) return [{ status: 'warn', message: 'The companion is not registered with any browser. Run "connect-guard install-host --browser NAME".' }];
  return Promise.all(locations.map((location) => checkOne(location, input)));
}
