/**
 * "Preview connect" through the real pieces: the built extension in Chromium, its background
 * talking to the real companion host (registered for this profile) over native messaging, the
 * real Ceph gateway. Requests are sent from an extension page (popup.html) as the popup does.
 *
 * Covers: counts and bytes per class equal an independent computation from what the test put in
 * the bucket and the manifest; row filters and search; report export; a local folder as the
 * WeSendit side; an open upload merged after its seal (the overlap of both listings); cancel
 * while the bucket listing hangs; VAULT_LOCKED for a vault source; a wrong secret in the vault →
 * failed with the doctor's Secret Key check; and afterwards no secret anywhere in the profile.
 */
import { packInventoryLines } from '../../shared/inventory-lines.ts';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page, WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { DIFF_CLASSES, type DiffClass } from '../../shared/diff/diff-inventories.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { COMPANION_HOST_NAME, COMPANION_PROTOCOL_VERSION } from '../../shared/protocol/companion-protocol.ts';
import { CompanionReplyCollector } from '../../shared/protocol/companion-reply-collector.ts';
import { parseHostMessage } from '../../shared/protocol/companion-guards.ts';
import type { PreviewState } from '../../shared/protocol/extension-protocol.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { launchChromiumWithExtension, openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { scanDirectoryForSecret } from '../support/profile-scan.ts';

const BUCKET = 'preview-e2e';
const WRONG_SECRET = 'cg-test-wrong-secret-not-real-0000000099';
const PASSPHRASE = 'preview e2e passphrase, long enough 42';
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

interface Item {
  readonly key: string;
  readonly body: string;
}

// What the bucket holds and what the WeSendit manifest says; the expected classes follow from it.
const same: Item[] = Array.from({ length: 9 }, (_, i) => ({ key: `Shared/Photos/IMG_${i}.jpg`, body: `same ${i}` }));
const conflicts: Item[] = Array.from({ length: 6 }, (_, i) => ({ key: `docs/Report-${i}.txt`, body: `bucket version ${i}` }));
const onlyBucket: Item[] = Array.from({ length: 7 }, (_, i) => ({ key: `archive/old-${i}.bin`, body: 'x'.repeat(100 + i) }));
const onlyWesendit: Item[] = Array.from({ length: 5 }, (_, i) => ({ key: `new/upload-${i}.txt`, body: 'w'.repeat(50 + i) }));
/** Conflicts 0–2: WeSendit's copy is newer (the bucket's is lost under "newer wins"); 3–5: older. */
const wesenditNewer = (i: number): boolean => i < 3;

let rgw: CephRgw;
let chromium: ChromiumWithExtension | undefined;
let profileDir: string;
let workDir: string;
let manifestPath: string;
let popup: Page;
let worker: WebWorker;
let proxy: FaultProxy | undefined;

async function request<T = unknown>(type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

async function requestError(type: string, data: unknown): Promise<{ code: string; message: string }> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'error' in reply) return reply.error as { code: string; message: string };
  throw new Error(`${type} was expected to fail: ${JSON.stringify(reply)}`);
}

/** Polls the background until the preview's state satisfies `done` (a condition, not a fixed wait). */
async function waitForState(previewId: string, done: (state: PreviewState) => boolean, timeoutMs = 60_000): Promise<PreviewState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await request<PreviewState>('preview.state', { previewId });
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`preview never reached the expected state: ${JSON.stringify(state)}`);
    // A polling interval, not a wait for an assumed duration: the loop ends on the condition.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const finished = (state: PreviewState): boolean => state.status === 'done' || state.status === 'failed' || state.status === 'cancelled';

