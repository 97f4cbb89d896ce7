import { DEV_EXTENSION_ID, FIREFOX_EXTENSION_ID } from '../../../shared/extension-identity.ts';
import { UsageError, parseCommandArgs, type CliIo } from '../cli/cli-io.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { BROWSER_NAMES, GECKO_EXTENSION_ID, installHost, uninstallHost, type BrowserName } from './install-host.ts';
import { findInstalledExtensions } from './installed-extensions.ts';

const WHERE_HELP = `Where:
  By default, every browser whose per-user profile folder exists:
    Linux  ~/.config/chromium, ~/.config/google-chrome, ~/.config/BraveSoftware/Brave-Browser, ~/.config/microsoft-edge
    macOS  ~/Library/Application Support/{Chromium, Google/Chrome, BraveSoftware/Brave-Browser, Microsoft Edge}
  each in its NativeMessagingHosts folder, and Firefox (~/.mozilla) in ~/.mozilla/native-messaging-hosts
  (macOS ~/Library/Application Support/Mozilla/NativeMessagingHosts). A browser started with --user-data-dir DIR looks only in
  DIR/NativeMessagingHosts: name that DIR here. Flatpak and Snap browsers cannot start a host outside
  their sandbox: use the browser's Debian/RPM package or the vendor's own build.`;

export const INSTALL_HOST_HELP = `Usage: connect-guard install-host [--browser chromium|chrome|brave|edge|firefox|all]… [--extension-id ID]… [--user-data-dir DIR]

Registers the companion as the native-messaging host of the Connect Guard extension, so the
extension can preview a connect without the secret ever touching disk or a network port. Writes a
launcher script and the host manifest (com.connect_guard.companion.json), and prints their paths.

Options:
  --extension-id ID     the extension allowed to start the host (repeatable): a Chromium id (32 letters a–p,
                        from chrome://extensions) or a Firefox add-on id. Default: the id of every Connect
                        Guard install found in the Chromium browsers' profiles (a store build's id comes from
                        the store; when none is found, the development build ${DEV_EXTENSION_ID}), and
                        Connect Guard's Firefox add-on id ${FIREFOX_EXTENSION_ID}
  --browser NAME        ${BROWSER_NAMES.join(', ')} or all: register with this browser even if its profile folder does not exist yet (repeatable)
  --user-data-dir DIR   register for the browser profile in DIR only
  -h, --help            this help

${WHERE_HELP}
`;

export const UNINSTALL_HOST_HELP = `Usage: connect-guard uninstall-host [--user-data-dir DIR]

Removes the host manifests written by install-host (from every browser folder, or from the profile
DIR) and the launcher script, and prints what it removed.

Options:
  --user-data-dir DIR   remove the registration of the browser profile in DIR only
  -h, --help            this help
`;

function isBrowserName(value: string): value is BrowserName {
  return BROWSER_NAMES.some((name) => name === value);
}

function parseBrowsers(values: readonly string[] | undefined): BrowserName[] | undefined {
  if (!values || values.length === 0) return undefined;
  if (values.some((value) => value.toLowerCase() === 'all')) return [...BROWSER_NAMES];
  return values.map((value) => {
    const name = value.toLowerCase();
    if (!isBrowserName(name)) throw new UsageError(`--browser must be one of ${BROWSER_NAMES.join(', ')} or all (got "${value}").`, 'install-host');
    return name;
  });
}

/** `connect-guard install-host`: writes launcher and manifests, says where. */
export async function runInstallHostCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('install-host', args, {
    'extension-id': { type: 'string', multiple: true },
    browser: { type: 'string', multiple: true },
    'user-data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(INSTALL_HOST_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`, 'install-host');
  const browsers = parseBrowsers(values.browser);
  const userDataDir = values['user-data-dir'];
  const where = { env: io.env, platform: process.platform, ...(userDataDir === undefined ? {} : { userDataDir }), ...(browsers ? { browsers } : {}) };
  const lines: string[] = [];
  const ids = values['extension-id'] ?? [];
  // Firefox add-on ids look like name@domain or {uuid}; everything else is taken for a Chromium id (and checked as one).
  const firefoxIds = ids.filter((id) => GECKO_EXTENSION_ID.test(id));
  let chromiumIds = ids.filter((id) => !GECKO_EXTENSION_ID.test(id));
  if (values['extension-id'] === undefined) {
    const installed = await findInstalledExtensions(where);
    for (const install of installed) lines.push(`Found Connect Guard in ${install.browser} (${install.profile}) as ${install.id}`);
    chromiumIds = [...new Set(installed.map((install) => install.id))];
    if (chromiumIds.length === 0) {
      lines.push(`No Connect Guard install found in the Chromium browsers' profiles: registering the development build's id ${DEV_EXTENSION_ID}. Install the extension first and run install-host again, or pass --extension-id ID (shown on chrome://extensions).`);
      chromiumIds = [DEV_EXTENSION_ID];
    }
  }
  const result = await installHost({
    ...where,
    extensionIds: chromiumIds.length > 0 ? chromiumIds : [DEV_EXTENSION_ID],
    firefoxExtensionIds: firefoxIds.length > 0 ? firefoxIds : [FIREFOX_EXTENSION_ID],
  });
  if (result.allowedOrigins.length > 0) lines.push(`Wrote launcher ${result.launcherPath} (mode 755; serves ${result.allowedOrigins.join(', ')})`);
  if (result.allowedExtensions.length > 0) lines.push(`Wrote launcher ${result.firefoxLauncherPath} (mode 755; serves the Firefox add-on ${result.allowedExtensions.join(', ')})`);
  for (const manifest of result.manifestPaths) lines.push(`Wrote host manifest ${manifest.path} (${manifest.label})`);
  for (const skip of result.skipped) lines.push(`Skipped ${skip.label}: no profile at ${skip.folder} (start it once, or pass --browser)`);
  lines.push('Restart the browser if the extension reports the companion as missing. Flatpak and Snap browsers cannot start the host.');
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/** `connect-guard uninstall-host`: removes launcher and manifests, says which. */
export async function runUninstallHostCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('uninstall-host', args, {
    'user-data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(UNINSTALL_HOST_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`, 'uninstall-host');
  const userDataDir = values['user-data-dir'];
  const { removed } = await uninstallHost({ env: io.env, platform: process.platform, ...(userDataDir === undefined ? {} : { userDataDir }) });
  io.stdout.write(removed.length === 0 ? 'Nothing to remove: the host is not registered here.\n' : `${removed.map((path) => `Removed ${path}`).join('\n')}\n`);
  return EXIT.ok;
}
