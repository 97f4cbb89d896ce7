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