function direct(endpoint: string, secretAccessKey = rgw.secretAccessKey) {
  return { kind: 'direct', connection: { endpoint, region: rgw.region, bucket: BUCKET, accessKeyId: rgw.accessKeyId, secretAccessKey } };
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-preview-e2e-'));
  profileDir = join(workDir, 'profile');
  await mkdir(profileDir);
  rgw = await startCephRgw({ buckets: [] });
  const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await Promise.all([...same, ...conflicts, ...onlyBucket].map((item) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: item.key, Body: item.body }))));
  client.destroy();
  // The manifest: same content for `same`, other content (and times either side of now) for conflicts.
  const lines = [
    ...same.map((item) => ({ path: item.key, size: Buffer.byteLength(item.body), modified: '2020-01-01T00:00:00Z', md5: md5(item.body) })),
    ...conflicts.map((item, i) => {
      const body = `wesendit version ${i}!`;
      return { path: item.key, size: Buffer.byteLength(body), modified: wesenditNewer(i) ? '2099-01-01T00:00:00Z' : '2001-01-01T00:00:00Z', md5: md5(body) };
    }),
    ...onlyWesendit.map((item) => ({ path: item.key, size: Buffer.byteLength(item.body), modified: '2020-01-01T00:00:00Z', md5: md5(item.body) })),
  ];
  manifestPath = join(workDir, 'wesendit-manifest.ndjson');
  await writeFile(manifestPath, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');

  chromium = await launchChromiumWithCompanion(profileDir, { keepProfile: true });
  const target = await chromium.browser.waitForTarget((candidate) => candidate.type() === 'service_worker' && candidate.url().startsWith(`chrome-extension://${DEV_EXTENSION_ID}/`));
  const found = await target.worker();
  if (!found) throw new Error('The extension service worker has no worker handle.');
  worker = found;
  popup = await openPopup(chromium.browser, chromium.extensionId);
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await chromium?.close();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('preview connect through the background and the companion', () => {
  it('companion.status answers with the host’s version', async () => {
    const status = await request<{ available: boolean; protocolVersion?: number }>('companion.status', {});
    expect(status).toMatchObject({ available: true, protocolVersion: COMPANION_PROTOCOL_VERSION });
  });

  it('cancel while the bucket listing hangs ends the preview as cancelled, and the port keeps working', async () => {
    proxy = await startFaultProxy({ target: rgw.endpoint, fault: () => ({ kind: 'stall' }) });
    const started = await request<PreviewState>('preview.start', { connection: direct(proxy.endpoint), wesendit: { kind: 'empty' } });
    expect(started.status).toBe('listing');
    const stalled = proxy;
    // The companion's listing request reached the gateway's proxy and hangs there.
    await waitForState(started.previewId, () => stalled.stats.requests > 0);
    const cancelled = await request<PreviewState>('preview.cancel', { previewId: started.previewId });
    expect(cancelled.status).toBe('cancelled');
    expect((await request<PreviewState>('preview.state', { previewId: started.previewId })).status).toBe('cancelled');
    await proxy.close();
    proxy = undefined;
    expect(await request('companion.status', {})).toMatchObject({ available: true });
  });

  it('a manifest preview: counts and bytes per class equal the independent computation; filters, search and export agree', async () => {
    const started = await request<PreviewState>('preview.start', { connection: direct(rgw.endpoint), wesendit: { kind: 'manifest', path: manifestPath } });
    const state = await waitForState(started.previewId, finished);
    expect(state.error).toBeUndefined();
    expect(state.status).toBe('done');
    expect(state.advice).toBe('integrate');
    const bytes = (items: readonly Item[]): number => items.reduce((sum, item) => sum + Buffer.byteLength(item.body), 0);
    const conflictWesenditBytes = conflicts.reduce((sum, _item, i) => sum + Buffer.byteLength(`wesendit version ${i}!`), 0);
    const expected: Record<DiffClass, { objects: number; bucketBytes: number; wesenditBytes: number }> = {
      'only-in-bucket': { objects: onlyBucket.length, bucketBytes: bytes(onlyBucket), wesenditBytes: 0 },
      'only-in-wesendit': { objects: onlyWesendit.length, bucketBytes: 0, wesenditBytes: bytes(onlyWesendit) },
      same: { objects: same.length, bucketBytes: bytes(same), wesenditBytes: bytes(same) },
      conflict: { objects: conflicts.length, bucketBytes: bytes(conflicts), wesenditBytes: conflictWesenditBytes },
      unknown: { objects: 0, bucketBytes: 0, wesenditBytes: 0 },
    };
    for (const name of DIFF_CLASSES) expect(state.summary?.totals.classes[name], name).toEqual(expected[name]);
    expect(state.summary?.bucketObjects).toBe(same.length + conflicts.length + onlyBucket.length);
    expect(state.wesenditObjects).toBe(same.length + conflicts.length + onlyWesendit.length);

    const total = same.length + conflicts.length + onlyBucket.length + onlyWesendit.length;
    const all = await request<{ matching: number; rows: { key: string }[] }>('preview.rows', { previewId: state.previewId, offset: 0, limit: 1000 });
    expect(all.matching).toBe(total);
    const conflictRows = await request<{ matching: number; rows: { key: string; class: string }[] }>('preview.rows', { previewId: state.previewId, offset: 0, limit: 1000, classes: ['conflict'] });
    expect(conflictRows.rows.map((row) => row.key).sort()).toEqual(conflicts.map((item) => item.key).sort());
    const search = await request<{ matching: number; rows: { key: string }[] }>('preview.rows', { previewId: state.previewId, offset: 0, limit: 1000, search: 'photos/img_' });
    expect(search.rows.map((row) => row.key).sort()).toEqual(same.map((item) => item.key).sort());
    const newerWins = await request<{ rows: { key: string }[] }>('preview.rows', { previewId: state.previewId, offset: 0, limit: 1000, atRisk: 'newer-wins' });
    expect(newerWins.rows.map((row) => row.key).sort()).toEqual(conflicts.filter((_item, i) => wesenditNewer(i)).map((item) => item.key).sort());
    const wesenditWins = await request<{ matching: number }>('preview.rows', { previewId: state.previewId, offset: 0, limit: 1000, atRisk: 'wesendit-wins' });
    expect(wesenditWins.matching).toBe(conflicts.length);
    const page = await request<{ matching: number; offset: number; rows: unknown[] }>('preview.rows', { previewId: state.previewId, offset: 5, limit: 3 });
    expect(page).toMatchObject({ matching: total, offset: 5 });
    expect(page.rows).toHaveLength(3);

    const csv = await request<{ parts: number; text: string; fileName: string }>('preview.export', { previewId: state.previewId, format: 'csv', part: 0 });
    expect(csv.parts).toBe(1);
    expect(csv.text.trimEnd().split('\r\n')).toHaveLength(total + 1);
    const ndjson = await request<{ text: string }>('preview.export', { previewId: state.previewId, format: 'ndjson', part: 0 });
    const lines = ndjson.text.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.type === 'row')).toHaveLength(total);
    expect(lines.at(-1)).toMatchObject({ type: 'totals', objects: total });
    expect(await request<PreviewState | null>('preview.latest', {})).toMatchObject({ previewId: state.previewId, status: 'done' });
  });

  it('a local folder as the WeSendit side: the companion hashes it and the same files are "same"', async () => {
    const folder = join(workDir, 'wesendit-folder');
    for (const item of same) {
      await mkdir(join(folder, item.key, '..'), { recursive: true });
      await writeFile(join(folder, item.key), item.body);
    }
    const started = await request<PreviewState>('preview.start', { connection: direct(rgw.endpoint), wesendit: { kind: 'folder', path: folder } });
    const state = await waitForState(started.previewId, finished);
    expect(state.summary?.totals.classes.same.objects).toBe(same.length);
    expect(state.summary?.totals.classes['only-in-bucket'].objects).toBe(conflicts.length + onlyBucket.length);
  });

  it('an open upload: the host lists the bucket while batches arrive, and merges after the seal', async () => {
    const connection = direct(rgw.endpoint).connection;
    const first = same.slice(0, 4).map((item) => ({ key: item.key, size: Buffer.byteLength(item.body), md5: md5(item.body) }));
    const rest = same.slice(4).map((item) => ({ key: item.key, size: Buffer.byteLength(item.body), md5: md5(item.body) }));
    const received = await worker.evaluate(
      (host, conn, part1, part2) =>
        new Promise<unknown[]>((resolve, reject) => {
          const runtime = Reflect.get(Reflect.get(globalThis, 'chrome'), 'runtime');
          const port = runtime.connectNative(host);
          const got: unknown[] = [];
          let sealed = false;
          port.onMessage.addListener((message: Record<string, unknown>) => {
            got.push(message);
            // Seal only once the host reports bucket objects listed: the listing did not wait for
            // the WeSendit side (without the overlap this never happens and the test times out).
            const progress = message.data;
            const listed = typeof progress === 'object' && progress !== null ? Number(Reflect.get(progress, 'objects')) : 0;
            if (!sealed && message.id === 'preview' && message.event === 'progress' && listed > 0) {
              sealed = true;
              // The rest as packed lines, the way the tab's listing travels.
              port.postMessage({ id: 'u2', type: 'inventory.upload', data: { uploadId: 'open', lines: part2, done: true }, timeoutMs: 10_000 });
            }
            if (message.id === 'preview' && ('ok' in message || 'error' in message)) {
              port.disconnect();
              resolve(got);
            }
          });
          port.onDisconnect.addListener(() => reject(new Error(`port closed: ${JSON.stringify(got)}`)));
          port.postMessage({ id: 'u1', type: 'inventory.upload', data: { uploadId: 'open', entries: part1, done: false }, timeoutMs: 10_000 });
          port.postMessage({ id: 'preview', type: 'diff.preview', data: { connection: conn, wesendit: { kind: 'upload', uploadId: 'open' } }, timeoutMs: 30_000 });
        }),
      COMPANION_HOST_NAME,
      connection,
      first,
      packInventoryLines(rest),
    );
    const collector = new CompanionReplyCollector('diff.preview', 'preview');
    let state: ReturnType<typeof collector.accept> = { done: false };
    for (const raw of received) {
      const parsed = parseHostMessage(raw);
      if (!parsed.ok) throw new Error(parsed.problem);
      state = collector.accept(parsed.value);
    }
    if (!state.done || !state.ok) throw new Error(`preview failed: ${JSON.stringify(state)}`);
    expect(state.value.wesenditObjects).toBe(same.length);
    expect(state.value.totals.classes.same.objects).toBe(same.length);
  });

  it('a vault source: VAULT_LOCKED while locked; a wrong secret fails with the doctor naming the Secret Key', async () => {
    await request('vault.create', { passphrase: PASSPHRASE });
    const saved = await request<{ storageId: string; verified: boolean }>('storage.saveConnection', { source: direct(rgw.endpoint, WRONG_SECRET), storageName: 'Wrong secret' });
    expect(saved.verified).toBe(true);
    const started = await request<PreviewState>('preview.start', { connection: { kind: 'vault', storageId: saved.storageId }, wesendit: { kind: 'empty' } });
    const failed = await waitForState(started.previewId, finished);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'WRONG_SECRET_KEY' } });
    const secretCheck = failed.doctor?.checks.find((check) => check.status === 'fail');
    expect(secretCheck).toMatchObject({ code: 'WRONG_SECRET_KEY', name: expect.stringMatching(/secret key/i), message: expect.stringMatching(/Secret Key/) });
    expect(JSON.stringify(failed)).not.toContain(WRONG_SECRET);

    await request('vault.lock', {});
    expect(await requestError('preview.start', { connection: { kind: 'vault', storageId: saved.storageId }, wesendit: { kind: 'empty' } })).toMatchObject({ code: 'VAULT_LOCKED' });
  });

  it('afterwards no file in the profile (chrome.storage, IndexedDB, caches, logs) holds either secret', async () => {
    await chromium?.close();
    chromium = undefined;
    for (const secret of [rgw.secretAccessKey, WRONG_SECRET]) {
      expect(await scanDirectoryForSecret(profileDir, secret)).toEqual([]);
    }
  });
});

