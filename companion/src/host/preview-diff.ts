import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { diffInventoryBatches } from '../../../shared/diff/diff-inventories.ts';
import { DiffTally } from '../../../shared/diff/summarize-diff.ts';
import { checkChunk } from '../../../shared/protocol/companion-guards.ts';
import type { BucketConnection, DiffPreviewSummary } from '../../../shared/protocol/views.ts';
import type { DiffRow } from '../../../shared/diff/diff-inventories.ts';
import { openPreviewPlan } from '../audit/save-backup-plan.ts';
import { listLocalFolder } from '../inventory/list-local-folder.ts';
import { readManifestBatches } from '../inventory/read-manifest.ts';
import { listBucketObjects } from '../s3/list-bucket-objects.ts';
import { createS3Client } from '../s3/s3-client.ts';
import type { RequestContext } from './serve-native-host.ts';

export interface PreviewDiffInput {
  readonly connection: BucketConnection;
  readonly prefix?: string;
  /**
   * WeSendit entries in S3 order; a manifest file or a local folder to read; or entries still
   * arriving (an open upload): the bucket is listed meanwhile, up to {@link PREFETCH_LIMIT}
   * entries ahead.
   */
  readonly wesendit:
    | readonly InventoryEntry[]
    | { readonly manifestPath: string }
    | { readonly folderPath: string }
    | { readonly pending: Promise<readonly InventoryEntry[]> };
  readonly includeRows?: boolean;
}

/** How a preview runs; the defaults serve the browser. */
export interface PreviewDiffOptions {
  /** Lists the bucket in S3 key order; by default the connection's S3 listing. */
  readonly listBucket?: (signal: AbortSignal) => AsyncIterable<InventoryEntry>;
  /** Rows kept in memory before the rest goes to the spool file; default {@link MEMORY_ROW_LIMIT}. */
  readonly memoryRowLimit?: number;
  /** Bucket entries listed ahead of an open upload; default {@link PREFETCH_LIMIT}. */
  readonly prefetchLimit?: number;
  /** Where the spool's private folder is made; default the system's temporary folder. */
  readonly tempDir?: string;
  /**
   * The backups root where the preview's predictions are kept as the bucket's latest preview
   * plan (a verified backup at the connect turns it into the plan beside the backup); none: not kept.
   */
  readonly planRoot?: string;
}

const PROGRESS_INTERVAL_MS = 250;
/**
 * Rows kept in memory and serialized only after the totals went out (≈ 170 bytes each beside
 * their entries: 140k rows of a mixed preview held 23 MB); rows beyond go through the spool file,
 * so a preview of millions stays flat in memory.
 */
export const MEMORY_ROW_LIMIT = 300_000;
/** Rows read back from the spool per `context.chunk` call; the host splits them further by bytes. */
const SPOOL_CHUNK_ROWS = 1024;

