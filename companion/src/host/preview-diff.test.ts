import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { diffInventories, type DiffRow } from '../../../shared/diff/diff-inventories.ts';
import { summarizeDiff } from '../../../shared/diff/summarize-diff.ts';
import type { BucketConnection, PreviewProgress } from '../../../shared/protocol/views.ts';
import { previewDiff, type PreviewDiffInput, type PreviewDiffOptions } from './preview-diff.ts';
import type { RequestContext } from './serve-native-host.ts';

const CONNECTION: BucketConnection = { endpoint: 'http://127.0.0.1:9', bucket: 'demo', accessKeyId: 'FAKEACCESSKEY', secretAccessKey: 'fake-secret-for-tests' };

const hex = (i: number, salt: string): string => `${salt}${i.toString(16)}`.padStart(32, '0').slice(-32);

/**
 * Both sides of a preview with every kind of row: per 8 keys 2 same, 1 conflict (MD5), 1 unknown
 * (no hash), 2 only in the bucket, 2 only in WeSendit; plus case twins for look-alikes.
 */
function inventories(count: number): { bucket: InventoryEntry[]; wesendit: InventoryEntry[] } {
  const bucket: InventoryEntry[] = [];
  const wesendit: InventoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    const key = `set-${String(Math.floor(i / 1000)).padStart(3, '0')}/file-${String(i).padStart(7, '0')}.dat`;
    const size = ((i * 7919) % 50_000) + 1;
    const inBucket: InventoryEntry = { key, size, lastModified: '2024-05-01T08:00:00.000Z', etag: hex(i, 'a') };
    const kind = i % 8;
    if (kind < 2) {
      bucket.push(inBucket);
      wesendit.push({ key, size, lastModified: '2024-05-02T08:00:00Z', md5: hex(i, 'a') });
    } else if (kind === 2) {
      bucket.push(inBucket);
      wesendit.push({ key, size, lastModified: '2024-04-30T08:00:00Z', md5: hex(i, 'b') });
    } else if (kind === 3) {
      bucket.push({ key, size });
      wesendit.push({ key, size });
    } else if (kind < 6) {
      bucket.push(inBucket);
    } else {
      wesendit.push({ key, size, md5: hex(i, 'c') });
    }
  }
  // Case twins: one key on each side, a look-alike row.
  bucket.push({ key: 'set-999/X.dat', size: 1 });
  wesendit.push({ key: 'set-999/x.dat', size: 1 });
  const order = (a: InventoryEntry, b: InventoryEntry): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return { bucket: bucket.sort(order), wesendit: wesendit.sort(order) };
}

async function expectedRows(bucket: readonly InventoryEntry[], wesendit: readonly InventoryEntry[]): Promise<DiffRow[]> {
  const rows: DiffRow[] = [];
  for await (const row of diffInventories(bucket, wesendit)) rows.push(row);
  return rows;
}

type Recorded = { readonly kind: 'progress'; readonly data: PreviewProgress } | { readonly kind: 'chunk'; readonly rows: readonly DiffRow[] };

/** A request context that records what the host would send, in order. */
function fakeContext(onChunk?: (rows: readonly DiffRow[], controller: AbortController) => Promise<void> | void): {
  context: RequestContext<'diff.preview'>;
  events: Recorded[];
  controller: AbortController;
} {
  const events: Recorded[] = [];
  const controller = new AbortController();
  const context: RequestContext<'diff.preview'> = {
    signal: controller.signal,
    progress: async (data) => {
      events.push({ kind: 'progress', data });
    },
    chunk: async (items) => {
      events.push({ kind: 'chunk', rows: [...items] });
      await onChunk?.(items, controller);
    },
  };
  return { context, events, controller };
}

async function* listingOf(entries: readonly InventoryEntry[]): AsyncGenerator<InventoryEntry> {
  for (const entry of entries) yield entry;
}

const chunkRows = (events: readonly Recorded[]): DiffRow[] => events.flatMap((event) => (event.kind === 'chunk' ? event.rows : []));
const rowsEvent = (events: readonly Recorded[]): number => events.findIndex((event) => event.kind === 'progress' && event.data.phase === 'rows');
const firstChunk = (events: readonly Recorded[]): number => events.findIndex((event) => event.kind === 'chunk');

