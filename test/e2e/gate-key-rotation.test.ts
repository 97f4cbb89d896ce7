/**
 * A lost or rotated key, end to end: the built extension in Chromium, the real companion host,
 * real rclone 1.60 and AWS CLI, the Ceph gateway. The gate saves a storage from the fake
 * WeSendit's credentials dialog; rclone and the AWS CLI are set up for it through the companion.
 * Ceph then gets a second key for the user and WeSendit shows it for the same storage: after the
 * verified save, the gate's prompt says the old key stops working and lists both tools; the first
 * key is removed (it no longer works); "Update external tools" gives them the new pair, and the
 * prompt shows each one's check against Ceph. The tools then work with the first key gone.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageCredentials } from '../../shared/credentials.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { CLI_BIN, peerEnv, run } from '../s3/tool-fixtures.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { openPopup, requestFromExtensionFrame, waitForGateFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';

const exec = promisify(execFile);
const STAMP = Date.now().toString(36);
const BUCKET = 'usr-48291-itm-00778-rotation';
const VAULT_PASSPHRASE = 'rotation e2e vault passphrase: harbor lamp 64';
const TOOL_PASSPHRASE = 'rotation e2e tool passphrase: cedar bell 29';
const UID = 'cg-rotation-e2e';
const FIRST = { accessKey: 'CGROTATIONFIRST00001', secretKey: `cg-rotation-first-${STAMP}-Lp2` };
const SECOND = { accessKey: 'CGROTATIONSECOND0001', secretKey: `cg-rotation-second-${STAMP}-Vn8` };
const NAME = 'wesendit-nas-rotation';

let rgw: CephRgw;
let chromium: ChromiumWithExtension | undefined;
let ui: FakeWeSendit;
let workDir: string;
let home: string;
let issued: StorageCredentials;

const admin = (args: readonly string[]) => exec('timeout', ['30', 'radosgw-admin', '-c', join(rgw.dir, 'ceph.conf'), ...args]);
const toolEnv = (): Record<string, string> =>
  peerEnv(home, { RCLONE_CONFIG: join(home, '.config', 'rclone', 'rclone.conf'), CONNECT_GUARD_TOOL_PASSPHRASE: TOOL_PASSPHRASE });

/** rclone through the remote and aws through the profile, as the user runs them. */
async function toolsList(): Promise<{ rclone: number; aws: number }> {
  const env = toolEnv();
  const rcloneRun = await run('/usr/bin/rclone', ['lsf', '--low-level-retries', '1', '--retries', '1', `${NAME}:`], { env: { ...env, RCLONE_PASSWORD_COMMAND: `${process.execPath} ${CLI_BIN} rclone-config-password --tool-keys ${join(home, '.config', 'connect-guard', 'tool-keys.json')}` } });
  const awsRun = await run('/usr/bin/aws', ['s3api', 'list-objects-v2', '--bucket', BUCKET, '--profile', NAME, '--endpoint-url', rgw.endpoint], { env });
  return { rclone: rcloneRun.code, aws: awsRun.code };
}

async function waitForText(target: Page | Frame, text: string, timeout = 60_000): Promise<void> {
  try {
    await target.waitForFunction((wanted) => document.body.innerText.includes(wanted), { timeout, polling: 100 }, text);
  } catch (error) {
    throw new Error(`"${text}" never appeared. Shown:\n${await target.evaluate(() => document.body.innerText)}`, { cause: error });
  }
}

/** WeSendit shows `issued` in its credentials dialog; returns the page and the gate's prompt frame. */
async function credentialsDialog(): Promise<{ page: Page; frame: Frame }> {
  if (!chromium) throw new Error('Chromium did not start');
  const page = await chromium.browser.newPage();
  await page.goto(`${ui.url}/storages`);
  await page.locator('::-p-aria(Create storage)').click();
  await page.waitForSelector('[data-connect-guard="gated"]', { timeout: 15_000 });
  const frame = await waitForGateFrame(page);
  await frame.waitForSelector('::-p-aria(Save your Secret Key)');
  return { page, frame };
}

