/**
 * A finished preview outlives the service worker: Chromium stops an idle worker after 30 s, and
 * the user reopening the popup must still find the result they waited for (summary and rows),
 * read back from IndexedDB by the new worker. Real Chromium, real companion, real Ceph.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import type { PreviewRowPage, PreviewState } from '../../shared/protocol/extension-protocol.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';

const BUCKET = 'preview-persistence-e2e';
let rgw: CephRgw;
let workDir: string;
let chromium: ChromiumWithExtension;

async function request<T>(page: Page, type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(page.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

async function stopServiceWorker(browser: Browser): Promise<void> {
  const session = await browser.target().createCDPSession();
  const { targetInfos } = await session.send('Target.getTargets');
  for (const target of targetInfos.filter((info) => info.type === 'service_worker' && info.url.startsWith('chrome-extension://'))) {
    await session.send('Target.closeTarget', { targetId: target.targetId });
  }
  await session.detach();
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-preview-persistence-'));
  await mkdir(join(workDir, 'profile'));
  rgw = await startCephRgw({ buckets: [] });
  const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await Promise.all(Array.from({ length: 40 }, (_, i) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `photos/${String(i).padStart(3, '0')}.jpg`, Body: `photo ${i}` }))));
  client.destroy();
  chromium = await launchChromiumWithCompanion(join(workDir, 'profile'));
}, 180_000);

afterAll(async () => {
  await chromium?.close();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('a finished preview after the service worker stopped', () => {
  it('is still the latest preview, with the same summary and rows', async () => {
    const popup = await openPopup(chromium.browser, chromium.extensionId);
    const connection = { kind: 'direct', connection: { endpoint: rgw.endpoint, region: rgw.region, bucket: BUCKET, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey } };
    const started = await request<PreviewState>(popup, 'preview.start', { connection, wesendit: { kind: 'empty' } });
    let done = started;
    for (const deadline = Date.now() + 60_000; done.status !== 'done'; ) {
      if (Date.now() > deadline || done.status === 'failed') throw new Error(`preview did not finish: ${JSON.stringify(done)}`);
      await popup.waitForNetworkIdle({ idleTime: 100, timeout: 1_000 }).catch(() => undefined);
      done = await request<PreviewState>(popup, 'preview.state', { previewId: started.previewId });
    }
    expect(done.summary?.totals.classes['only-in-bucket'].objects).toBe(40);
    const rowsBefore = await request<PreviewRowPage>(popup, 'preview.rows', { previewId: started.previewId, offset: 0, limit: 100 });
    await popup.close();

    await stopServiceWorker(chromium.browser);
    const reopened = await openPopup(chromium.browser, chromium.extensionId);
    expect(await request<PreviewState | null>(reopened, 'preview.latest', {})).toEqual(done);
    expect(await request<PreviewRowPage>(reopened, 'preview.rows', { previewId: started.previewId, offset: 0, limit: 100 })).toEqual(rowsBefore);
    expect(rowsBefore.rows).toHaveLength(40);
  });
});