describe('previewDiff', () => {
  let tempDir = '';
  beforeEach(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'preview-diff-test-'));
  });
  afterEach(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  const run = (wesendit: PreviewDiffInput['wesendit'], bucket: readonly InventoryEntry[], context: RequestContext<'diff.preview'>, options: PreviewDiffOptions = {}) =>
    previewDiff({ connection: CONNECTION, wesendit }, context, { listBucket: () => listingOf(bucket), tempDir, ...options });

  it('sends the totals before the first row, then every row of the merge in order, from memory without a spool file', async () => {
    const { bucket, wesendit } = inventories(5000);
    const expected = await expectedRows(bucket, wesendit);
    const spoolsSeen: string[][] = [];
    const { context, events } = fakeContext(async () => {
      spoolsSeen.push(await readdir(tempDir));
    });

    const summary = await run(wesendit, bucket, context);

    const totals = await summarizeDiff(expected);
    expect(totals.lookalikes).toBeGreaterThan(0);
    expect(totals.classes.unknown.objects).toBeGreaterThan(0);
    const at = rowsEvent(events);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(firstChunk(events)).toBeGreaterThan(at);
    expect(events[at]).toEqual({
      kind: 'progress',
      data: expect.objectContaining({ phase: 'rows', totals, rows: expected.length, bucketObjects: bucket.length, wesenditObjects: wesendit.length }),
    });
    expect(events.slice(at + 1).every((event) => event.kind === 'chunk')).toBe(true);
    expect(chunkRows(events)).toEqual(expected);
    expect(summary).toMatchObject({ totals, rows: expected.length, bucketObjects: bucket.length, wesenditObjects: wesendit.length });
    // The rows never went through a file.
    expect(spoolsSeen.length).toBeGreaterThan(1);
    expect(spoolsSeen.flat()).toEqual([]);
  });

  it.each([
    ['every row', 0],
    ['the rows beyond the memory limit', 1500],
  ])('spools %s to a private file, sends them after the totals in merge order, and removes the file', async (_name, memoryRowLimit) => {
    const { bucket, wesendit } = inventories(5000);
    const expected = await expectedRows(bucket, wesendit);
    const modes: { dir: number; file: number }[] = [];
    const { context, events } = fakeContext(async () => {
      const [dir, ...others] = await readdir(tempDir);
      expect(others).toEqual([]);
      expect(dir).toMatch(/^connect-guard-preview-/);
      const spoolDir = join(tempDir, dir ?? '');
      modes.push({ dir: (await stat(spoolDir)).mode & 0o777, file: (await stat(join(spoolDir, 'rows.ndjson'))).mode & 0o777 });
    });

    const summary = await run(wesendit, bucket, context, { memoryRowLimit });

    expect(firstChunk(events)).toBeGreaterThan(rowsEvent(events));
    expect(chunkRows(events)).toEqual(expected);
    expect(summary.rows).toBe(expected.length);
    expect(modes.length).toBeGreaterThan(1);
    expect(modes).toContainEqual({ dir: 0o700, file: 0o600 });
    expect(modes.every((mode) => mode.dir === 0o700 && mode.file === 0o600)).toBe(true);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it.each([
    ['all of it', undefined],
    ['part of it (the rest is listed after the upload is in)', 700],
  ])('merges an open upload sealed after the bucket listing read %s', async (_name, prefetchLimit) => {
    const { bucket, wesendit } = inventories(3000);
    const expected = await expectedRows(bucket, wesendit);
    let seal: (entries: readonly InventoryEntry[]) => void = () => undefined;
    const pending = new Promise<readonly InventoryEntry[]>((resolve) => {
      seal = resolve;
    });
    let listed = 0;
    let listingEnded: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      listingEnded = resolve;
    });
    async function* listing(): AsyncGenerator<InventoryEntry> {
      for (const entry of bucket) {
        listed += 1;
        if (prefetchLimit !== undefined && listed === prefetchLimit) listingEnded();
        yield entry;
      }
      listingEnded();
    }
    const { context, events } = fakeContext();

    const running = previewDiff({ connection: CONNECTION, wesendit: { pending } }, context, {
      listBucket: listing,
      tempDir,
      ...(prefetchLimit === undefined ? {} : { prefetchLimit }),
    });
    await ended;
    seal(wesendit);
    const summary = await running;

    expect(chunkRows(events)).toEqual(expected);
    expect(firstChunk(events)).toBeGreaterThan(rowsEvent(events));
    expect(summary).toMatchObject({ rows: expected.length, bucketObjects: bucket.length, wesenditObjects: wesendit.length });
  });

  it.each([
    ['from memory', undefined],
    ['from the spool', 0],
  ])('stops sending rows %s on cancel and leaves no file behind', async (_name, memoryRowLimit) => {
    const { bucket, wesendit } = inventories(5000);
    const cancelled = new ConnectGuardError('CANCELLED', 'Cancelled.');
    const { context, events } = fakeContext((_rows, controller) => controller.abort(cancelled));

    await expect(run(wesendit, bucket, context, memoryRowLimit === undefined ? {} : { memoryRowLimit })).rejects.toBe(cancelled);

    expect(events.filter((event) => event.kind === 'chunk')).toHaveLength(1);
    expect(rowsEvent(events)).toBeGreaterThanOrEqual(0);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('reports a listing failure at once while the upload is still open, and leaves no file behind', async () => {
    const wrongKey = new ConnectGuardError('WRONG_SECRET_KEY', 'The Secret Key is wrong.');
    async function* failing(): AsyncGenerator<InventoryEntry> {
      yield { key: 'a', size: 1 };
      throw wrongKey;
    }
    const { context, events } = fakeContext();
    const never = new Promise<readonly InventoryEntry[]>(() => undefined);

    await expect(previewDiff({ connection: CONNECTION, wesendit: { pending: never } }, context, { listBucket: failing, tempDir, memoryRowLimit: 0 })).rejects.toBe(wrongKey);

    expect(events.some((event) => event.kind === 'chunk')).toBe(false);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('sends only the totals when the rows are not wanted', async () => {
    const { bucket, wesendit } = inventories(2000);
    const expected = await expectedRows(bucket, wesendit);
    const { context, events } = fakeContext();

    const summary = await previewDiff({ connection: CONNECTION, wesendit, includeRows: false }, context, { listBucket: () => listingOf(bucket), tempDir, memoryRowLimit: 0 });

    expect(events.some((event) => event.kind === 'chunk')).toBe(false);
    expect(events[rowsEvent(events)]).toMatchObject({ data: { rows: 0, totals: await summarizeDiff(expected) } });
    expect(summary.rows).toBe(0);
    expect(await readdir(tempDir)).toEqual([]);
  });
});