/** Writes text to the spool, waiting while its buffer is full so memory stays flat. */
async function writeSpool(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function closeSpool(stream: WriteStream): Promise<void> {
  if (stream.closed) return;
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/**
 * Reads the spooled rows back as arrays of at most {@link SPOOL_CHUNK_ROWS}. The file is checked
 * like a chunk from the host, so a damaged spool is an error, not a wrong row in the browser.
 */
async function* readSpool(path: string, signal: AbortSignal): AsyncGenerator<readonly DiffRow[]> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let batch: string[] = [];
  const parse = (): readonly DiffRow[] => {
    const checked = checkChunk('diff.preview', JSON.parse(`[${batch.join(',')}]`));
    batch = [];
    if (!checked.ok) throw new ConnectGuardError('INTERNAL', `The preview's temporary row file was damaged (${checked.problem}). Run the preview again.`);
    return checked.value;
  };
  try {
    for await (const line of lines) {
      if (signal.aborted) throw signal.reason;
      if (line === '') continue;
      batch.push(line);
      if (batch.length >= SPOOL_CHUNK_ROWS) yield parse();
    }
    if (batch.length > 0) yield parse();
  } finally {
    lines.close();
  }
}

/**
 * Bucket entries listed ahead while the WeSendit side is still arriving (≈ 300 bytes each in
 * memory): enough to overlap both listings of a 100k-object bucket; beyond it the listing waits.
 */
export const PREFETCH_LIMIT = 250_000;

/**
 * Pulls `source` into memory (up to `limit` items) until `stop()`; then hands out what it read
 * followed by the rest of `source`. A failure of `source` while prefetching rejects `failed` at
 * once, so a wrong key is reported without waiting for the other side.
 */
class Prefetch<T> {
  private readonly buffer: T[] = [];
  private stopped = false;
  private ended = false;
  private readonly pump: Promise<void>;
  /** Rejects when the source fails while prefetching; never resolves. */
  readonly failed: Promise<never>;

  constructor(
    private readonly source: AsyncIterator<T>,
    limit: number,
  ) {
    let fail: (error: unknown) => void = () => undefined;
    this.failed = new Promise<never>((_resolve, reject) => {
      fail = reject;
    });
    // Handled where it is raced; unobserved otherwise.
    this.failed.catch(() => undefined);
    this.pump = (async () => {
      while (!this.stopped && this.buffer.length < limit) {
        const next = await source.next();
        if (next.done) {
          this.ended = true;
          return;
        }
        this.buffer.push(next.value);
      }
    })().catch((error: unknown) => {
      fail(error);
      throw error;
    });
    this.pump.catch(() => undefined);
  }

  /**
   * Stops prefetching; hands out what was read as one array (one step for the merge instead of
   * one promise per entry), then the rest of the source entry by entry.
   */
  async *drain(): AsyncGenerator<T | readonly T[]> {
    this.stopped = true;
    await this.pump;
    const items = this.buffer.splice(0);
    if (items.length > 0) yield items;
    if (this.ended) return;
    for (;;) {
      const next = await this.source.next();
      if (next.done) return;
      yield next.value;
    }
  }
}

/** The connection's S3 listing, with the client it needs; `close` releases the client's sockets. */
function openS3Listing(input: PreviewDiffInput, signal: AbortSignal): { readonly entries: AsyncIterable<InventoryEntry>; close(): void } {
  const { connection } = input;
  const client = createS3Client({
    endpoint: connection.endpoint,
    accessKeyId: connection.accessKeyId,
    secretAccessKey: connection.secretAccessKey,
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.sessionToken ? { sessionToken: connection.sessionToken } : {}),
  });
  const entries = listBucketObjects({
    client,
    bucket: connection.bucket,
    endpoint: connection.endpoint,
    signal,
    ...(input.prefix ? { prefix: input.prefix } : {}),
  });
  return { entries, close: () => client.destroy() };
}

/**
 * Lists the bucket and diffs it against the WeSendit side as the listing streams in. The merge
 * runs at full speed and only tallies: the first {@link MEMORY_ROW_LIMIT} rows stay in memory as
 * they are, rows beyond go to a private temporary spool file. The totals go out as soon as the
 * merge is done, as a progress event with phase 'rows'; then the rows follow as chunks in merge
 * order, those in memory first, then the spooled ones (the pipe's backpressure paces both), then
 * the final summary. Serializing the rows after the totals, not before, is what lets the summary
 * appear early. The spool holds keys, sizes and ETags only and is removed when the request ends,
 * however it ends. The connection's secret lives in the S3 client of this call only.
 */
