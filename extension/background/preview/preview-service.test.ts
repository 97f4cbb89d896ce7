import { countInventoryLines, packInventoryLines, unpackInventoryLines } from '../../../shared/inventory-lines.ts';
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { diffInventories, type DiffRow } from '../../../shared/diff/diff-inventories.ts';
import { summarizeDiff } from '../../../shared/diff/summarize-diff.ts';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { COMPANION_PROTOCOL_VERSION, type CompanionRequestData, type CompanionRequestType, type CompanionResult } from '../../../shared/protocol/companion-protocol.ts';
import type { DiffPreviewSummary, DoctorReport } from '../../../shared/protocol/views.ts';
import type { CompanionRequestOptions } from '../../adapters/companion-port.ts';
import { ConnectFormRegistry } from './connect-form-registry.ts';
import { resolveConnectionSource, credentialsFromConnection } from './resolve-connection-source.ts';
import { exportRowsPerPart } from './preview-report.ts';
import { createMemoryPreviewArchive, type PreviewArchive } from './preview-archive.ts';
import type { CompanionClient } from '../companion/companion-client.ts';
import { INTERRUPTED_MESSAGE, PreviewService } from './preview-service.ts';

const SECRET = 'fake-secret-for-preview-tests-0001';
const DIRECT = { kind: 'direct', connection: { endpoint: 'http://127.0.0.1:9', bucket: 'demo', accessKeyId: 'AKFAKE', secretAccessKey: SECRET } } as const;

interface Call {
  readonly type: CompanionRequestType;
  readonly data: unknown;
  readonly options: CompanionRequestOptions<CompanionRequestType>;
}

/** Plays the companion: records requests; diff.preview waits for the test to finish it. */
class FakeCompanion implements CompanionClient {
  readonly calls: Call[] = [];
  previewOptions: CompanionRequestOptions<'diff.preview'> | undefined;
  private finishPreview: ((summary: DiffPreviewSummary) => void) | undefined;
  private failPreview: ((error: Error) => void) | undefined;
  doctorReport: DoctorReport = { ok: false, checks: [{ name: 'secret key', status: 'fail', code: 'WRONG_SECRET_KEY', message: 'The Secret Key is wrong.' }] };

  request<T extends CompanionRequestType>(type: T, data: CompanionRequestData<T>, options: CompanionRequestOptions<T> = {}): Promise<CompanionResult<T>> {
    this.calls.push({ type, data, options });
    return new Promise((resolve, reject) => {
      options.signal?.addEventListener('abort', () => reject(new ConnectGuardError('CANCELLED', 'Cancelled.')));
      const answer = (value: unknown): void => resolve(value as CompanionResult<T>);
      if (type === 'ping') answer({ version: '0.1.0', protocolVersion: COMPANION_PROTOCOL_VERSION, pid: 1 });
      else if (type === 'inventory.upload') answer({ staged: 0 });
      else if (type === 'doctor') answer(this.doctorReport);
      else {
        this.previewOptions = options as CompanionRequestOptions<'diff.preview'>;
        this.finishPreview = answer;
        this.failPreview = reject;
      }
    });
  }

  async streamRows(rows: readonly DiffRow[]): Promise<void> {
    await until(() => this.previewOptions !== undefined);
    this.previewOptions?.onProgress?.({ phase: 'listing', objects: rows.length, bytes: 0, rate: 1000, elapsedMs: 5 });
    for (let i = 0; i < rows.length; i += 2) this.previewOptions?.onChunk?.(rows.slice(i, i + 2), i / 2);
  }

  /** The companion's totals ahead of the rows (progress phase 'rows'). */
  async sendTotals(summary: DiffPreviewSummary): Promise<void> {
    await until(() => this.previewOptions !== undefined);
    const { totals, rows, bucketObjects, wesenditObjects, elapsedMs } = summary;
    this.previewOptions?.onProgress?.({ phase: 'rows', objects: bucketObjects, bytes: 0, rate: 1000, elapsedMs, totals, rows, bucketObjects, wesenditObjects });
  }

  finish(summary: DiffPreviewSummary): void {
    this.finishPreview?.(summary);
  }

  fail(error: Error): void {
    this.failPreview?.(error);
  }