describe('without the companion installed', () => {
  it('companion.status and a preview say how to install it', async () => {
    const bare = await launchChromiumWithExtension();
    try {
      const page = await openPopup(bare.browser, bare.extensionId);
      const status = await requestFromExtensionFrame(page.mainFrame(), { type: 'companion.status', data: {} });
      expect(status).toMatchObject({ ok: { available: false, error: { code: 'COMPANION_UNAVAILABLE', message: expect.stringMatching(/not installed.*npx connect-guard install-host/) } } });
      const started = await requestFromExtensionFrame(page.mainFrame(), {
        type: 'preview.start',
        data: { connection: { kind: 'direct', connection: { endpoint: 'http://127.0.0.1:9', bucket: 'b', accessKeyId: 'AK', secretAccessKey: 'fake-secret-never-sent' } }, wesendit: { kind: 'empty' } },
      });
      if (typeof started !== 'object' || started === null || !('ok' in started)) throw new Error(JSON.stringify(started));
      const previewId = Reflect.get(Object(started.ok), 'previewId');
      let state: unknown;
      for (let i = 0; i < 200; i++) {
        state = await requestFromExtensionFrame(page.mainFrame(), { type: 'preview.state', data: { previewId } });
        if (JSON.stringify(state).includes('"failed"')) break;
        // A polling interval; the loop ends on the condition.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(state).toMatchObject({ ok: { status: 'failed', error: { code: 'COMPANION_UNAVAILABLE', message: expect.stringMatching(/install-host/) } } });
    } finally {
      await bare.close();
    }
  });
});
