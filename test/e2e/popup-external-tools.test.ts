/**
 * "Set up rclone" from the popup's Storages tab, end to end: the built extension in Chromium, the
 * real companion host over native messaging, real rclone 1.60 and the Ceph gateway. The storage's
 * record goes from the vault to the companion in memory; the popup shows the remote, its config
 * path and that it is encrypted, and the safe commands. Those commands, pasted into a shell as a
 * user would, run the dry run (nothing written) and the upload-only copy: the new file arrives,
 * a same-name changed file in the bucket is not overwritten, nothing is deleted. The Secret Key is
 * in no file under the home folder in plain text. A hostile WeSendit page, even through Connect
 * Guard's own content script world, cannot ask for a setup: FORBIDDEN_SENDER, nothing written.
 * "Set up AWS CLI" refuses a wrong passphrase for external tools, then writes a profile whose
 * printed command lists the bucket with the real AWS CLI.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CDPSession, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { peerEnv, runShell } from '../s3/tool-fixtures.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { choosePopupTab, openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';

const BUCKET = 'usr-48291-itm-00777-tools-e2e';
const STORAGE_NAME = 'Tools e2e';
const REMOTE = 'wesendit-tools-e2e';
const VAULT_PASSPHRASE = 'external tools e2e vault passphrase: copper finch 58';
const TOOL_PASSPHRASE = 'external tools e2e tool passphrase: willow drum 31';
const USER = { uid: 'cg-tools-e2e', accessKeyId: 'CGTOOLSE2E0000000001', secretAccessKey: `cg-tools-e2e-secret-${Date.now().toString(36)}-Qx7` };

let rgw: CephRgw;
let s3: S3Client;
let chromium: ChromiumWithExtension | undefined;
let ui: FakeWeSendit;
let workDir: string;
let home: string;
let popup: Page;

const rcloneConfig = (): string => join(home, '.config', 'rclone', 'rclone.conf');

async function objectText(key: string): Promise<string | undefined> {
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return await got.Body?.transformToString();
  } catch {
    return undefined;
  }
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

async function waitForText(page: Page, text: string, timeout = 60_000): Promise<void> {
  try {
    await page.waitForFunction((wanted) => document.body.innerText.includes(wanted), { timeout, polling: 100 }, text);
  } catch (error) {
    throw new Error(`"${text}" never appeared. The popup shows:\n${await page.evaluate(() => document.body.innerText)}`, { cause: error });
  }
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

beforeAll(async () => {
  ensureSystem(['ceph', 'peers']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-tools-e2e-'));
  home = join(workDir, 'home');
  await mkdir(join(workDir, 'profile'), { recursive: true });
  await mkdir(home, { recursive: true });
  rgw = await startCephRgw({ buckets: [] });
  await rgw.createUser(USER.uid, USER.accessKeyId, USER.secretAccessKey);
  s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'already-there.txt', Body: 'kept as it is' }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'report.txt', Body: 'the bucket version of the report' }));
  ui = await startFakeWeSendit();
  // The companion host inherits this environment from Chromium: a home folder of its own (the
  // launcher points XDG_CONFIG_HOME elsewhere, so the config folders are named here).
  chromium = await launchChromiumWithCompanion(join(workDir, 'profile'), {
    env: { HOME: home, RCLONE_CONFIG: rcloneConfig(), CONNECT_GUARD_CONFIG_DIR: join(home, '.config', 'connect-guard') },
  });

  popup = await openPopup(chromium.browser, chromium.extensionId, 'storages');
  await popup.setViewport({ width: 460, height: 900 });
  await popup.locator('::-p-aria(Vault passphrase)').fill(VAULT_PASSPHRASE);
  await popup.locator('::-p-aria(Confirm passphrase)').fill(VAULT_PASSPHRASE);
  await popup.locator('::-p-aria(Create vault)').click();
  await popup.locator('::-p-aria(Lock vault)').wait();
  const source = { kind: 'direct', connection: { endpoint: rgw.endpoint, bucket: BUCKET, accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey } };
  const saved = await requestFromExtensionFrame(popup.mainFrame(), { type: 'storage.saveConnection', data: { source, storageName: STORAGE_NAME } });
  expect(saved).toMatchObject({ ok: { verified: true } });
  await popup.reload();
  await choosePopupTab(popup, 'Storages');
  await waitForText(popup, 'Saved storages (1)');
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  s3?.destroy();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('"Set up rclone" from the popup, with the companion, rclone 1.60 and Ceph', () => {
  let commands: string[] = [];

  it('writes an encrypted rclone remote through the companion and shows it with the safe commands', async () => {
    await popup.locator(`li[aria-label="${STORAGE_NAME}"] ::-p-aria([name="Set up rclone"][role="button"])`).click();
    await popup.waitForSelector('::-p-aria([role="dialog"])');
    // The first tool creates the tool key file: the passphrase is asked twice.
    await popup.locator('::-p-aria(Confirm passphrase for external tools)').wait();
    await popup.locator('::-p-aria(Passphrase for external tools)').fill(TOOL_PASSPHRASE);
    await popup.locator('::-p-aria(Confirm passphrase for external tools)').fill(TOOL_PASSPHRASE);
    await popup.locator('::-p-aria(Write rclone remote)').click();
    await popup.waitForSelector('[data-tool-written]', { timeout: 120_000 });
    const written = await popup.$eval('[data-tool-written]', (element) => element.textContent ?? '');
    expect(written).toContain(`Wrote the rclone remote “${REMOTE}” (bound to the bucket ${BUCKET}) to ${rcloneConfig()}`);
    expect(written).toContain('The config is encrypted (RCLONE_ENCRYPT_V0)');
    commands = await popup.$$eval('[data-tool-command]', (codes) => codes.map((code) => code.textContent ?? ''));
    expect(commands).toContain(`rclone copy --immutable --checksum --dry-run ./folder-to-upload ${REMOTE}:`);
    expect(commands).toContain(`rclone copy --immutable --checksum --progress ./folder-to-upload ${REMOTE}:`);
    expect(commands.some((command) => /\brclone sync\b/.test(command))).toBe(false);
    await popup.screenshot({ path: join(tmpdir(), 'connect-guard-popup-rclone-setup.png'), fullPage: true });

    const config = await readFile(rcloneConfig(), 'utf8');
    expect(config).toMatch(/^# Encrypted rclone configuration File\n\nRCLONE_ENCRYPT_V0:\n/);
    expect((await stat(rcloneConfig())).mode & 0o077).toBe(0);
    // The Secret Key is in no file under the home folder in plain text.
    for (const file of await filesUnder(home)) expect(await readFile(file, 'utf8'), file).not.toContain(USER.secretAccessKey);
  });

  it('the commands the popup shows, run as a user would: the dry run writes nothing; the copy adds the new file, overwrites and deletes nothing', async () => {
    expect(commands.length).toBeGreaterThan(0);
    const cwd = join(workDir, 'upload');
    await mkdir(join(cwd, 'folder-to-upload'), { recursive: true });
    await writeFile(join(cwd, 'folder-to-upload', 'new-photo.txt'), 'a new file from this computer');
    await writeFile(join(cwd, 'folder-to-upload', 'report.txt'), 'a local report that differs from the bucket');
    const env = peerEnv(home, { CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE });
    const setupLines = commands.filter((command) => command.startsWith('export '));
    const dryRun = commands.find((command) => command.includes('--dry-run')) ?? '';
    const copy = commands.find((command) => command.includes('--progress')) ?? '';

    const dry = await runShell([...setupLines, dryRun], cwd, env);
    expect(dry.stderr).toContain('new-photo.txt: Skipped copy as --dry-run is set');
    expect(dry.stderr).toMatch(/report\.txt: Source and destination exist but do not match: immutable file modified/);
    expect(await objectText('new-photo.txt')).toBeUndefined();

    const copied = await runShell([...setupLines, copy], cwd, env);
    // --immutable names the changed same-name file (in --progress's display) and exits 6; the rest is copied.
    expect(copied.stdout + copied.stderr).toMatch(/report\.txt: Source and destination exist but do not match: immutable file modified/);
    expect(copied.code).toBe(6);
    expect(await objectText('new-photo.txt')).toBe('a new file from this computer');
    expect(await objectText('report.txt')).toBe('the bucket version of the report');
    expect(await objectText('already-there.txt')).toBe('kept as it is');
  });

  it('refuses to overwrite the remote silently: the popup says it exists and replaces it only when ticked', async () => {
    await popup.locator('::-p-aria(Done)').click();
    await popup.locator(`li[aria-label="${STORAGE_NAME}"] ::-p-aria([name="Set up rclone"][role="button"])`).click();
    await popup.locator('::-p-aria(Passphrase for external tools)').fill(TOOL_PASSPHRASE);
    const before = await readFile(rcloneConfig(), 'utf8');
    await popup.locator('::-p-aria(Write rclone remote)').click();
    await waitForText(popup, `rclone remote "${REMOTE}" and "${REMOTE}-s3" exists already`);
    expect(await readFile(rcloneConfig(), 'utf8')).toBe(before);
    await popup.locator(`::-p-aria(Replace the existing rclone remote “${REMOTE}” with this storage)`).click();
    await popup.locator('::-p-aria(Write rclone remote)').click();
    await waitForText(popup, 'It replaced the rclone remote of that name, as you chose.');
    expect(await readFile(rcloneConfig(), 'utf8')).not.toBe(before);
    await popup.locator('::-p-aria(Done)').click();
  });

  it('"Set up AWS CLI": a wrong passphrase for external tools is refused with nothing written; the right one writes a profile whose printed commands reach the bucket', async () => {
    const awsConfig = join(home, '.aws', 'config');
    await popup.locator(`li[aria-label="${STORAGE_NAME}"] ::-p-aria([name="Set up AWS CLI"][role="button"])`).click();
    await popup.locator('::-p-aria(Passphrase for external tools)').fill('not the passphrase for external tools');
    await popup.locator('::-p-aria(Write AWS profile)').click();
    await waitForText(popup, 'The passphrase for external tools is wrong');
    await expect(stat(awsConfig)).rejects.toThrow();

    await popup.locator('::-p-aria(Passphrase for external tools)').fill(TOOL_PASSPHRASE);
    await popup.locator('::-p-aria(Write AWS profile)').click();
    await popup.waitForSelector('[data-tool-written]', { timeout: 120_000 });
    expect(await popup.$eval('[data-tool-written]', (element) => element.textContent ?? '')).toContain(`Wrote the AWS profile “${REMOTE}” to ${awsConfig}. No key is written there in plain text`);
    const config = await readFile(awsConfig, 'utf8');
    expect(config).toContain(`[profile ${REMOTE}]`);
    expect(config).toMatch(/credential_process = .*connect-guard\.js credential-process --tool-keys /);
    expect(config).not.toContain(USER.secretAccessKey);
    const awsCommands = await popup.$$eval('[data-tool-command]', (codes) => codes.map((code) => code.textContent ?? ''));
    expect(awsCommands.some((command) => command.includes('--delete'))).toBe(false);
    const list = awsCommands.find((command) => command.startsWith('aws s3 ls ')) ?? '';
    expect(list).toContain(`--endpoint-url ${rgw.endpoint}`);
    const listing = await runShell([list], workDir, peerEnv(home, { CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE }));
    expect(listing.stderr).toBe('');
    expect(listing.stdout).toContain('already-there.txt');
    await popup.locator('::-p-aria(Done)').click();
  });

  it('attack: a WeSendit page, through Connect Guard’s own content script world, cannot ask for a setup or the list of tools', async () => {
    const before = await readFile(rcloneConfig(), 'utf8');
    const awsBefore = await readFile(join(home, '.aws', 'config'), 'utf8');
    const storageId = await popup.$eval(`li[aria-label="${STORAGE_NAME}"]`, (item) => item.getAttribute('data-storage-id'));
    const page = await chromium!.browser.newPage();
    await page.goto(`${ui.url}/storages`);
    for (const request of [
      { type: 'tools.setup', data: { tool: 'rclone', storageId, toolPassphrase: TOOL_PASSPHRASE, name: 'page-remote' } },
      { type: 'tools.setup', data: { tool: 'rclone', storageId, toolPassphrase: TOOL_PASSPHRASE, replace: true } },
      { type: 'tools.setup', data: { tool: 'aws', storageId, toolPassphrase: TOOL_PASSPHRASE } },
      { type: 'tools.list', data: {} },
    ]) {
      const reply = await inContentScript(page, `chrome.runtime.sendMessage(${JSON.stringify(request)})`);
      expect(reply).toMatchObject({ error: { code: 'FORBIDDEN_SENDER' } });
      expect(JSON.stringify(reply)).not.toContain(USER.secretAccessKey);
    }
    await page.close();
    expect(await readFile(rcloneConfig(), 'utf8')).toBe(before);
    const configDir = join(home, '.config', 'connect-guard');
    expect(JSON.stringify(JSON.parse(await readFile(join(configDir, 'tools.json'), 'utf8')))).not.toContain('page-remote');
    expect(await readFile(join(home, '.aws', 'config'), 'utf8')).toBe(awsBefore);
  });
});