  ofType(type: CompanionRequestType): Call[] {
    return this.calls.filter((call) => call.type === type);
  }
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  if (!(await condition())) throw new Error('condition never met');
}

async function sample(): Promise<{ rows: DiffRow[]; summary: DiffPreviewSummary }> {
  const bucket: InventoryEntry[] = [
    { key: 'a.txt', size: 1, etag: '0'.repeat(32) },
    { key: 'b.txt', size: 2, etag: '1'.repeat(32), lastModified: '2026-01-01T00:00:00.000Z' },
  ];
  const wesendit: InventoryEntry[] = [
    { key: 'b.txt', size: 2, md5: '2'.repeat(32), lastModified: '2026-02-01T00:00:00.000Z' },
    { key: 'c.txt', size: 3 },
  ];
  const rows: DiffRow[] = [];
  for await (const row of diffInventories(bucket, wesendit)) rows.push(row);
  const totals = await summarizeDiff(rows);
  return { rows, summary: { totals, rows: rows.length, bucketObjects: 2, wesenditObjects: 2, elapsedMs: 5 } };
}

function setup(options: { locked?: boolean; listingIdleMs?: number; archive?: PreviewArchive } = {}) {
  const companion = new FakeCompanion();
  const forms = new ConnectFormRegistry();
  const collected: { tabId: number; listingId: string }[] = [];
  let counter = 0;
  const service = new PreviewService({
    companion,
    newId: () => `id${++counter}`,
    resolve: (source) =>
      resolveConnectionSource(source, {
        forms,
        vault: {
          isUnlocked: () => !options.locked,
          getStorageCredentials: async () => ({ storageName: 'NAS', permissions: '', allowedIps: '203.0.113.7', serverAddress: 'http://127.0.0.1:9', bucketName: 'demo', accessKey: 'AKFAKE', secretKey: SECRET }),
        },
      }),
    collectListing: async (tabId, listingId) => {
      collected.push({ tabId, listingId });
      return { started: true };
    },
    ...(options.listingIdleMs ? { listingIdleMs: options.listingIdleMs } : {}),
    ...(options.archive ? { archive: options.archive } : {}),
  });
  return { service, companion, forms, collected };
}

describe('PreviewService across restarts of the worker', () => {
  it('a finished preview comes back in a new worker with its summary, rows, filters and report; the archive holds no secret', async () => {
    const archive = createMemoryPreviewArchive();
    const before = setup({ archive });
    const { rows, summary } = await sample();
    const { previewId } = await before.service.start(DIRECT, { kind: 'manifest', path: '/tmp/wesendit.csv' }, undefined);
    await before.companion.streamRows(rows);
    before.companion.finish(summary);
    await until(async () => (await before.service.state(previewId)).status === 'done');
    await before.service.flush();
    const done = await before.service.state(previewId);

    // The browser stopped the idle worker; a new one starts with nothing in memory.
    const after = setup({ archive }).service;
    expect(await after.latest()).toEqual(done);
    expect(await after.state(previewId)).toEqual(done);
    expect(await after.rows({ previewId, offset: 0, limit: 10 })).toEqual(await before.service.rows({ previewId, offset: 0, limit: 10 }));
    expect(await after.rows({ previewId, offset: 0, limit: 10, classes: ['conflict'] })).toMatchObject({ matching: 1, rows: [{ key: 'b.txt' }] });
    expect(await after.exportPart(previewId, 'csv', 0)).toEqual(await before.service.exportPart(previewId, 'csv', 0));
    expect(serialize(archive.saved).includes(Buffer.from(SECRET))).toBe(false);
  });

  it('a preview that was running when the worker stopped comes back failed, saying why, and a new one replaces it', async () => {
    const archive = createMemoryPreviewArchive();
    const before = setup({ archive });
    const { previewId } = await before.service.start(DIRECT, { kind: 'manifest', path: '/tmp/wesendit.csv' }, undefined);
    await before.service.flush();
    const after = setup({ archive });
    expect(await after.service.latest()).toMatchObject({ previewId, status: 'failed', error: { code: 'CANCELLED', message: INTERRUPTED_MESSAGE } });
    const next = await after.service.start(DIRECT, { kind: 'empty' }, undefined);
    expect((await after.service.latest())?.previewId).toBe(next.previewId);
    await after.service.flush();
    expect((await setup({ archive }).service.latest())?.previewId).toBe(next.previewId);
  });

  it('a damaged or unreadable archive loses only the copy: the service starts empty and works', async () => {
    const { rows, summary } = await sample();
    const archive = createMemoryPreviewArchive();
    const before = setup({ archive });
    const { previewId } = await before.service.start(DIRECT, { kind: 'manifest', path: '/tmp/wesendit.csv' }, undefined);
    await before.companion.streamRows(rows);
    before.companion.finish(summary);
    await until(async () => (await before.service.state(previewId)).status === 'done');
    await before.service.flush();
    const saved = archive.saved.at(-1);
    const savedRows = saved?.rows;
    if (!saved || !savedRows) throw new Error('no rows were archived');
    const damaged: PreviewArchive = { save: async () => undefined, load: async () => ({ ...saved, rows: { ...savedRows, keys: [] } }) };
    expect(await setup({ archive: damaged }).service.latest()).toBeNull();
    const failing: PreviewArchive = { save: async () => Promise.reject(new Error('disk full')), load: async () => Promise.reject(new Error('no database')) };
    const { service, companion } = setup({ archive: failing });
    expect(await service.latest()).toBeNull();
    const started = await service.start(DIRECT, { kind: 'manifest', path: '/tmp/wesendit.csv' }, undefined);
    await companion.streamRows(rows);
    companion.finish(summary);
    await until(async () => (await service.state(started.previewId)).status === 'done');
  });
});

