import { installHost } from '../../companion/src/host/install-host.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { launchChromiumWithExtension, type ChromiumWithExtension, type LaunchOptions } from './chromium.ts';

/**
 * Registers the real companion host for the profile in `profileDir` (as `connect-guard
 * install-host` does for the user) and launches Chromium with the built extension on it, so the
 * background reaches the companion over native messaging.
 */
export async function launchChromiumWithCompanion(profileDir: string, options: Omit<LaunchOptions, 'userDataDir'> = {}): Promise<ChromiumWithExtension> {
  await installHost({ env: process.env, platform: process.platform, extensionIds: [DEV_EXTENSION_ID], userDataDir: profileDir });
  return launchChromiumWithExtension({ ...options, userDataDir: profileDir });
}
