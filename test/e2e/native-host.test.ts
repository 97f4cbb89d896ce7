/**
 * The companion's native-messaging host in real Chromium: the built extension's service worker
 * reaches the real host (registered by install-host in the profile before launch) with both
 * `sendNativeMessage` and `connectNative`; the host answers malformed requests with errors and
 * keeps serving; a host started for another extension origin refuses.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHost, launcherScript } from '../../companion/src/host/install-host.ts';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { compareS3Keys } from '../../shared/s3-key-order.ts';
import { DEV_EXTENSION_ID } from '../../shared/extension-identity.ts';
import { CHROMIUM_MAX_HOST_MESSAGE_BYTES, COMPANION_PROTOCOL_VERSION, COMPANION_HOST_NAME, type HostToExtensionMessage } from '../../shared/protocol/companion-protocol.ts';
import { CompanionReplyCollector } from '../../shared/protocol/companion-reply-collector.ts';
import { parseHostMessage } from '../../shared/protocol/companion-guards.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { launchChromiumWithExtension, type ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';

/** The service worker's `chrome` global, as functions passed to worker.evaluate see it. */
declare const chrome: {
  runtime: {
    sendNativeMessage(host: string, message: unknown): Promise<unknown>;
    connectNative(host: string): {
      postMessage(message: unknown): void;
      disconnect(): void;
      onMessage: { addListener(listener: (message: unknown) => void): void };
      onDisconnect: { addListener(listener: () => void): void };
    };
    lastError?: { message?: string };
  };
};

let profileDir: string;
let launcherPath: string;
let chromium: ChromiumWithExtension | undefined;
let worker: WebWorker;

beforeAll(async () => {
  profileDir = await mkdtemp(join(tmpdir(), 'connect-guard-native-e2e-'));
  // Chromium reads <user-data-dir>/NativeMessagingHosts/ only: the manifest must exist before launch.
  const installed = await installHost({ env: process.env, platform: process.platform, extensionIds: [DEV_EXTENSION_ID], userDataDir: profileDir });
  launcherPath = installed.launcherPath;
  chromium = await launchChromiumWithExtension({ userDataDir: profileDir });
  const target = await chromium.browser.waitForTarget((candidate) => candidate.type() === 'service_worker' && candidate.url().startsWith(`chrome-extension://${DEV_EXTENSION_ID}/`));
  const found = await target.worker();
  if (!found) throw new Error('The extension service worker has no worker handle.');
  worker = found;
  // The worker target can be reachable a few milliseconds before Chromium binds the extension
  // APIs into its global scope: wait for `chrome.runtime.connectNative` itself.
  const deadline = Date.now() + 10_000;
  while (!(await worker.evaluate(() => typeof chrome === 'object' && typeof chrome.runtime.connectNative === 'function'))) {
    if (Date.now() > deadline) throw new Error('chrome.runtime.connectNative never appeared in the extension service worker.');
  }
});

afterAll(async () => {
  await chromium?.close();
  await rm(profileDir, { recursive: true, force: true });
});

function parsed(value: unknown): HostToExtensionMessage {
  const result = parseHostMessage(value);
  if (!result.ok) throw new Error(`The host sent an invalid message: ${result.problem} (${JSON.stringify(value)})`);
  return result.value;
}

/** One-shot: Chromium starts the host, delivers one message, returns the first reply. */
async function sendNativeMessage(message: unknown): Promise<HostToExtensionMessage> {
  const reply = await worker.evaluate((host, payload) => chrome.runtime.sendNativeMessage(host, payload), COMPANION_HOST_NAME, message);
  return parsed(reply);
}

/**
 * Opens one port, posts the messages in order and collects what the host sends until every id
 * in `awaitIds` has its final reply (or the port closes, which fails the test).
 */
async function overPort(messages: readonly unknown[], awaitIds: readonly (string | null)[]): Promise<HostToExtensionMessage[]> {
  const received = await worker.evaluate(
    (host, payloads, ids) =>
      new Promise<unknown[]>((resolve, reject) => {
        const port = chrome.runtime.connectNative(host);
        const got: unknown[] = [];
        const pending = new Set(ids.map((id) => String(id)));
        port.onMessage.addListener((message) => {
          got.push(message);
          if (typeof message === 'object' && message !== null && ('ok' in message || 'error' in message)) {
            pending.delete(String(Reflect.get(message, 'id')));
            if (pending.size === 0) {
              port.disconnect();
              resolve(got);
            }
          }
        });
        port.onDisconnect.addListener(() => reject(new Error(`port closed: ${chrome.runtime.lastError?.message ?? 'no reason'}; received ${JSON.stringify(got)}`)));
        for (const payload of payloads) port.postMessage(payload);
      }),
    COMPANION_HOST_NAME,
    messages,
    awaitIds,
  );
  return received.map(parsed);
}

