import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { FIREFOX_EXTENSION_ID } from '../../../shared/extension-identity.ts';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';

export type ChromiumBrowserName = 'chromium' | 'chrome' | 'brave' | 'edge';
export type BrowserName = ChromiumBrowserName | 'firefox';

export const CHROMIUM_BROWSER_NAMES: readonly ChromiumBrowserName[] = ['chromium', 'chrome', 'brave', 'edge'];
export const BROWSER_NAMES: readonly BrowserName[] = [...CHROMIUM_BROWSER_NAMES, 'firefox'];

const BROWSER_LABEL: Record<BrowserName, string> = { chromium: 'Chromium', chrome: 'Google Chrome', brave: 'Brave', edge: 'Microsoft Edge', firefox: 'Firefox' };

/** Per-user profile roots, relative to ~/.config (Linux) and ~/Library/Application Support (macOS). */
const PROFILE_ROOT: Record<'linux' | 'darwin', Record<ChromiumBrowserName, string>> = {
  linux: { chromium: 'chromium', chrome: 'google-chrome', brave: 'BraveSoftware/Brave-Browser', edge: 'microsoft-edge' },
  darwin: { chromium: 'Chromium', chrome: 'Google/Chrome', brave: 'BraveSoftware/Brave-Browser', edge: 'Microsoft Edge' },
};

/** A Chromium extension id: 32 letters a–p. */
export const CHROMIUM_EXTENSION_ID = /^[a-p]{32}$/;
/** A Firefox add-on id: email-like (`name@domain`) or a `{uuid}`. */
export const GECKO_EXTENSION_ID = /^(?:[A-Za-z0-9._+-]*@[A-Za-z0-9._-]+|\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$/;

/** One host manifest location: which browser it is for, where, and whether that browser's profile exists. */
export interface HostManifestLocation {
  readonly label: string;
  readonly path: string;
  readonly present: boolean;
  /** Firefox reads `allowed_extensions` and runs its own launcher; the others `allowed_origins`. */
  readonly browser: BrowserName;
}

/** Where the host is registered and what it runs. */
export interface HostLocations {
  /** The launcher the Chromium-family manifests name. */
  readonly launcherPath: string;
  /** The launcher Firefox's manifest names (it allows add-on ids, not origins). */
  readonly firefoxLauncherPath: string;
  /** Manifest files, with the browser (or profile) each is for. */
  readonly manifests: readonly HostManifestLocation[];
  /** Browsers left out because their profile folder does not exist, with that folder. */
  readonly skipped: readonly { readonly label: string; readonly folder: string }[];
}

export interface HostLocationsInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** A browser profile started with `--user-data-dir`: the manifest goes into its NativeMessagingHosts folder only. */
  readonly userDataDir?: string;
  /** Register with these browsers even if their profile folder does not exist yet; default: every one that exists. */
  readonly browsers?: readonly BrowserName[];
}

function homeOf(env: Readonly<Record<string, string | undefined>>): string {
  const home = env.HOME;
  if (!home || !isAbsolute(home)) throw new ConnectGuardError('INVALID_INPUT', 'HOME is not set to an absolute path, so the browsers\' folders cannot be found. Set HOME, or pass --user-data-dir.');
  return home;
}

/**
 * The manifest and launcher paths for this user (or one profile). Chromium looks for a host's
 * manifest in `<user data dir>/NativeMessagingHosts/`; a browser started with a custom
 * `--user-data-dir` looks only there (and in the system folder), not in the default profile's.
 */
