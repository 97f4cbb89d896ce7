/**
 * Demo step: the Secret Key the gate saved goes on to the user's password manager. From the
 * popup's Storages tab, "Export to KeePass" writes an encrypted KDBX 4 file (read back and
 * verified by the extension before it is handed out), and Debian's keepassxc-cli opens it.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { choosePopupTab, openPopup } from '../../support/chromium.ts';
import { chromiumOf, screenshot, type DemoContext, type DemoStep } from '../demo-context.ts';
import { DEMO_STORAGE_NAME } from '../demo-data.ts';

/** The demo file's passphrase: printed, because the file holds only the demo's fake keys. */
export const DEMO_KEEPASS_PASSPHRASE = 'demo keepass file: seven quiet lanterns';

async function waitForDownload(folder: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const names = await readdir(folder);
    const done = names.find((name) => name.endsWith('.kdbx'));
    if (done && !names.some((name) => name.endsWith('.crdownload'))) return join(folder, done);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No KeePass file arrived in ${folder}.`);
}

export const keepassExportStep: DemoStep = {
  chromiumOnly: true,
  title: 'Hand the Secret Key to KeePass: "Export to KeePass" in the popup writes an encrypted KDBX 4 file; keepassxc-cli opens it',
  async run(context: DemoContext) {
    const downloads = join(context.shotsDir, 'handoff');
    await mkdir(downloads, { recursive: true });
    const chromium = chromiumOf(context);
    const session = await chromium.browser.target().createCDPSession();
    await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    const popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
    await popup.setViewport({ width: 1280, height: 800 });
    await popup.bringToFront();
    context.page = popup;
    await choosePopupTab(popup, 'Storages');
    await popup.locator(`li[aria-label="${DEMO_STORAGE_NAME}"] ::-p-aria([name="Export to KeePass"][role="button"])`).click();
    await popup.waitForSelector('::-p-aria([role="dialog"])');
    await popup.locator('::-p-aria(File passphrase)').fill(DEMO_KEEPASS_PASSPHRASE);
    await popup.locator('::-p-aria(Confirm file passphrase)').fill(DEMO_KEEPASS_PASSPHRASE);
    await popup.locator('::-p-aria(Create encrypted file)').click();
    await popup.waitForFunction(() => document.body.innerText.includes('read back and verified'), { timeout: 120_000 });
    const file = await waitForDownload(downloads);
    await screenshot(context, 'keepass-export');
    await popup.locator('::-p-aria(Done)').click();
    // The passphrase goes to keepassxc-cli on stdin (its first line), never on the command line.
    const info = spawnSync('/usr/bin/keepassxc-cli', ['db-info', '-q', file], { input: `${DEMO_KEEPASS_PASSPHRASE}\n`, encoding: 'utf8', timeout: 60_000 });
    if (info.status !== 0) throw new Error(`keepassxc-cli could not open ${file}: ${info.stderr}`);
    const kdf = /KDF: (.*)/.exec(info.stdout)?.[1] ?? 'unknown KDF';
    const entries = /Number of entries: (\d+)/.exec(info.stdout)?.[1] ?? '?';
    return `${relative(process.cwd(), file)}: keepassxc-cli opens it (${kdf}; ${entries} entry), passphrase "${DEMO_KEEPASS_PASSPHRASE}"`;
  },
};
