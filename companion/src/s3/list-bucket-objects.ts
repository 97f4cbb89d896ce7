import { setMaxListeners } from 'node:events';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { classifyS3Error, isRetryableS3Error, s3ErrorCode } from './classify-s3-error.ts';
import { hintListScan, pageEntries, useFastListObjectsParser } from './fast-list-objects-parser.ts';
import { KeyRangePlan, foldersAround, type KeyRange } from './key-range-plan.ts';
import { listingFault } from './listing-faults.ts';

/** Network errors that mean the server never answered at all. */
const neverReachedCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface ListProgress {
  /** Objects emitted so far (in order). */
  readonly objects: number;
  /** Bytes of the objects emitted so far. */
  readonly bytes: number;
  /** ListObjectsV2 pages received (all ranges). */
  readonly pages: number;
  readonly elapsedMs: number;
  /** Objects per second since the start. */
  readonly rate: number;
}

export interface ListBucketObjectsInput {
  readonly client: S3Client;
  readonly bucket: string;
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Resume: list only keys after this one (exclusive), e.g. the last key of an interrupted snapshot. */
  readonly startAfter?: string;
  /** Requests in flight at once. Default 16. */
  readonly concurrency?: number;
  /** MaxKeys per request (1–1000). Default 1000. */
  readonly pageSize?: number;
  /** Attempts per page after the client's own retries gave up (backoff with jitter). Default 8. */
  readonly maxPageAttempts?: number;
  /** Entries held for ranges that are ahead of the one being emitted. Default 50 000
   * (≈ 12 MB): less throttles the ranges ahead while the first one drains over a slow link. */
  readonly maxBufferedEntries?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ListProgress) => void;
  /** Minimum milliseconds between progress events (the last one is always sent). Default 200. */
  readonly progressIntervalMs?: number;
  /** Named in error messages. */
  readonly endpoint?: string;
}

/**
 * The page's KeyCount against what it holds: the objects and, for a delimiter listing, the
 * folders (S3, Ceph and MinIO count both). A page that lost an object on the way says so here.
 */
function keyCountProblem(page: ListObjectsV2CommandOutput, contents: number): string | undefined {
  const keyCount = page.KeyCount;
  if (keyCount === undefined) return undefined;
  const folders = page.CommonPrefixes?.length ?? 0;
  if (keyCount === contents + folders) return undefined;
  return `sent a listing page whose KeyCount ${keyCount} does not match the ${contents} objects${folders > 0 ? ` and ${folders} folders` : ''} it holds`;
}