export function locateHost({ env, platform, userDataDir, browsers }: HostLocationsInput): HostLocations {
  const file = `${COMPANION_HOST_NAME}.json`;
  if (userDataDir !== undefined) {
    if (browsers?.includes('firefox')) {
      throw new ConnectGuardError('INVALID_INPUT', 'Firefox reads host manifests from ~/.mozilla/native-messaging-hosts only, not from a profile folder: leave out --user-data-dir for Firefox.');
    }
    const folder = join(resolve(userDataDir), 'NativeMessagingHosts');
    const path = join(folder, file);
    // The launcher lives beside the manifest: it names this profile's origins, and goes with the profile.
    const launcherPath = join(folder, 'connect-guard-native-host');
    return { launcherPath, firefoxLauncherPath: launcherPath, manifests: [{ label: `profile ${resolve(userDataDir)}`, path, present: true, browser: 'chromium' }], skipped: [] };
  }
  if (platform !== 'linux' && platform !== 'darwin') {
    throw new ConnectGuardError('INVALID_INPUT', `Registering the host on ${platform} is not supported yet (Windows uses the registry). Use Linux or macOS.`);
  }
  const home = homeOf(env);
  const configRoot = platform === 'linux' ? (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config')) : join(home, 'Library', 'Application Support');
  const dataRoot = platform === 'linux' ? (env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(home, '.local', 'share')) : join(home, 'Library', 'Application Support');
  const manifests: HostManifestLocation[] = [];
  const skipped: { label: string; folder: string }[] = [];
  for (const browser of CHROMIUM_BROWSER_NAMES) {
    const profile = join(configRoot, PROFILE_ROOT[platform][browser]);
    const present = existsSync(profile);
    const wanted = browsers ? browsers.includes(browser) : present;
    if (wanted) manifests.push({ label: BROWSER_LABEL[browser], path: join(profile, 'NativeMessagingHosts', file), present, browser });
    else if (!browsers) skipped.push({ label: BROWSER_LABEL[browser], folder: profile });
  }
  // https://developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/Native_manifests#manifest_location
  const firefoxProfile = platform === 'linux' ? join(home, '.mozilla') : join(home, 'Library', 'Application Support', 'Firefox');
  const firefoxHosts = platform === 'linux' ? join(home, '.mozilla', 'native-messaging-hosts') : join(home, 'Library', 'Application Support', 'Mozilla', 'NativeMessagingHosts');
  const firefoxPresent = existsSync(firefoxProfile);
  if (browsers ? browsers.includes('firefox') : firefoxPresent) manifests.push({ label: BROWSER_LABEL.firefox, path: join(firefoxHosts, file), present: firefoxPresent, browser: 'firefox' });
  else if (!browsers) skipped.push({ label: BROWSER_LABEL.firefox, folder: firefoxProfile });
  const launcherFolder = join(dataRoot, 'connect-guard');
  return { launcherPath: join(launcherFolder, 'native-host'), firefoxLauncherPath: join(launcherFolder, 'native-host-firefox'), manifests, skipped };
}

/** Quotes a value for a POSIX shell script. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Node flags the companion runs with: its command's shebang (`#!/usr/bin/env -S node …`, in
 * companion/bin/connect-guard.js and the release's copy) and the hosts' launchers carry them.
 * V8 in Node 22+ lets the young generation grow to 3 × 32 MB under a listing's churn of short-lived
 * entries: a million-key listing then peaks at ≈ 290 MB instead of ≈ 170 MB. 8 MB semi-spaces
 * keep it there at the same speed (bench:list). V8 reads this one only at start-up, so it cannot
 * be set from inside like --heap-growing-percent.
 */
export const COMPANION_NODE_FLAGS = ['--max-semi-space-size=8'] as const;

/** The program the launcher runs: this checkout's bin, with the Node that runs this install. */
export function companionCommand(): { readonly node: string; readonly bin: string } {
  return { node: process.execPath, bin: fileURLToPath(new URL('../../bin/connect-guard.js', import.meta.url)) };
}

/**
 * The launcher script. Browsers start a host with neither a shell profile nor the user's PATH,
 * so node and the companion are named by absolute path; the allowed origins are fixed here
 * rather than read from anything the caller controls.
 */
export function launcherScript(origins: readonly string[], command = companionCommand()): string {
  const allowed = origins.map((origin) => `--allowed-origin ${shellQuote(origin)}`).join(' ');
  return `#!/bin/sh
# Connect Guard native-messaging host, written by "connect-guard install-host".
# The browser appends the caller's origin; the host serves only the origins below.
exec ${shellQuote(command.node)} ${COMPANION_NODE_FLAGS.join(' ')} ${shellQuote(command.bin)} host ${allowed} "$@"
`;
}

/** Firefox's launcher: Firefox appends the manifest's path and the caller's add-on id; the host serves only the ids below. */
export function firefoxLauncherScript(extensionIds: readonly string[], command = companionCommand()): string {
  const allowed = extensionIds.map((id) => `--allowed-extension ${shellQuote(id)}`).join(' ');
  return `#!/bin/sh
# Connect Guard native-messaging host for Firefox, written by "connect-guard install-host".
# Firefox appends the manifest path and the caller's add-on id; the host serves only the ids below.
exec ${shellQuote(command.node)} ${COMPANION_NODE_FLAGS.join(' ')} ${shellQuote(command.bin)} host ${allowed} "$@"
`;
}

export interface InstallHostInput extends HostLocationsInput {
  /** Chromium extension ids allowed to start the host. */
  readonly extensionIds: readonly string[];
  /** Firefox add-on ids allowed to start the host (default: Connect Guard's fixed one). */
  readonly firefoxExtensionIds?: readonly string[];
}

export interface InstallHostOutput {
  readonly launcherPath: string;
  readonly firefoxLauncherPath: string;
  readonly manifestPaths: readonly { readonly label: string; readonly path: string; readonly browser: BrowserName }[];
  readonly skipped: HostLocations['skipped'];
  readonly allowedOrigins: readonly string[];
  readonly allowedExtensions: readonly string[];
}

async function writeLauncher(path: string, script: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, script, { mode: 0o755 });
  // writeFile's mode applies only to a new file; an update keeps the old mode without this.
  await chmod(path, 0o755);
}

