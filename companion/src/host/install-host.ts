import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectGuardError } from '../../../shared/errors.ts';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';

export type BrowserName = 'chromium' | 'chrome' | 'brave' | 'edge';

export const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'chrome', 'brave', 'edge'];

const BROWSER_LABEL: Record<BrowserName, string> = { chromium: 'Chromium', chrome: 'Google Chrome', brave: 'Brave', edge: 'Microsoft Edge' };

/** Per-user profile roots, relative to ~/.config (Linux) and ~/Library/Application Support (macOS). */
const PROFILE_ROOT: Record<'linux' | 'darwin', Record<BrowserName, string>> = {
  linux: { chromium: 'chromium', chrome: 'google-chrome', brave: 'BraveSoftware/Brave-Browser', edge: 'microsoft-edge' },
  darwin: { chromium: 'Chromium', chrome: 'Google/Chrome', brave: 'BraveSoftware/Brave-Browser', edge: 'Microsoft Edge' },
};

const EXTENSION_ID = /^[a-p]{32}$/;

/** Where the host is registered and what it runs. */
export interface HostLocations {
  readonly launcherPath: string;
  /** Manifest files, with the browser (or profile) each is for. */
  readonly manifests: readonly { readonly label: string; readonly path: string; readonly present: boolean }[];
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
    const folder = join(resolve(userDataDir), 'NativeMessagingHosts');
    const path = join(folder, file);
    // The launcher lives beside the manifest: it names this profile's origins, and goes with the profile.
    return { launcherPath: join(folder, 'connect-guard-native-host'), manifests: [{ label: `profile ${resolve(userDataDir)}`, path, present: true }], skipped: [] };
  }
  if (platform !== 'linux' && platform !== 'darwin') {
    throw new ConnectGuardError('INVALID_INPUT', `Registering the host on ${platform} is not supported yet (Windows uses the registry). Use Linux or macOS.`);
  }
  const home = homeOf(env);
  const configRoot = platform === 'linux' ? (env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config')) : join(home, 'Library', 'Application Support');
  const dataRoot = platform === 'linux' ? (env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(home, '.local', 'share')) : join(home, 'Library', 'Application Support');
  const manifests: { label: string; path: string; present: boolean }[] = [];
  const skipped: { label: string; folder: string }[] = [];
  for (const browser of BROWSER_NAMES) {
    const profile = join(configRoot, PROFILE_ROOT[platform][browser]);
    const present = existsSync(profile);
    const wanted = browsers ? browsers.includes(browser) : present;
    if (wanted) manifests.push({ label: BROWSER_LABEL[browser], path: join(profile, 'NativeMessagingHosts', file), present });
    else if (!browsers) skipped.push({ label: BROWSER_LABEL[browser], folder: profile });
  }
  return { launcherPath: join(dataRoot, 'connect-guard', 'native-host'), manifests, skipped };
}

/** Quotes a value for a POSIX shell script. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

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
exec ${shellQuote(command.node)} ${shellQuote(command.bin)} host ${allowed} "$@"
`;
}

export interface InstallHostInput extends HostLocationsInput {
  /** Extension ids allowed to start the host. */
  readonly extensionIds: readonly string[];
}

export interface InstallHostOutput {
  readonly launcherPath: string;
  readonly manifestPaths: readonly { readonly label: string; readonly path: string }[];
  readonly skipped: HostLocations['skipped'];
  readonly allowedOrigins: readonly string[];
}

/** Writes the launcher (mode 755) and a host manifest for each browser or the given profile. */
export async function installHost(input: InstallHostInput): Promise<InstallHostOutput> {
  if (input.extensionIds.length === 0) throw new ConnectGuardError('INVALID_INPUT', 'Give at least one --extension-id.');
  for (const id of input.extensionIds) {
    if (!EXTENSION_ID.test(id)) {
      throw new ConnectGuardError('INVALID_INPUT', `"${id}" is not an extension id: it is 32 letters a–p, as shown on chrome://extensions with Developer mode on.`);
    }
  }
  const locations = locateHost(input);
  if (locations.manifests.length === 0) {
    throw new ConnectGuardError(
      'INVALID_INPUT',
      `No Chromium, Chrome, Brave or Edge profile found (looked for ${locations.skipped.map((skip) => skip.folder).join(', ')}). Start the browser once, or name it with --browser, or give --user-data-dir.`,
    );
  }
  const allowedOrigins = [...new Set(input.extensionIds)].map((id) => `chrome-extension://${id}/`);
  await mkdir(dirname(locations.launcherPath), { recursive: true });
  await writeFile(locations.launcherPath, launcherScript(allowedOrigins), { mode: 0o755 });
  // writeFile's mode applies only to a new file; an update keeps the old mode without this.
  await chmod(locations.launcherPath, 0o755);
  const manifest = `${JSON.stringify(
    {
      name: COMPANION_HOST_NAME,
      description: 'Connect Guard companion: previews what connecting WeSendit storage will do to a bucket',
      path: locations.launcherPath,
      type: 'stdio',
      allowed_origins: allowedOrigins,
    },
    null,
    2,
  )}\n`;
  for (const { path } of locations.manifests) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, manifest, { mode: 0o644 });
  }
  return { launcherPath: locations.launcherPath, manifestPaths: locations.manifests.map(({ label, path }) => ({ label, path })), skipped: locations.skipped, allowedOrigins };
}

export interface UninstallHostOutput {
  /** Files removed. */
  readonly removed: readonly string[];
}

/** Removes the host manifests (only ours: named for this host) and the launcher. */
export async function uninstallHost(input: HostLocationsInput): Promise<UninstallHostOutput> {
  const locations = locateHost({ ...input, browsers: input.browsers ?? BROWSER_NAMES });
  const removed: string[] = [];
  for (const { path } of locations.manifests) {
    if (!existsSync(path)) continue;
    const text = await readFile(path, 'utf8').catch(() => '');
    if (!text.includes(`"${COMPANION_HOST_NAME}"`)) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  if (existsSync(locations.launcherPath)) {
    await rm(locations.launcherPath, { force: true });
    removed.push(locations.launcherPath);
  }
  return { removed };
}
