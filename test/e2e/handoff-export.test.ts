/**
 * The hand-off to a password manager in real Chromium with the built extension: from the popup's
 * Storages tab, one storage goes to KeePass and all go to Bitwarden; the downloaded files are
 * opened by keepassxc-cli and by the independent Bitwarden reader. So kdbxweb, hash-wasm's Argon2id
 * and WebCrypto are proven inside the MV3 service worker under the extension's CSP. A hostile
 * WeSendit page, through Connect Guard's own content script world, cannot trigger an export.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { createMemoryVaultStore } from '../../shared/vault-format/memory-vault-store.ts';
import { VaultService } from '../../shared/vault-format/vault-service.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
// @ts-expect-error -- a plain .mjs fixture without types, independent of the TypeScript writer.
import { readBitwardenExport } from '../fixtures/read-bitwarden-export.mjs';
import { choosePopupTab, launchChromiumWithExtension, openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';

const KEEPASSXC_CLI = '/usr/bin/keepassxc-cli';
const VAULT_PASSPHRASE = 'hand-off e2e vault passphrase: slate heron 42';
const FILE_PASSPHRASE = 'hand-off e2e file passphrase: seven quiet lanterns';
const STAMP = Date.now().toString(36);

const NAS: StorageCredentials = {
  storageName: 'NAS backup',
  permissions: 'Read & Write',
  allowedIps: '203.0.113.7, 198.51.100.0/24',
  serverAddress: 'https://s3.wesendit.example',
  bucketName: 'usr-48291-itm-00384-nas-to-wsi-backup',
  accessKey: 'CGTESTHANDOFF0000001',
  secretKey: `cgtest-secret-handoff-nas-${STAMP}-Zr8/Kq+w`,
};
const ARCHIVE: StorageCredentials = {
  storageName: 'Archive',
  permissions: 'Read Only',
  allowedIps: '',
  serverAddress: 'https://s3.eu.wesendit.example',
  bucketName: 'usr-48291-itm-00385-archive',
  accessKey: 'CGTESTHANDOFF0000002',
  secretKey: `cgtest-secret-handoff-archive-${STAMP}-Pm3`,
};

let chromium: ChromiumWithExtension;
let ui: FakeWeSendit;
let popup: Page;
let downloads = '';

/** Waits until `count` finished files are in the download folder (Chromium writes `.crdownload` first). */
async function downloadedFiles(count: number): Promise<string[]> {
  for (let i = 0; i < 600; i++) {
    const names = (await readdir(downloads)).filter((name) => !name.endsWith('.crdownload'));
    if (names.length >= count && !(await readdir(downloads)).some((name) => name.endsWith('.crdownload'))) return names.sort();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No download arrived in ${downloads}: ${(await readdir(downloads)).join(', ')}`);
}

function keepassxc(args: readonly string[], passphrase: string): { status: number | null; stdout: string; stderr: string } {
  // The passphrase goes on stdin (keepassxc-cli reads its first line), never on the command line.
  const result = spawnSync(KEEPASSXC_CLI, args, { input: `${passphrase}\n`, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Evaluates `expression` in Connect Guard's content script world of `page` (what a compromised content script could run). */
async function inContentScript(page: Page, expression: string): Promise<unknown> {
  const session: CDPSession = await page.createCDPSession();
  const contexts: { id: number; name: string; auxData?: { type?: string } }[] = [];
  session.on('Runtime.executionContextCreated', (event: { context: { id: number; name: string; auxData?: { type?: string } } }) => contexts.push(event.context));
  await session.send('Runtime.enable');
  const world = contexts.find((context) => context.auxData?.type === 'isolated' && context.name === 'Connect Guard');
  if (!world) throw new Error(`No Connect Guard content script world among ${contexts.map((context) => context.name).join(', ')}`);
  const { result, exceptionDetails } = await session.send('Runtime.evaluate', { expression, contextId: world.id, awaitPromise: true, returnByValue: true });
  await session.detach();
  if (exceptionDetails) return { threw: exceptionDetails.exception?.description ?? exceptionDetails.text };
  return result.value;
}

/** The storage's item in the popup's list. */
function storageItem(name: string): string {
  return `li[aria-label="${name}"]`;
}

async function exportFrom(scopeSelector: string, button: 'Export to KeePass' | 'Export to Bitwarden'): Promise<string> {
  await popup.locator(`${scopeSelector} ::-p-aria([name="${button}"][role="button"])`).click();
  await popup.waitForSelector('::-p-aria([role="dialog"])');
  const kdf = await popup.$eval('[data-handoff-kdf]', (element) => element.textContent ?? '');
  await popup.locator('::-p-aria(File passphrase)').fill(FILE_PASSPHRASE);
  await popup.locator('::-p-aria(Confirm file passphrase)').fill(FILE_PASSPHRASE);
  await popup.locator('::-p-aria(Create encrypted file)').click();
  await popup.waitForFunction(() => document.body.innerText.includes('read back and verified'), { timeout: 60_000 });
  await popup.locator('::-p-aria(Done)').click();
  return kdf;
}

beforeAll(async () => {
  if (!existsSync(KEEPASSXC_CLI)) throw new Error(`keepassxc-cli is missing. Run \`tsx test/support/ensure-system.ts keepassxc\`.`);
  downloads = await mkdtemp(join(tmpdir(), 'connect-guard-handoff-downloads-'));
  const source = new VaultService(createMemoryVaultStore());
  await source.create(VAULT_PASSPHRASE);
  await source.saveStorage(NAS);
  await source.saveStorage(ARCHIVE);
  const { text } = await source.exportVault();

  ui = await startFakeWeSendit();
  chromium = await launchChromiumWithExtension();
  const session = await chromium.browser.target().createCDPSession();
  await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, eventsEnabled: true });
  popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
  await popup.locator('::-p-aria(Vault passphrase)').fill(VAULT_PASSPHRASE);
  await popup.locator('::-p-aria(Confirm passphrase)').fill(VAULT_PASSPHRASE);
  await popup.locator('::-p-aria(Create vault)').click();
  await popup.locator('::-p-aria(Lock vault)').wait();
  expect(await requestFromExtensionFrame(popup.mainFrame(), { type: 'vault.import', data: { text, passphrase: VAULT_PASSPHRASE } })).toEqual({ ok: { imported: 2, updated: 0 } });
  await popup.reload();
  await choosePopupTab(popup, 'Storages');
  await popup.waitForFunction(() => document.body.innerText.includes('Saved storages (2)'), { timeout: 20_000 });
});

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  if (downloads !== '') await rm(downloads, { recursive: true, force: true });
});