async function writeManifest(path: string, manifest: object): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });
}

/** Writes the launchers (mode 755) and a host manifest for each browser or the given profile. */
export async function installHost(input: InstallHostInput): Promise<InstallHostOutput> {
  const firefoxIds = [...new Set(input.firefoxExtensionIds ?? [FIREFOX_EXTENSION_ID])];
  const locations = locateHost(input);
  const chromiumManifests = locations.manifests.filter((manifest) => manifest.browser !== 'firefox');
  const firefoxManifests = locations.manifests.filter((manifest) => manifest.browser === 'firefox');
  if (chromiumManifests.length > 0 && input.extensionIds.length === 0) throw new ConnectGuardError('INVALID_INPUT', 'Give at least one --extension-id.');
  for (const id of input.extensionIds) {
    if (!CHROMIUM_EXTENSION_ID.test(id)) {
      throw new ConnectGuardError('INVALID_INPUT', `"${id}" is not an extension id: it is 32 letters a–p, as shown on chrome://extensions with Developer mode on.`);
    }
  }
  for (const id of firefoxManifests.length > 0 ? firefoxIds : []) {
    if (!GECKO_EXTENSION_ID.test(id)) throw new ConnectGuardError('INVALID_INPUT', `"${id}" is not a Firefox add-on id: it looks like name@domain or {uuid}, as shown on about:debugging.`);
  }
  if (locations.manifests.length === 0) {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `No Chromium, Chrome, Brave, Edge or Firefox profile found (looked for ${locations.skipped.map((skip) => skip.folder).join(', ')}). Start the browser once, or name it with --browser, or give --user-data-dir.`,
    );
  }
  const allowedOrigins = chromiumManifests.length > 0 ? [...new Set(input.extensionIds)].map((id) => `chrome-extension://${id}/`) : [];
  const description = 'Connect Guard companion: previews what connecting WeSendit storage will do to a bucket';
  if (chromiumManifests.length > 0) {
    await writeLauncher(locations.launcherPath, launcherScript(allowedOrigins));
    for (const { path } of chromiumManifests) await writeManifest(path, { name: COMPANION_HOST_NAME, description, path: locations.launcherPath, type: 'stdio', allowed_origins: allowedOrigins });
  }
  if (firefoxManifests.length > 0) {
    await writeLauncher(locations.firefoxLauncherPath, firefoxLauncherScript(firefoxIds));
    for (const { path } of firefoxManifests) await writeManifest(path, { name: COMPANION_HOST_NAME, description, path: locations.firefoxLauncherPath, type: 'stdio', allowed_extensions: firefoxIds });
  }
  return {
    launcherPath: locations.launcherPath,
    firefoxLauncherPath: locations.firefoxLauncherPath,
    manifestPaths: locations.manifests.map(({ label, path, browser }) => ({ label, path, browser })),
    skipped: locations.skipped,
    allowedOrigins,
    allowedExtensions: firefoxManifests.length > 0 ? firefoxIds : [],
  };
}

export interface UninstallHostOutput {
  /** Files removed. */
  readonly removed: readonly string[];
}

/** Removes the host manifests (only ours: named for this host) and the launcher. */
export async function uninstallHost(input: HostLocationsInput): Promise<UninstallHostOutput> {
  const locations = locateHost({ ...input, browsers: input.browsers ?? (input.userDataDir === undefined ? BROWSER_NAMES : CHROMIUM_BROWSER_NAMES) });
  const removed: string[] = [];
  for (const { path } of locations.manifests) {
    if (!existsSync(path)) continue;
    const text = await readFile(path, 'utf8').catch(() => '');
    if (!text.includes(`"${COMPANION_HOST_NAME}"`)) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  for (const launcher of new Set([locations.launcherPath, locations.firefoxLauncherPath])) {
    if (!existsSync(launcher)) continue;
    await rm(launcher, { force: true });
    removed.push(launcher);
  }
  return { removed };
}
