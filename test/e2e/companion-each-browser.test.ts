/**
 * The companion over real native messaging, in the browser of the run (Chromium in project e2e,
 * Firefox in e2e-firefox): the host registered as `connect-guard install-host` registers it for
 * that browser (Chromium: the profile's NativeMessagingHosts, `allowed_origins`; Firefox:
 * `$HOME/.mozilla/native-messaging-hosts`, `allowed_extensions`), a Preview connect against the
 * real Ceph gateway, and the two refusals: a browser whose host manifest names another extension
 * does not start the host, and a host whose launcher serves another extension refuses the caller
 * itself (the host reads Chromium's caller origin, or Firefox's [manifest path, add-on id]).
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { installHost } from '../../companion/src/host/install-host.ts';
import { DEV_EXTENSION_ID, FIREFOX_EXTENSION_ID } from '../../shared/extension-identity.ts';
import type { PreviewState } from '../../shared/protocol/extension-protocol.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { requestFromExtensionFrame } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { E2E_BROWSER, launchExtensionBrowserWithCompanion, openExtensionPopup, type ExtensionBrowser } from '../support/extension-browser.ts';

const BUCKET = 'each-browser-preview';
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const inBucket = { 'same/a.txt': 'same a', 'same/b.txt': 'same b', 'conflict.txt': 'bucket copy', 'old/only-bucket.bin': 'x'.repeat(300) };

let rgw: CephRgw;
let workDir: string;
let profileDir: string;
let manifestPath: string;
let extension: ExtensionBrowser | undefined;
let popup: Page;

async function reply(type: string, data: unknown): Promise<{ ok?: unknown; error?: { code: string; message: string } }> {
  const answer = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof answer !== 'object' || answer === null) throw new Error(`${type}: ${JSON.stringify(answer)}`);
  return answer;
}

async function ok<T>(type: string, data: unknown): Promise<T> {
  const answer = await reply(type, data);
  if (!('ok' in answer)) throw new Error(`${type} failed: ${JSON.stringify(answer)}`);
  return answer.ok as T;
}

/** Where the browser of this run reads the host manifest, and the launcher it names. */
function hostFiles(): { manifest: string; launcher: string } {
  if (E2E_BROWSER === 'firefox') {
    const home = `${profileDir}-home`;
    return { manifest: join(home, '.mozilla/native-messaging-hosts/com.connect_guard.companion.json'), launcher: join(home, '.local/share/connect-guard/native-host-firefox') };
  }
  const folder = join(profileDir, 'NativeMessagingHosts');
  return { manifest: join(folder, 'com.connect_guard.companion.json'), launcher: join(folder, 'connect-guard-native-host') };
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-each-browser-'));
  profileDir = join(workDir, 'profile');
  await mkdir(profileDir);
  rgw = await startCephRgw({ buckets: [] });
  const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const [key, body] of Object.entries(inBucket)) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  client.destroy();
  manifestPath = join(workDir, 'wesendit.ndjson');
  const wesendit = { 'same/a.txt': 'same a', 'same/b.txt': 'same b', 'conflict.txt': 'wesendit copy!', 'new/only-wesendit.txt': 'new' };
  await writeFile(manifestPath, `${Object.entries(wesendit).map(([path, body]) => JSON.stringify({ path, size: Buffer.byteLength(body), modified: '2020-01-01T00:00:00Z', md5: md5(body) })).join('\n')}\n`);
  extension = await launchExtensionBrowserWithCompanion(profileDir);
  popup = await openExtensionPopup(extension);
}, 180_000);

afterAll(async () => {
  await extension?.close();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

// In this order: a refused caller's host exits and closes the port, so the next request starts a new host.
describe(`the companion over native messaging in ${E2E_BROWSER}`, () => {
  it('a host whose launcher serves another extension refuses this one itself', async () => {
    const { launcher } = hostFiles();
    const original = await readFile(launcher, 'utf8');
    const served = E2E_BROWSER === 'firefox' ? FIREFOX_EXTENSION_ID : `chrome-extension://${DEV_EXTENSION_ID}/`;
    const other = E2E_BROWSER === 'firefox' ? 'someone-else@example.com' : 'chrome-extension://abcdefghijklmnopabcdefghijklmnop/';
    expect(original).toContain(`'${served}'`);
    try {
      await writeFile(launcher, original.replaceAll(`'${served}'`, `'${other}'`));
      const status = await ok<{ available: boolean; error?: { code: string; message: string } }>('companion.status', {});
      expect(status.available).toBe(false);
      expect(JSON.stringify(status)).toContain(other);
    } finally {
      await writeFile(launcher, original);
    }
  });

  it('a browser whose host manifest names another extension does not start the host; registered again, it does', async () => {
    const { manifest } = hostFiles();
    const original = await readFile(manifest, 'utf8');
    const wrong = E2E_BROWSER === 'firefox' ? original.replace(FIREFOX_EXTENSION_ID, 'someone-else@example.com') : original.replace(DEV_EXTENSION_ID, 'abcdefghijklmnopabcdefghijklmnop');
    expect(wrong).not.toBe(original);
    await writeFile(manifest, wrong);
    const refused = await ok<{ available: boolean }>('companion.status', {});
    expect(refused.available).toBe(false);
    // What the user runs to fix it.
    if (E2E_BROWSER === 'firefox') await installHost({ env: { HOME: `${profileDir}-home` }, platform: process.platform, extensionIds: [], browsers: ['firefox'] });
    else await installHost({ env: process.env, platform: process.platform, extensionIds: [DEV_EXTENSION_ID], userDataDir: profileDir });
    expect(await ok<{ available: boolean }>('companion.status', {})).toMatchObject({ available: true });
  });
  it('Preview connect: the real host lists the Ceph bucket and classifies every object', async () => {
    const connection = { kind: 'direct', connection: { endpoint: rgw.endpoint, region: rgw.region, bucket: BUCKET, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } };
    const started = await ok<PreviewState>('preview.start', { connection, wesendit: { kind: 'manifest', path: manifestPath } });
    let state = started;
    for (const deadline = Date.now() + 60_000; state.status !== 'done' && state.status !== 'failed'; ) {
      if (Date.now() > deadline) throw new Error(`The preview did not finish: ${JSON.stringify(state)}`);
      state = await ok<PreviewState>('preview.state', { previewId: started.previewId });
    }
    expect(state.error).toBeUndefined();
    expect(state.summary?.bucketObjects).toBe(4);
    const classes = state.summary?.totals.classes;
    expect([classes?.same.objects, classes?.conflict.objects, classes?.['only-in-bucket'].objects, classes?.['only-in-wesendit'].objects]).toEqual([2, 1, 1, 1]);
  });
});