describe('hand-off to a password manager, from the popup', () => {
  it('exports one storage to KeePass; keepassxc-cli opens the downloaded file and finds every field', async () => {
    const kdf = await exportFrom(storageItem('NAS backup'), 'Export to KeePass');
    expect(kdf).toContain('Argon2id, 64 MiB, 3 passes, parallelism 4; AES-256 (KDBX 4)');
    const [name] = await downloadedFiles(1);
    expect(name).toMatch(/^connect-guard-keepass-nas-backup-\d{4}-\d{2}-\d{2}\.kdbx$/);
    const file = join(downloads, name ?? '');

    const info = keepassxc(['db-info', '-q', file], FILE_PASSPHRASE);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toContain('KDF: Argon2id (3 rounds, 65536 KB)');
    expect(info.stdout).toContain('Number of entries: 1');

    const shown = keepassxc(['show', '-q', '--all', '-s', file, 'NAS backup'], FILE_PASSPHRASE);
    expect(shown.status, shown.stderr).toBe(0);
    for (const line of [
      `Title: ${NAS.storageName}`,
      `UserName: ${NAS.accessKey}`,
      `Password: ${NAS.secretKey}`,
      `URL: ${NAS.serverAddress}`,
      `S3 API Bucket Name: ${NAS.bucketName}`,
      `Permissions: ${NAS.permissions}`,
      `Allowed IP addresses: ${NAS.allowedIps}`,
    ]) {
      expect(shown.stdout.split('\n')).toContain(line);
    }
    expect(shown.stdout).not.toContain(ARCHIVE.secretKey);

    const wrong = keepassxc(['show', '-q', '--all', '-s', file, 'NAS backup'], VAULT_PASSPHRASE);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).not.toContain(NAS.secretKey);
  });

  it('exports all storages to Bitwarden; the independent reader opens the downloaded file', async () => {
    const kdf = await exportFrom('.handoff-all', 'Export to Bitwarden');
    expect(kdf).toContain('Argon2id, 64 MiB, 3 passes, parallelism 4; AES-256-CBC + HMAC-SHA256');
    const names = await downloadedFiles(2);
    const name = names.find((candidate) => candidate.endsWith('.json'));
    expect(name).toMatch(/^connect-guard-bitwarden-encrypted-storages-\d{4}-\d{2}-\d{2}\.json$/);
    const text = await readFile(join(downloads, name ?? ''), 'utf8');
    expect(text).not.toContain(NAS.secretKey);
    expect(JSON.parse(text)).toMatchObject({ encrypted: true, passwordProtected: true, kdfType: 1, kdfIterations: 3, kdfMemory: 64, kdfParallelism: 4 });
    const plain: { items: { name: string; login: { username: string; password: string; uris: { uri: string }[] }; fields: { name: string; value: string }[] }[] } = await readBitwardenExport(
      text,
      FILE_PASSPHRASE,
    );
    const byName = new Map(plain.items.map((item) => [item.name, item]));
    for (const storage of [NAS, ARCHIVE]) {
      const item = byName.get(storage.storageName);
      expect(item?.login).toMatchObject({ username: storage.accessKey, password: storage.secretKey, uris: [{ uri: storage.serverAddress }] });
      expect(item?.fields).toEqual([
        expect.objectContaining({ name: 'S3 API Bucket Name', value: storage.bucketName }),
        expect.objectContaining({ name: 'Permissions', value: storage.permissions }),
        expect.objectContaining({ name: 'Allowed IP addresses', value: storage.allowedIps }),
      ]);
    }
    await expect(readBitwardenExport(text, VAULT_PASSPHRASE)).rejects.toThrow('Invalid file password');
  });

  it('a hostile WeSendit page cannot trigger an export: its scripts have no extension API, and Connect Guard’s content script world gets FORBIDDEN_SENDER', async () => {
    const before = (await readdir(downloads)).sort();
    const page = await chromium.browser.newPage();
    await page.goto(`${ui.url}/storages`);
    const request = { type: 'handoff.export', data: { format: 'keepass', scope: { kind: 'all' }, passphrase: FILE_PASSPHRASE, confirmation: FILE_PASSPHRASE } };
    // The page's own scripts: no runtime to reach the extension with.
    const fromPage = await page.evaluate(
      async (extensionId, message) => {
        const runtime: { sendMessage?: (id: string, message: unknown) => Promise<unknown> } | undefined = Reflect.get(Reflect.get(globalThis, 'chrome') ?? {}, 'runtime');
        if (runtime?.sendMessage === undefined) return 'no runtime';
        return runtime.sendMessage(extensionId, message).then(
          (reply) => reply ?? 'no answer',
          (error: unknown) => `refused: ${String(error)}`,
        );
      },
      chromium.extensionId,
      request,
    );
    expect(JSON.stringify(fromPage)).not.toContain('"ok"');
    // What a page that subverts Connect Guard's content script could send.
    const fromContent = await inContentScript(page, `chrome.runtime.sendMessage(${JSON.stringify(request)})`);
    expect(fromContent).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
    expect(JSON.stringify(fromContent)).not.toContain(NAS.secretKey);
    await page.close();
    expect((await readdir(downloads)).sort()).toEqual(before);
  });
});