describe('PreviewService', () => {
  it('runs a preview from a manifest: rows stored, summary and advice, paged rows, report parts, no secret in any state', async () => {
    const { service, companion } = setup();
    const { rows, summary } = await sample();
    const first = service.start(DIRECT, { kind: 'manifest', path: '/tmp/wesendit.csv' }, undefined);
    const state = await first;
    expect(state).toMatchObject({ status: 'listing', bucket: { endpoint: 'http://127.0.0.1:9', bucket: 'demo', accessKeyId: 'AKFAKE' } });
    await companion.streamRows(rows);
    expect((await service.state(state.previewId)).progress).toMatchObject({ objects: 3 });
    companion.finish(summary);
    await until(async () => (await service.state(state.previewId)).status === 'done');
    const done = await service.state(state.previewId);
    expect(done).toMatchObject({ status: 'done', advice: 'integrate', summary: { rows: 3 } });
    expect(companion.ofType('diff.preview')[0]?.data).toMatchObject({ wesendit: { kind: 'manifest', path: '/tmp/wesendit.csv' }, connection: { secretAccessKey: SECRET } });
    expect(await service.rows({ previewId: state.previewId, offset: 0, limit: 10, classes: ['conflict'] })).toMatchObject({ matching: 1, rows: [{ key: 'b.txt' }] });
    expect((await service.rows({ previewId: state.previewId, offset: 0, limit: 10, atRisk: 'wesendit-wins' })).rows.map((row) => row.key)).toEqual(['b.txt']);
    const csv = await service.exportPart(state.previewId, 'csv', 0);
    expect(csv).toMatchObject({ parts: 1, mimeType: 'text/csv', fileName: expect.stringMatching(/^connect-guard-preview-demo-.*\.csv$/) });
    expect(csv.text.split('\r\n')).toHaveLength(rows.length + 2);
    const ndjson = (await service.exportPart(state.previewId, 'ndjson', 0)).text.trim().split('\n');
    expect(ndjson.map((line) => JSON.parse(line).type)).toEqual(['row', 'row', 'row', 'totals']);
    await expect(service.exportPart(state.previewId, 'csv', 1)).rejects.toThrow(/parts 0 to 0/);
    expect(JSON.stringify([state, done, await service.latest()])).not.toContain(SECRET);
    // A few MB per part whatever the keys' length: ~9,000 rows of 30-character keys, 500 of 1,024-character keys.
    expect(exportRowsPerPart(30)).toBeGreaterThan(8000);
    expect(exportRowsPerPart(1024) * (2 * 1024 + 400)).toBeLessThan(8 * 1024 * 1024);
  });

  it('shows the summary as soon as the totals arrive, counts rows while they load, and is done only with every row stored', async () => {
    const { service, companion } = setup();
    const { rows, summary } = await sample();
    const state = await service.start(DIRECT, { kind: 'manifest', path: '/tmp/wesendit.csv' }, undefined);
    await companion.sendTotals(summary);
    expect(await service.state(state.previewId)).toMatchObject({ status: 'loading-rows', advice: 'integrate', summary: { totals: summary.totals, rows: 3, bucketObjects: 2, wesenditObjects: 2 }, rowsLoaded: 0, rowsTotal: 3 });
    await expect(service.exportPart(state.previewId, 'csv', 0)).rejects.toThrow(/not finished/);
    companion.previewOptions?.onChunk?.(rows.slice(0, 2), 0);
    expect(await service.state(state.previewId)).toMatchObject({ status: 'loading-rows', rowsLoaded: 2, rowsTotal: 3 });
    // The rows that arrived can be paged already.
    expect((await service.rows({ previewId: state.previewId, offset: 0, limit: 10 })).rows.map((row) => row.key)).toEqual(['a.txt', 'b.txt']);
    companion.previewOptions?.onChunk?.(rows.slice(2), 1);
    expect((await service.state(state.previewId)).status).toBe('loading-rows');
    companion.finish(summary);
    await until(async () => (await service.state(state.previewId)).status === 'done');
    expect(await service.state(state.previewId)).toMatchObject({ status: 'done', rowsLoaded: 3, rowsTotal: 3, summary: { rows: 3 } });
    expect((await service.exportPart(state.previewId, 'csv', 0)).text.split('\r\n')).toHaveLength(rows.length + 2);
  });

  it('cancel while the rows load ends the preview as cancelled; a late progress changes nothing', async () => {
    const { service, companion } = setup();
    const { summary } = await sample();
    const state = await service.start(DIRECT, { kind: 'manifest', path: '/tmp/wesendit.csv' }, undefined);
    await companion.sendTotals(summary);
    expect((await service.cancel(state.previewId)).status).toBe('cancelled');
    await companion.sendTotals(summary);
    expect((await service.state(state.previewId)).status).toBe('cancelled');
  });

  it('a large report comes in parts: header once, every row once, the totals at the very end', async () => {
    const { service, companion } = setup();
    const state = await service.start(DIRECT, { kind: 'empty' }, undefined);
    const rows: DiffRow[] = Array.from({ length: 25_000 }, (_, i) => ({ key: `k${String(i).padStart(6, '0')}`, class: 'only-in-bucket', reason: 'only in the bucket', bucket: { key: `k${String(i).padStart(6, '0')}`, size: i }, wesendit: undefined, outcome: undefined, lookalikeOf: undefined }));
    await companion.streamRows(rows);
    const { summary } = await sample();
    companion.finish({ ...summary, rows: rows.length });
    await until(async () => (await service.state(state.previewId)).status === 'done');
    const first = await service.exportPart(state.previewId, 'csv', 0);
    expect(first.parts).toBe(Math.ceil(rows.length / exportRowsPerPart(7)));
    expect(first.parts).toBeGreaterThan(1);
    const csv = await Promise.all(Array.from({ length: first.parts }, async (_, part) => (await service.exportPart(state.previewId, 'csv', part)).text));
    expect(csv.slice(1).every((text) => !text.startsWith('key,'))).toBe(true);
    expect(csv.join('').trimEnd().split('\r\n')).toHaveLength(rows.length + 1);
    const ndjson = (await Promise.all(Array.from({ length: first.parts }, async (_, part) => (await service.exportPart(state.previewId, 'ndjson', part)).text))).join('').trim().split('\n');
    expect(ndjson).toHaveLength(rows.length + 1);
    expect(ndjson.map((line) => JSON.parse(line).type).filter((type) => type === 'totals')).toEqual(['totals']);
    expect(JSON.parse(ndjson.at(-1) ?? '{}').type).toBe('totals');
  });

  it('an empty bucket is a Fresh Start', async () => {
    const { service, companion } = setup();
    const state = await service.start(DIRECT, { kind: 'empty' }, undefined);
    await until(() => companion.previewOptions !== undefined);
    expect(companion.ofType('diff.preview')[0]?.data).toMatchObject({ wesendit: { kind: 'inline', entries: [] } });
    const { summary } = await sample();
    companion.finish({ ...summary, bucketObjects: 0 });
    await until(async () => (await service.state(state.previewId)).status === 'done');
    expect((await service.state(state.previewId)).advice).toBe('fresh-start');
  });

  it('a tab listing: open upload first, listing.collect to the tab, batches forwarded in order with the seal last, only from that tab', async () => {
    const { service, companion, forms, collected } = setup();
    const form = forms.add({ values: { provider: 'Other S3', endpoint: 'http://127.0.0.1:9', region: '', bucket: 'demo', accessKey: 'AKFAKE', secretKey: SECRET }, origin: 'http://127.0.0.1:1', tabId: 42, frameId: 0 });
    const state = await service.start({ kind: 'form', formId: form.formId }, { kind: 'tab' }, undefined);
    expect(state.status).toBe('reading-wesendit');
    await until(() => collected.length === 1);
    const listingId = collected[0]?.listingId ?? '';
    expect(collected[0]?.tabId).toBe(42);
    expect(companion.ofType('inventory.upload')[0]?.data).toEqual({ uploadId: listingId, entries: [], done: false });
    expect(companion.ofType('diff.preview')[0]?.data).toMatchObject({ wesendit: { kind: 'upload', uploadId: listingId } });
    await expect(service.acceptListingBatch(7, { listingId, lines: '', count: 0, done: false })).rejects.toMatchObject({ code: 'FORBIDDEN_SENDER' });
    await expect(service.acceptListingBatch(42, { listingId: 'other', lines: '', count: 0, done: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const entries = Array.from({ length: 12_000 }, (_, i) => ({ key: `f${i}`, size: i }));
    await expect(service.acceptListingBatch(42, { listingId, lines: packInventoryLines(entries.slice(0, 2)), count: 2, done: false })).resolves.toEqual({ accepted: 2 });
    await expect(service.acceptListingBatch(42, { listingId, lines: packInventoryLines(entries.slice(2)), count: 11_998, done: true })).resolves.toEqual({ accepted: 11_998 });
    const uploads = companion.ofType('inventory.upload').map((call) => call.data);
    expect(uploads.slice(1).map((data) => [countInventoryLines(String(Reflect.get(Object(data), 'lines'))), Reflect.get(Object(data), 'done')])).toEqual([
      [2, undefined],
      [5000, undefined],
      [5000, undefined],
      [1998, true],
    ]);
    // Passed on unchanged and in order: the companion unpacks exactly the tab's entries.
    expect(uploads.slice(1).flatMap((data) => unpackInventoryLines(String(Reflect.get(Object(data), 'lines'))))).toEqual(entries);
    expect(await service.state(state.previewId)).toMatchObject({ status: 'listing', wesenditObjects: 12_000 });
    await expect(service.acceptListingBatch(42, { listingId, lines: '', count: 0, done: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a listing error from the tab fails the preview with it, without a doctor run', async () => {
    const { service, companion, forms, collected } = setup();
    const form = forms.add({ values: { provider: '', endpoint: 'http://127.0.0.1:9', region: '', bucket: 'demo', accessKey: 'AKFAKE', secretKey: SECRET }, origin: 'o', tabId: 3, frameId: 0 });
    const state = await service.start({ kind: 'form', formId: form.formId }, { kind: 'tab' }, undefined);
    await until(() => collected.length === 1);
    await service.acceptListingBatch(3, { listingId: collected[0]?.listingId ?? '', lines: '', count: 0, done: false, error: { code: 'WESENDIT_LISTING_FAILED', message: 'No file browser.' } });
    await until(async () => (await service.state(state.previewId)).status === 'failed');
    expect(await service.state(state.previewId)).toMatchObject({ error: { code: 'WESENDIT_LISTING_FAILED' } });
    expect((await service.state(state.previewId)).doctor).toBeUndefined();
    expect(companion.ofType('doctor')).toHaveLength(0);
  });

  it('a tab that stops sending fails the preview after the idle limit', async () => {
    const { service, forms } = setup({ listingIdleMs: 20 });
    const form = forms.add({ values: { provider: '', endpoint: 'http://127.0.0.1:9', region: '', bucket: 'demo', accessKey: 'AKFAKE', secretKey: SECRET }, origin: 'o', tabId: 3, frameId: 0 });
    const state = await service.start({ kind: 'form', formId: form.formId }, { kind: 'tab' }, undefined);
    await until(async () => (await service.state(state.previewId)).status === 'failed');
    expect((await service.state(state.previewId)).error).toMatchObject({ code: 'TIMEOUT', message: expect.stringMatching(/sent no part of its file list/) });
  });

  it('a connection failure attaches the doctor’s report (with the vault record’s allowed IPs)', async () => {
    const { service, companion } = setup();
    const state = await service.start({ kind: 'vault', storageId: 'rec1' }, { kind: 'empty' }, undefined);
    await until(() => companion.previewOptions !== undefined);
    companion.fail(new ConnectGuardError('WRONG_SECRET_KEY', 'The Secret Key does not match.'));
    await until(async () => (await service.state(state.previewId)).status === 'failed');
    expect(await service.state(state.previewId)).toMatchObject({ error: { code: 'WRONG_SECRET_KEY' }, doctor: { ok: false, checks: [{ name: 'secret key', code: 'WRONG_SECRET_KEY' }] } });
    expect(companion.ofType('doctor')[0]?.data).toMatchObject({ allowedIps: '203.0.113.7' });
  });

  it('cancel ends the preview as cancelled and aborts the companion request', async () => {
    const { service, companion } = setup();
    const state = await service.start(DIRECT, { kind: 'empty' }, undefined);
    await until(() => companion.previewOptions !== undefined);
    expect((await service.cancel(state.previewId)).status).toBe('cancelled');
    expect(companion.previewOptions?.signal?.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await service.state(state.previewId)).status).toBe('cancelled');
    expect((await service.latest())?.previewId).toBe(state.previewId);
  });

  it('a locked vault is VAULT_LOCKED before anything starts; unknown previews and forms are NOT_FOUND', async () => {
    const { service, companion } = setup({ locked: true });
    await expect(service.start({ kind: 'vault', storageId: 'rec1' }, { kind: 'empty' }, undefined)).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
    await expect(service.start({ kind: 'form', formId: 'nope' }, { kind: 'empty' }, undefined)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(companion.calls).toHaveLength(0);
    await expect(service.state('nope')).rejects.toThrow(/no longer in memory/);
    expect(await service.latest()).toBeNull();
  });

  it('a tab source without a tab says which tab is missing', async () => {
    const { service } = setup();
    await expect(service.start(DIRECT, { kind: 'tab' }, undefined)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/Which tab/) });
  });
});

describe('connections from fields', () => {
  it('an AWS form with a region only gets that region’s endpoint; saving keeps the region', async () => {
    const forms = new ConnectFormRegistry();
    const form = forms.add({ values: { provider: 'AWS', endpoint: '', region: 'eu-central-1', bucket: 'b', accessKey: 'AK', secretKey: 'S' }, origin: 'o', tabId: 1, frameId: 0 });
    const resolved = await resolveConnectionSource({ kind: 'form', formId: form.formId }, { forms, vault: { isUnlocked: () => false, getStorageCredentials: () => Promise.reject(new Error('unused')) } });
    expect(resolved.connection).toEqual({ endpoint: 'https://s3.eu-central-1.amazonaws.com', region: 'eu-central-1', bucket: 'b', accessKeyId: 'AK', secretAccessKey: 'S' });
    expect(credentialsFromConnection(resolved.connection, 'My bucket')).toEqual({ storageName: 'My bucket', permissions: '', allowedIps: '', serverAddress: 'eu-central-1', bucketName: 'b', accessKey: 'AK', secretKey: 'S' });
  });

  it('names every missing field', async () => {
    const forms = new ConnectFormRegistry();
    const form = forms.add({ values: { provider: '', endpoint: '', region: '', bucket: '', accessKey: '', secretKey: '' }, origin: 'o', tabId: 1, frameId: 0 });
    await expect(resolveConnectionSource({ kind: 'form', formId: form.formId }, { forms, vault: { isUnlocked: () => true, getStorageCredentials: () => Promise.reject(new Error('unused')) } })).rejects.toMatchObject({
      code: 'MISSING_CREDENTIALS',
      message: expect.stringMatching(/endpoint.*bucket name.*Access Key.*Secret Key/),
    });
  });
});