export async function previewDiff(input: PreviewDiffInput, context: RequestContext<'diff.preview'>, options: PreviewDiffOptions = {}): Promise<DiffPreviewSummary> {
  const started = Date.now();
  const { signal } = context;
  const listing = options.listBucket ? { entries: options.listBucket(signal), close: () => undefined } : openS3Listing(input, signal);
  const memoryRowLimit = Math.max(0, options.memoryRowLimit ?? MEMORY_ROW_LIMIT);
  let bucketObjects = 0;
  let bucketBytes = 0;
  let wesenditObjects = 0;
  let lastProgress = 0;
  const progress = async (phase: 'listing', force = false): Promise<void> => {
    const now = Date.now();
    if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    const elapsedMs = now - started;
    await context.progress({ phase, objects: bucketObjects, bytes: bucketBytes, rate: elapsedMs > 0 ? Math.round((bucketObjects * 1000) / elapsedMs) : 0, elapsedMs });
  };
  async function* bucket(): AsyncGenerator<InventoryEntry> {
    for await (const entry of listing.entries) {
      bucketObjects += 1;
      bucketBytes += entry.size;
      yield entry;
    }
  }
  let ready: readonly InventoryEntry[] | undefined;
  async function* wesendit(): AsyncGenerator<readonly InventoryEntry[]> {
    const source = input.wesendit;
    if ('manifestPath' in source) {
      for await (const batch of readManifestBatches(source.manifestPath)) {
        wesenditObjects += batch.length;
        yield batch;
      }
    } else if ('folderPath' in source) {
      let batch: InventoryEntry[] = [];
      for await (const entry of listLocalFolder(source.folderPath, { signal })) {
        batch.push(entry);
        wesenditObjects += 1;
        if (batch.length >= 1024) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } else {
      const entries = 'pending' in source ? (ready ?? []) : source;
      wesenditObjects = entries.length;
      yield entries;
    }
  }
  const tally = new DiffTally();
  const includeRows = input.includeRows ?? true;
  /** Merge batches held for sending, in order; they precede every spooled row. */
  const kept: (readonly DiffRow[])[] = [];
  let keptRows = 0;
  let spooledRows = 0;
  let spoolDir: string | undefined;
  let spool: WriteStream | undefined;
  const openSpool = async (): Promise<WriteStream> => {
    // mkdtemp creates the folder with mode 0700: other users of the machine cannot read the keys.
    spoolDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'connect-guard-preview-'));
    const stream = createWriteStream(join(spoolDir, 'rows.ndjson'), { flags: 'wx', mode: 0o600 });
    // Reported where it is written or closed; unobserved otherwise.
    stream.on('error', () => undefined);
    return stream;
  };
  const source = input.wesendit;
  const wesenditSource = 'manifestPath' in source ? `manifest ${basename(source.manifestPath)}` : 'folderPath' in source ? `folder ${source.folderPath}` : 'WeSendit file browser';
  const plan =
    options.planRoot === undefined
      ? undefined
      : await openPreviewPlan(options.planRoot, {
          bucket: input.connection.bucket,
          endpoint: input.connection.endpoint,
          ...(input.prefix ? { prefix: input.prefix } : {}),
          createdAt: new Date(started).toISOString(),
          wesenditSource,
        });
  let planOk = plan !== undefined;
  try {
    await progress('listing', true);
    let bucketSide: AsyncIterable<InventoryEntry | readonly InventoryEntry[]>;
    if ('pending' in input.wesendit) {
      const prefetch = new Prefetch(bucket(), options.prefetchLimit ?? PREFETCH_LIMIT);
      const ticker = setInterval(() => void progress('listing'), PROGRESS_INTERVAL_MS);
      try {
        ready = await Promise.race([input.wesendit.pending, prefetch.failed]);
      } finally {
        clearInterval(ticker);
      }
      bucketSide = prefetch.drain();
    } else {
      bucketSide = bucket();
    }
    for await (const batch of diffInventoryBatches(bucketSide, wesendit())) {
      if (signal.aborted) throw signal.reason;
      tally.addBatch(batch);
      // Without rows to send, the plan is written as the merge goes; with rows, while they are
      // sent, so the summary is not held up by it.
      if (!includeRows && plan && planOk) planOk = await plan.write(batch).then(() => true, () => false);
      if (includeRows) {
        // Whole batches: a batch that crosses the limit stays in memory, the next one spools.
        if (keptRows < memoryRowLimit) {
          kept.push(batch);
          keptRows += batch.length;
        } else {
          spool ??= await openSpool();
          let text = '';
          for (const row of batch) text += JSON.stringify(row) + '\n';
          await writeSpool(spool, text);
          spooledRows += batch.length;
        }
      }
      await progress('listing');
    }
    if (spool) await closeSpool(spool);
    const elapsedMs = Date.now() - started;
    // The summary can be shown now; the rows follow.
    await context.progress({
      phase: 'rows',
      objects: bucketObjects,
      bytes: bucketBytes,
      rate: elapsedMs > 0 ? Math.round((bucketObjects * 1000) / elapsedMs) : 0,
      elapsedMs,
      totals: tally.totals,
      rows: keptRows + spooledRows,
      bucketObjects,
      wesenditObjects,
    });
    // Each batch is let go once sent, so memory shrinks while the spooled rows are read.
    for (let batch = kept.shift(); batch !== undefined; batch = kept.shift()) {
      if (signal.aborted) throw signal.reason;
      await context.chunk(batch);
      if (plan && planOk) planOk = await plan.write(batch).then(() => true, () => false);
    }
    if (spoolDir !== undefined && spooledRows > 0) {
      for await (const chunk of readSpool(join(spoolDir, 'rows.ndjson'), signal)) {
        await context.chunk(chunk);
        if (plan && planOk) planOk = await plan.write(chunk).then(() => true, () => false);
      }
    }
    if (plan) {
      // The plan is a convenience for the review after the connect: the preview never fails for it.
      if (planOk) await plan.close().catch(() => plan.abort());
      else await plan.abort();
      planOk = false;
    }
  } finally {
    if (plan && planOk) await plan.abort();
    listing.close();
    kept.length = 0;
    if (spool) spool.destroy();
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
  }
  return { totals: tally.totals, rows: keptRows + spooledRows, bucketObjects, wesenditObjects, elapsedMs: Date.now() - started };
}
