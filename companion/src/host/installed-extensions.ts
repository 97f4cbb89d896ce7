/**
 * Finds where Connect Guard is installed in Chromium-family browsers, and with which id: a store
 * build's id comes from the store, an unpacked build's from its folder or key, so the host
 * manifest (`allowed_origins`) can only be right when it names the id actually installed.
 *
 * Each profile (`Default`, `Profile 1`, …) of a browser's user data folder keeps its extensions in
 * `Preferences` and `Secure Preferences` under `extensions.settings`: id → settings, with the
 * manifest (store installs) or the folder it was loaded from (unpacked, `path`). An extension is
 * Connect Guard when its manifest's name is "Connect Guard" or its key is the development key.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { DEV_EXTENSION_KEY } from '../../../shared/extension-identity.ts';
import { COMPANION_HOST_NAME } from '../../../shared/protocol/companion-protocol.ts';
import { locateHost, type HostLocationsInput } from './install-host.ts';

export const EXTENSION_NAME = 'Connect Guard';
const EXTENSION_ID = /^[a-p]{32}$/;
const PREFERENCE_FILES = ['Secure Preferences', 'Preferences'];

export interface InstalledExtension {
  /** The browser (or profile folder) it is installed in, as install-host names it. */
  readonly browser: string;
  /** The browser's user data folder (holding NativeMessagingHosts/). */
  readonly userDataDir: string;
  /** The profile folder's name: Default, Profile 1, … */
  readonly profile: string;
  readonly id: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function isOurs(manifest: Record<string, unknown> | undefined): boolean {
  return manifest !== undefined && (manifest.name === EXTENSION_NAME || manifest.key === DEV_EXTENSION_KEY);
}

/** The manifest of one extension's settings: stored in them, or read from the folder it was loaded from. */
async function manifestOf(profileFolder: string, settings: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const stored = record(settings.manifest);
  if (stored) return stored;
  if (typeof settings.path !== 'string' || settings.path === '') return undefined;
  // Unpacked: an absolute folder; from the store: `<id>/<version>` under the profile's Extensions folder.
  const folder = isAbsolute(settings.path) ? settings.path : join(profileFolder, 'Extensions', settings.path);
  return record(await readJson(join(folder, 'manifest.json')));
}

/** Connect Guard's ids in one user data folder, profile by profile. */
async function findInUserDataDir(browser: string, userDataDir: string): Promise<InstalledExtension[]> {
  let names: string[];
  try {
    names = (await readdir(userDataDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
  const found: InstalledExtension[] = [];
  for (const profile of names.sort()) {
    const profileFolder = join(userDataDir, profile);
    const ids = new Set<string>();
    for (const file of PREFERENCE_FILES) {
      const path = join(profileFolder, file);
      if (!existsSync(path)) continue;
      const settings = record(record(record(await readJson(path))?.extensions)?.settings);
      for (const [id, value] of Object.entries(settings ?? {})) {
        const extension = record(value);
        if (EXTENSION_ID.test(id) && extension && !ids.has(id) && isOurs(await manifestOf(profileFolder, extension))) ids.add(id);
      }
    }
    for (const id of ids) found.push({ browser, userDataDir, profile, id });
  }
  return found;
}

/** Every install of Connect Guard in the browsers install-host registers with (or in one profile folder). */
export async function findInstalledExtensions(input: HostLocationsInput): Promise<InstalledExtension[]> {
  const locations = locateHost(input);
  const found: InstalledExtension[] = [];
  for (const manifest of locations.manifests) {
    const userDataDir = dirname(dirname(manifest.path));
    found.push(...(await findInUserDataDir(manifest.label, userDataDir)));
  }
  return found;
}

export type HostRegistrationStatus = 'pass' | 'warn' | 'fail';

export interface HostRegistrationFinding {
  readonly status: HostRegistrationStatus;
  readonly browser: string;
  readonly message: string;
}

/**
 * Whether each browser with Connect Guard installed can start the companion: its host manifest
 * exists and its `allowed_origins` (and the launcher's) name an installed id. A manifest written
 * for another id (the development build's, say) makes the browser refuse with "Access to the
 * specified native messaging host is forbidden".
 */
export async function checkHostRegistration(input: HostLocationsInput): Promise<HostRegistrationFinding[]> {
  const locations = locateHost(input);
  const installed = await findInstalledExtensions(input);
  const findings: HostRegistrationFinding[] = [];
  for (const manifest of locations.manifests) {
    const userDataDir = dirname(dirname(manifest.path));
    const ids = [...new Set(installed.filter((install) => install.userDataDir === userDataDir).map((install) => install.id))];
    if (ids.length === 0) continue;
    const fix = `Run "connect-guard install-host" (it finds the installed id), or "connect-guard install-host --extension-id ${ids[0] ?? ''}".`;
    const parsed = record(await readJson(manifest.path));
    if (!parsed) {
      findings.push({ status: 'fail', browser: manifest.label, message: `${manifest.label}: Connect Guard is installed (id ${ids.join(', ')}) but no host manifest ${COMPANION_HOST_NAME}.json is at ${manifest.path}, so the extension cannot start the companion. ${fix}` });
      continue;
    }
    const allowed = Array.isArray(parsed.allowed_origins) ? parsed.allowed_origins.filter((origin): origin is string => typeof origin === 'string') : [];
    const missing = ids.filter((id) => !allowed.includes(`chrome-extension://${id}/`));
    if (missing.length > 0) {
      findings.push({
        status: 'fail',
        browser: manifest.label,
        message: `${manifest.label}: the host manifest ${manifest.path} allows ${allowed.join(', ') || 'no extension'}, but Connect Guard is installed there as ${missing.map((id) => `chrome-extension://${id}/`).join(', ')}: the browser refuses to start the companion for it ("Access to the specified native messaging host is forbidden"). ${fix}`,
      });
      continue;
    }
    const launcher = typeof parsed.path === 'string' ? await readFile(parsed.path, 'utf8').catch(() => undefined) : undefined;
    const notServed = launcher === undefined ? ids : ids.filter((id) => !launcher.includes(`chrome-extension://${id}/`));
    if (notServed.length > 0) {
      findings.push({ status: 'fail', browser: manifest.label, message: `${manifest.label}: the launcher ${String(parsed.path)} ${launcher === undefined ? 'is missing' : `does not serve ${notServed.join(', ')}`}. ${fix}` });
      continue;
    }
    findings.push({ status: 'pass', browser: manifest.label, message: `${manifest.label}: the companion is registered for Connect Guard (${ids.join(', ')}).` });
  }
  return findings;
}