beforeAll(async () => {
  ensureSystem(['ceph', 'peers']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-rotation-e2e-'));
  home = join(workDir, 'home');
  await mkdir(join(workDir, 'profile'), { recursive: true });
  await mkdir(home, { recursive: true });
  rgw = await startCephRgw({ buckets: [] });
  await rgw.createUser(UID, FIRST.accessKey, FIRST.secretKey);
  const s3 = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: FIRST.accessKey, secretAccessKey: FIRST.secretKey });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'hello.txt', Body: 'hello' }));
  s3.destroy();
  issued = { storageName: 'NAS rotation', permissions: 'Read & Write', allowedIps: '', serverAddress: rgw.endpoint, bucketName: BUCKET, ...FIRST };
  ui = await startFakeWeSendit({ issueCredentials: () => issued, s3ServerAddress: rgw.endpoint });
  chromium = await launchChromiumWithCompanion(join(workDir, 'profile'), {
    // Debian's rclone and AWS CLI 2.9 for the companion's checks; the tools' files in a home of their own.
    env: { HOME: home, PATH: '/usr/bin:/bin', RCLONE_CONFIG: join(home, '.config', 'rclone', 'rclone.conf'), CONNECT_GUARD_CONFIG_DIR: join(home, '.config', 'connect-guard') },
  });
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('a rotated key: the gate names the old key, lists the tools using it and updates them', () => {
  it('saves the first key through the gate and sets up rclone and the AWS CLI with it', async () => {
    const { page, frame } = await credentialsDialog();
    await frame.locator('::-p-aria(Vault passphrase)').fill(VAULT_PASSPHRASE);
    await frame.locator('::-p-aria(Confirm passphrase)').fill(VAULT_PASSPHRASE);
    await frame.locator('::-p-aria(Save to vault)').click();
    await waitForText(frame, 'Saved and verified');
    // A first key replaces nothing: no word about an old key.
    expect(await frame.$('[data-key-rotation]')).toBeNull();
    await page.close();

    const popup = await openPopup(chromium!.browser, chromium!.extensionId, 'storages');
    const list = (await requestFromExtensionFrame(popup.mainFrame(), { type: 'storage.list', data: {} })) as { ok: { id: string }[] };
    const storageId = list.ok[0]?.id;
    for (const tool of ['rclone', 'aws']) {
      const reply = await requestFromExtensionFrame(popup.mainFrame(), { type: 'tools.setup', data: { tool, storageId, toolPassphrase: TOOL_PASSPHRASE, name: NAME } });
      expect(reply).toMatchObject({ ok: { tool, name: NAME } });
    }
    await popup.close();
    expect(await toolsList()).toEqual({ rclone: 0, aws: 0 });
  });

  it('WeSendit shows a new key: the prompt says the old one stops working, lists both tools, updates them; each authenticates with the first key removed', async () => {
    await admin(['key', 'create', '--uid', UID, '--key-type', 's3', '--access-key', SECOND.accessKey, '--secret-key', SECOND.secretKey]);
    issued = { ...issued, ...SECOND };
    const { page, frame } = await credentialsDialog();
    // The vault is unlocked: no passphrase is asked.
    await frame.locator('::-p-aria(Save to vault)').click();
    await waitForText(frame, 'Saved and verified');
    await frame.waitForSelector('[data-key-rotation]', { timeout: 30_000 });
    await waitForText(frame, `The old key (${FIRST.accessKey}) stops working`);
    const listed = await frame.$$eval('ul[aria-label="External tools using the old key"] li', (items) => items.map((item) => item.textContent ?? ''));
    expect(listed).toHaveLength(2);
    expect(listed.join('\n')).toMatch(new RegExp(`rclone remote “${NAME}”.*key ${FIRST.accessKey}`));
    expect(listed.join('\n')).toMatch(new RegExp(`AWS profile “${NAME}”.*key ${FIRST.accessKey}`));

    // WeSendit has revoked the old key: the tools fail until they are updated.
    await admin(['key', 'rm', '--uid', UID, '--key-type', 's3', '--access-key', FIRST.accessKey]);
    const broken = await toolsList();
    expect(broken.rclone).not.toBe(0);
    expect(broken.aws).not.toBe(0);

    await frame.locator('::-p-aria(Passphrase for external tools)').fill(TOOL_PASSPHRASE);
    await frame.locator('::-p-aria(Update external tools)').click();
    await frame.waitForSelector('[data-tool-status]', { timeout: 180_000 });
    const checks = await frame.$$eval('[data-tool-status]', (items) => items.map((item) => [item.getAttribute('data-tool-status'), item.textContent ?? '']));
    expect(checks.map(([status]) => status)).toEqual(['ok', 'ok']);
    expect(checks.map(([, text]) => text).join('\n')).toContain('authenticates with the new key');
    expect(JSON.stringify(checks)).not.toContain(SECOND.secretKey);
    await page.screenshot({ path: join(tmpdir(), 'connect-guard-gate-key-rotation.png') });
    await page.close();

    expect(await toolsList()).toEqual({ rclone: 0, aws: 0 });
  });
});