describe('native messaging with the real host', () => {
  it('sendNativeMessage: ping gets the real host’s answer', async () => {
    const reply = await sendNativeMessage({ id: 'one-shot', type: 'ping', data: {}, timeoutMs: 10_000 });
    expect(reply).toMatchObject({ id: 'one-shot', ok: { protocolVersion: COMPANION_PROTOCOL_VERSION, version: expect.any(String), pid: expect.any(Number) }, chunks: 0 });
  });

  it('connectNative: malformed and unknown requests get error replies and the host keeps serving on the same port', async () => {
    const replies = await overPort(
      [
        { id: 'bad-data', type: 'diff.preview', data: { wesendit: 'nothing' }, timeoutMs: 1000 },
        { id: 'bad-type', type: 'rm', data: {}, timeoutMs: 1000 },
        { type: 'ping', data: {}, timeoutMs: 1000 },
        { id: 'after', type: 'ping', data: {}, timeoutMs: 10_000 },
      ],
      ['bad-data', 'bad-type', null, 'after'],
    );
    const byId = (id: string | null) => replies.find((reply) => reply.id === id);
    expect(byId('bad-data')).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/data\.connection/) } });
    expect(byId('bad-type')).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/Unknown request type/) } });
    expect(byId(null)).toMatchObject({ error: { code: 'PROTOCOL_ERROR', message: expect.stringMatching(/needs an "id"/) } });
    const after = byId('after');
    expect(after).toMatchObject({ ok: { pid: expect.any(Number) } });
  });

  it('a host started for another extension origin refuses this one', async () => {
    // Chromium still starts the host (the manifest allows this id), but the launcher now names another origin.
    await writeFile(launcherPath, launcherScript(['chrome-extension://abcdefghijklmnopabcdefghijklmnop/']), { mode: 0o755 });
    try {
      const reply = await sendNativeMessage({ id: 'refused', type: 'ping', data: {}, timeoutMs: 10_000 });
      expect(reply).toMatchObject({ id: 'refused', error: { code: 'FORBIDDEN_SENDER', message: expect.stringMatching(/serves only chrome-extension:\/\/abcdefghijklmnop/) } });
    } finally {
      await writeFile(launcherPath, launcherScript([`chrome-extension://${DEV_EXTENSION_ID}/`]), { mode: 0o755 });
    }
    const back = await sendNativeMessage({ id: 'restored', type: 'ping', data: {}, timeoutMs: 10_000 });
    expect(back).toMatchObject({ ok: { protocolVersion: COMPANION_PROTOCOL_VERSION } });
  });
});

describe('a preview from the real bucket through Chromium', () => {
  let rgw: CephRgw;
  const bucket = 'native-host-e2e';
  const keys = Array.from({ length: 2500 }, (_, i) => `photos/${String(i).padStart(5, '0')}-${'ö'.repeat(120)}.jpg`);

  beforeAll(async () => {
    ensureSystem(['ceph']);
    rgw = await startCephRgw({ buckets: [] });
    const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'bucket' }))));
    }
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'same.txt', Body: 'same' }));
    client.destroy();
  }, 180_000);

  afterAll(async () => {
    await rgw?.stop();
  });

  it('streams over 1 MB of rows to the service worker in chunks Chromium accepts, with the right classes', async () => {
    const connection = { endpoint: rgw.endpoint, region: rgw.region, bucket, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
    const wesendit = [
      { key: 'same.txt', size: 4, md5: createHash('md5').update('same').digest('hex') },
      { key: 'only-in-wesendit.txt', size: 7 },
    ];
    const replies = await overPort(
      [
        { id: 'up', type: 'inventory.upload', data: { uploadId: 'w', entries: wesendit }, timeoutMs: 10_000 },
        { id: 'preview', type: 'diff.preview', data: { connection, wesendit: { kind: 'upload', uploadId: 'w' } }, timeoutMs: 120_000 },
      ],
      ['up', 'preview'],
    );
    const keysSeen: string[] = [];
    const classes = new Map<string, string>();
    const collector = new CompanionReplyCollector('diff.preview', 'preview', {
      onChunk: (rows) => {
        for (const row of rows) {
          keysSeen.push(row.key);
          classes.set(row.key, row.class);
        }
      },
    });
    let state: ReturnType<typeof collector.accept> = { done: false };
    for (const reply of replies) state = collector.accept(reply);
    expect(replies.find((reply) => reply.id === 'up')).toMatchObject({ ok: { staged: 2 } });
    if (!state.done || !state.ok) throw new Error(`preview failed: ${JSON.stringify(state)}`);
    const chunkBytes = replies.flatMap((reply) => ('event' in reply && reply.event === 'chunk' ? [Buffer.byteLength(JSON.stringify(reply))] : []));
    expect(chunkBytes.reduce((sum, bytes) => sum + bytes, 0)).toBeGreaterThan(CHROMIUM_MAX_HOST_MESSAGE_BYTES);
    expect(keysSeen).toEqual([...keys, 'only-in-wesendit.txt', 'same.txt'].sort(compareS3Keys));
    expect(classes.get('same.txt')).toBe('same');
    expect(classes.get('only-in-wesendit.txt')).toBe('only-in-wesendit');
    expect(state.value.totals.classes['only-in-bucket'].objects).toBe(keys.length);
    expect(state.value.totals.classes.same.objects).toBe(1);
  }, 180_000);
});
