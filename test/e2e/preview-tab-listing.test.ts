/**
 * The WeSendit side read from the tab: the user fills in the fake WeSendit connect form with the
 * real Ceph bucket's connection and clicks "Preview connect"; the background resolves the form
 * (kept in its memory), asks that tab's content feature to list the storage's file browser, and
 * forwards its batches to the real companion host, which lists the bucket meanwhile. The classes
 * and bytes equal an independent computation from the fake storage's files and the bucket's.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../companion/src/s3/s3-client.ts';
import { DIFF_CLASSES, type DiffClass } from '../../shared/diff/diff-inventories.ts';
import type { PreviewState } from '../../shared/protocol/extension-protocol.ts';
import { ConnectFormPageObject, formIdOf } from '../fake-wesendit/connect-form-page-object.ts';
import { startFakeWeSendit, type FakeWeSendit } from '../fake-wesendit/server.ts';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.ts';
import { openPopup, requestFromExtensionFrame, type ChromiumWithExtension } from '../support/chromium.ts';
import { ensureSystem } from '../support/ensure-system.ts';
import { launchChromiumWithCompanion } from '../support/launch-with-companion.ts';

const BUCKET = 'preview-tab-e2e';
const STORAGE = 'st-nas';
const md5 = (bytes: string | Buffer): string => createHash('md5').update(bytes).digest('hex');

let rgw: CephRgw;
let ui: FakeWeSendit;
let chromium: ChromiumWithExtension | undefined;
let workDir: string;
let popup: Page;
let page: Page;
/** What the test put in the bucket: key → body. */
const bucketFiles = new Map<string, string>();

async function request<T = unknown>(type: string, data: unknown): Promise<T> {
  const reply = await requestFromExtensionFrame(popup.mainFrame(), { type, data });
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) return reply.ok as T;
  throw new Error(`${type} failed: ${JSON.stringify(reply)}`);
}

async function waitForState(previewId: string, done: (state: PreviewState) => boolean, timeoutMs = 90_000): Promise<PreviewState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await request<PreviewState>('preview.state', { previewId });
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`preview never reached the expected state: ${JSON.stringify(state)}`);
    // A polling interval, not a wait for an assumed duration: the loop ends on the condition.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  ensureSystem(['ceph']);
  workDir = await mkdtemp(join(tmpdir(), 'connect-guard-preview-tab-e2e-'));
  const profileDir = join(workDir, 'profile');
  await mkdir(profileDir);
  rgw = await startCephRgw({ buckets: [] });
  ui = await startFakeWeSendit();
  // The WeSendit storage: 1,200 files in folders (more than one file-browser page), some shared with the bucket.
  const files = Array.from({ length: 1200 }, (_, i) => ({ key: `Projects/${i % 3 === 0 ? 'Alpha' : 'beta'}/file-${String(i).padStart(4, '0')}.txt`, content: `wesendit ${i}` }));
  ui.setStorageFiles(STORAGE, files);
  // The bucket: every tenth WeSendit file with the same bytes, every tenth +1 with other bytes, and its own files.
  for (const [i, file] of files.entries()) {
    if (i % 10 === 0) bucketFiles.set(file.key, file.content);
    if (i % 10 === 1) bucketFiles.set(file.key, `bucket ${i} differs`);
  }
  for (let i = 0; i < 40; i++) bucketFiles.set(`bucket-only/${i}.log`, 'b'.repeat(10 + i));
  const client = createS3Client({ endpoint: rgw.endpoint, region: rgw.region, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const entries = [...bucketFiles];
  for (let i = 0; i < entries.length; i += 40) {
    await Promise.all(entries.slice(i, i + 40).map(([key, body]) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }))));
  }
  client.destroy();
  chromium = await launchChromiumWithCompanion(profileDir);
  page = await chromium.browser.newPage();
  popup = await openPopup(chromium.browser, chromium.extensionId);
}, 240_000);

afterAll(async () => {
  await chromium?.close();
  await ui?.stop();
  await rgw?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('preview with the WeSendit side read from the tab', () => {
  it('the connect form’s connection and the tab’s file browser give the independently computed classes and bytes', async () => {
    const form = await ConnectFormPageObject.open(page, ui.url, { storageId: STORAGE });
    await form.fill({ provider: 'other', endpoint: rgw.endpoint, bucket: BUCKET, accessKey: rgw.accessKeyId, secretKey: rgw.secretAccessKey });
    await (await form.previewButton()).click();
    const formId = formIdOf(await form.waitForPreviewFrame());
    const started = await request<PreviewState>('preview.start', { connection: { kind: 'form', formId }, wesendit: { kind: 'tab' } });
    expect(started.status).toBe('reading-wesendit');
    const state = await waitForState(started.previewId, (current) => current.status === 'done' || current.status === 'failed' || current.status === 'cancelled');
    expect(state.error).toBeUndefined();
    expect(state.status).toBe('done');

    // Independent: the fake storage's records against what the test put in the bucket.
    const expected: Record<DiffClass, { objects: number; bucketBytes: number; wesenditBytes: number }> = Object.fromEntries(
      DIFF_CLASSES.map((name) => [name, { objects: 0, bucketBytes: 0, wesenditBytes: 0 }]),
    ) as Record<DiffClass, { objects: number; bucketBytes: number; wesenditBytes: number }>;
    const wesendit = new Map(ui.storageFiles(STORAGE).map((file) => [file.key, file]));
    for (const [key, file] of wesendit) {
      const body = bucketFiles.get(key);
      if (body === undefined) {
        expected['only-in-wesendit'].objects += 1;
        expected['only-in-wesendit'].wesenditBytes += file.size;
      } else {
        const cls = md5(body) === file.md5 ? 'same' : 'conflict';
        expected[cls].objects += 1;
        expected[cls].bucketBytes += Buffer.byteLength(body);
        expected[cls].wesenditBytes += file.size;
      }
    }
    for (const [key, body] of bucketFiles) {
      if (wesendit.has(key)) continue;
      expected['only-in-bucket'].objects += 1;
      expected['only-in-bucket'].bucketBytes += Buffer.byteLength(body);
    }
    for (const name of DIFF_CLASSES) expect(state.summary?.totals.classes[name], name).toEqual(expected[name]);
    expect(expected.same.objects).toBe(120);
    expect(expected.conflict.objects).toBe(120);
    expect(state.wesenditObjects).toBe(1200);
    expect(state.advice).toBe('integrate');
    const alpha = await request<{ matching: number }>('preview.rows', { previewId: state.previewId, offset: 0, limit: 10, search: 'projects/ALPHA/' });
    expect(alpha.matching).toBe([...new Set([...wesendit.keys(), ...bucketFiles.keys()])].filter((key) => key.startsWith('Projects/Alpha/')).length);
  });
});