/** Whether texts are in strictly increasing S3 order. */
function isStrictlyOrdered(texts: readonly string[]): boolean {
  for (let i = 1; i < texts.length; i++) if (compareS3Keys(texts[i - 1] ?? '', texts[i] ?? '') >= 0) return false;
  return true;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Lists every object of a bucket exactly once, in S3 order (UTF-8 byte order), as a stream.
 *
 * The key space is cut into disjoint ranges listed in parallel (`StartAfter` plus a stop bound,
 * since ListObjectsV2 has no end parameter); ranges are split further while they run, at points
 * guessed from their first pages, so a flat bucket of 100k keys spreads over all request slots.
 * Only the first unfinished range is emitted; the ones ahead buffer a bounded number of entries,
 * so memory stays flat whatever the bucket size. A failed page (after the client's own retries)
 * is retried with backoff and jitter, resuming after the range's last accepted key.
 *
 * A page that breaks S3's rules is not worked around, since that would lose or repeat keys
 * silently: a key not after the one before it, a page that says more keys follow without a token
 * to ask for them, a KeyCount that disagrees with the objects sent. Each stops the listing with
 * `SERVER_FAULT`. (A folder probe that does so is only ignored: probes only speed listing up.)
 *
 * @throws ConnectGuardError classified by `classifyS3Error` (wrong keys, missing bucket, …),
 *   `SERVER_FAULT` for a page that cannot be trusted, or `CANCELLED` when `signal` aborts.
 */
export async function* listBucketObjects(input: ListBucketObjectsInput): AsyncGenerator<InventoryEntry, void, undefined> {
  const concurrency = Math.max(1, input.concurrency ?? 16);
  const pageSize = Math.min(1000, Math.max(1, input.pageSize ?? 1000));
  const maxPageAttempts = input.maxPageAttempts ?? 8;
  const maxBuffered = input.maxBufferedEntries ?? 50_000;
  const progressInterval = input.progressIntervalMs ?? 200;
  useFastListObjectsParser(input.client);
  const abort = new AbortController();
  setMaxListeners(concurrency * 4 + 16, abort.signal);
  /**
   * Each request gets its own signal, unlinked when it ends. (The SDK's HTTP handler leaves one
   * abort listener per request on the signal it is given; one signal shared by a whole listing,
   * as a paginator would use, kept every page alive: ≈ 1 GB for a million keys.)
   */
  const send = async (command: ListObjectsV2Command): Promise<ListObjectsV2CommandOutput> => {
    const controller = new AbortController();
    const forward = (): void => controller.abort(abort.signal.reason);
    if (abort.signal.aborted) forward();
    abort.signal.addEventListener('abort', forward, { once: true });
    try {
      return await input.client.send(command, { abortSignal: controller.signal });
    } finally {
      abort.signal.removeEventListener('abort', forward);
    }
  };
  const onOuterAbort = (): void => abort.abort(input.signal?.reason);
  if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', 'Listing cancelled.');
  input.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const started = Date.now();
  const plan = new KeyRangePlan({ concurrency, pageSize, ...(input.prefix !== undefined ? { prefix: input.prefix } : {}), ...(input.startAfter !== undefined ? { startAfter: input.startAfter } : {}) });
  let inFlight = 0;
  let probesInFlight = 0;
  let buffered = 0;
  let pages = 0;
  let objects = 0;
  let bytes = 0;
  let lastProgress = 0;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  const reportProgress = (force: boolean): void => {
    if (!input.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < progressInterval) return;
    lastProgress = now;
    const elapsedMs = now - started;
    input.onProgress({ objects, bytes, pages, elapsedMs, rate: elapsedMs > 0 ? (objects * 1000) / elapsedMs : 0 });
  };

  /**
   * Folders split the key space for free: one ListObjectsV2 with a delimiter names the
   * subfolders of a folder, and each subfolder (a common prefix) starts a range. Every folder
   * above the one a page lies in is asked once, as is that folder when the page shows it has
   * subfolders. A failed probe only costs speed.
   */
  const probeFolder = (folder: string): void => {
    const prefix = plan.claimProbe(folder);
    if (prefix === undefined) return;
    probesInFlight++;
    const probe = new ListObjectsV2Command({ Bucket: input.bucket, Prefix: prefix, Delimiter: '/', MaxKeys: 1000 });
    send(probe)
      .then((page) => {
        pages++;
        const folders = (page.CommonPrefixes ?? []).flatMap((common) => (common.Prefix === undefined ? [] : [common.Prefix]));
        const { entries, contents } = pageEntries(page);
        const files = entries.map((entry) => entry.key);
        // A probe that cannot be trusted splits nothing: its folders and files could hide keys.
        if (keyCountProblem(page, contents) !== undefined || !isStrictlyOrdered(folders) || !isStrictlyOrdered(files)) return;
        plan.addFolders(folders, page.IsTruncated !== true && contents === files.length, files);
      })
      .catch(() => undefined)
      .finally(() => {
        probesInFlight--;
        notify();
      });
  };

  const fetchPage = async (target: KeyRange): Promise<void> => {
    for (;;) {
      try {
        const request = plan.nextRequest(target);
        const command = new ListObjectsV2Command({
          Bucket: input.bucket,
          MaxKeys: pageSize,
          ...(request.prefix ? { Prefix: request.prefix } : {}),
          ...(request.continuationToken !== undefined ? { ContinuationToken: request.continuationToken } : request.startAfter !== undefined ? { StartAfter: request.startAfter } : {}),
        });
        // Objects past the range's end are dropped: the scanner need not build them.
        if (request.until !== undefined) hintListScan(command.input, { until: request.until });
        const page = await send(command);
        pages++;
        const { entries: listed, contents } = pageEntries(page);
        const countProblem = keyCountProblem(page, contents);
        if (countProblem !== undefined) throw listingFault(countProblem);
        const truncated = page.IsTruncated === true;
        const entries = plan.acceptPage(target, request, listed, truncated && page.NextContinuationToken ? page.NextContinuationToken : undefined, truncated);
        if (entries.length > 0) {
          target.buffer.push(entries);
          buffered += entries.length;
        }
        if (!target.done && entries.length > 1) {
          const keys = entries.map((entry) => entry.key);
          for (const folder of foldersAround(keys)) probeFolder(folder);
          plan.pageListed(target, keys);
        }
        target.failures = 0;
        return;
      } catch (error) {
        plan.pageFailed(target);
        if (abort.signal.aborted) throw error;
        target.failures++;
        if (!isRetryableS3Error(error) || target.failures >= maxPageAttempts) throw error;
        // A server that never answered (refused, unknown host) is a wrong endpoint, not a hiccup
        // in a long run: the SDK already retried the request, so say so now instead of minutes later.
        if (pages === 0 && neverReachedCodes.has(s3ErrorCode(error) ?? '')) throw error;
        // Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter").
        await sleep(Math.random() * Math.min(20_000, 200 * 2 ** target.failures), abort.signal);
      }
    }
  };

  const schedule = (): void => {
    let candidate: KeyRange | undefined = plan.head;
    while (candidate && inFlight < concurrency && failure === undefined) {
      const target: KeyRange = candidate;
      candidate = candidate.next;
      if (target.done || target.inFlight) continue;
      if (target !== plan.head && buffered >= maxBuffered) break;
      plan.beginRequest(target);
      inFlight++;
      fetchPage(target)
        .catch((error: unknown) => {
          failure ??= error;
          abort.abort();
        })
        .finally(() => {
          inFlight--;
          // Before the range's next page is requested.
          plan.endRequest(target);
          notify();
        });
    }
  };

  probeFolder('');
  try {
    for (;;) {
      if (abort.signal.aborted) throw failure ?? abort.signal.reason;
      schedule();
      if (failure !== undefined) throw failure;
      const current: KeyRange | undefined = plan.head;
      if (!current) break;
      const entries = current.buffer.shift();
      if (entries) {
        buffered -= entries.length;
        for (const entry of entries) {
          if (abort.signal.aborted) throw failure ?? abort.signal.reason;
          objects++;
          bytes += entry.size;
          yield entry;
        }
        reportProgress(false);
        continue;
      }
      if (current.done && !current.inFlight) {
        plan.advanceHead();
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    reportProgress(true);
  } catch (error) {
    if (input.signal?.aborted) throw new ConnectGuardError('CANCELLED', 'Listing cancelled.', { cause: error });
    throw classifyS3Error(error, { bucket: input.bucket, ...(input.endpoint ? { endpoint: input.endpoint } : {}) });
  } finally {
    input.signal?.removeEventListener('abort', onOuterAbort);
    // A consumer that stops early (break) must not leave requests running.
    if (inFlight > 0 || probesInFlight > 0) abort.abort();
  }
}
