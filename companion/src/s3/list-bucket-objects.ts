import { setMaxListeners } from 'node:events';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client, type _Object } from '@aws-sdk/client-s3';
import { ConnectGuardError } from '../../../shared/errors.ts';
import type { InventoryEntry } from '../../../shared/inventory.ts';
import { compareS3Keys } from '../../../shared/s3-key-order.ts';
import { classifyS3Error, isRetryableS3Error, s3ErrorCode } from './classify-s3-error.ts';
import { findScannedEntries, hintListScan, useFastListObjectsParser } from './fast-list-objects-parser.ts';
import { commonPrefixLength, splitPointsAfterPage } from './split-points-after-page.ts';

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
 * A disjoint slice of the key space: keys k with `after < k ≤ until` (each bound optional; a
 * range starting at a folder includes the folder's own key, `after ≤ k`, and the range before it
 * then ends below it, `k < until`). Slices are kept in key order in a linked list; only the
 * head's entries are emitted.
 */
interface KeyRange {
  readonly after: string | undefined;
  until: string | undefined;
  /** `after` itself belongs to this range (a folder found by a probe, listed from its own key). */
  readonly afterInclusive: boolean;
  /** `until` itself belongs to the next range. */
  untilExclusive: boolean;
  /**
   * Every key of the range starts with this, so it is sent as `Prefix`, and a page that is not
   * truncated ends the range: the server stops at the folder's end instead of returning a page
   * of keys beyond it that would be dropped.
   */
  prefix: string | undefined;
  /**
   * A folder listed first with `Prefix` (from its own key, which `StartAfter` could not include);
   * the rest of the range follows with `StartAfter`.
   */
  folderFirst: string | undefined;
  /** `Prefix` of the request that gave `token` (a token continues the same request). */
  tokenPrefix: string | undefined;
  /** Last key accepted into this range: the resume point after a failure. */
  lastKey: string | undefined;
  /** Continuation token of the next page; undefined: start (again) after `lastKey ?? after`. */
  token: string | undefined;
  readonly buffer: InventoryEntry[][];
  started: boolean;
  done: boolean;
  inFlight: boolean;
  failures: number;
  /** Full pages received: a range is split by guessed characters only once it proved long. */
  fullPages: number;
  next: KeyRange | undefined;
}

function newRange(after: string | undefined, until: string | undefined, next: KeyRange | undefined, bounds: Partial<Pick<KeyRange, 'afterInclusive' | 'untilExclusive' | 'prefix' | 'folderFirst'>> = {}): KeyRange {
  return {
    after,
    until,
    afterInclusive: bounds.afterInclusive ?? false,
    untilExclusive: bounds.untilExclusive ?? false,
    prefix: bounds.prefix,
    folderFirst: bounds.folderFirst,
    tokenPrefix: undefined,
    lastKey: undefined,
    token: undefined,
    buffer: [],
    started: false,
    done: false,
    inFlight: false,
    failures: 0,
    fullPages: 0,
    next,
  };
}

/** The longer of two prefixes of the same key (one is a prefix of the other), or either one. */
function longerPrefix(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.length >= b.length ? a : b;
}

/** Is the key past the range's upper bound? */
function isPastUntil(key: string, range: KeyRange): boolean {
  if (range.until === undefined) return false;
  const order = compareS3Keys(key, range.until);
  return range.untilExclusive ? order >= 0 : order > 0;
}

function toEntry(object: _Object): InventoryEntry | undefined {
  if (object.Key === undefined) return undefined;
  const etag = object.ETag?.replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, '');
  return {
    key: object.Key,
    size: object.Size ?? 0,
    ...(object.LastModified ? { lastModified: object.LastModified.toISOString() } : {}),
    ...(etag ? { etag } : {}),
  };
}

const MAX_RANGES = 20_000;
const MAX_PROBES = 5_000;

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
 * is retried with backoff and jitter, resuming after the range's last accepted key; a key not
 * greater than the previous one of its range is dropped, so no key is ever emitted twice.
 *
 * @throws ConnectGuardError classified by `classifyS3Error` (wrong keys, missing bucket, …), or
 *   `CANCELLED` when `signal` aborts.
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
  let head: KeyRange | undefined = newRange(input.startAfter, undefined, undefined);
  let inFlight = 0;
  let probesInFlight = 0;
  let notStarted = 1;
  let rangeCount = 1;
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

  const split = (target: KeyRange, keys: readonly string[]): void => {
    const budget = Math.min(concurrency * 2, concurrency * 3 - notStarted);
    if (budget <= 0) return;
    const points = splitPointsAfterPage(keys, target.until, budget, pageSize);
    if (points.length === 0) return;
    // (lastKey, p1] stays with the running range; (p1, p2], …, (pn, until] are new. A prefix
    // every key of the range starts with holds for each part of it.
    let tail = target.next;
    for (let i = points.length - 1; i >= 0; i--) {
      const last = i + 1 === points.length;
      tail = newRange(points[i], last ? target.until : points[i + 1], tail, { untilExclusive: last && target.untilExclusive, prefix: target.prefix });
      notStarted++;
    }
    rangeCount += points.length;
    target.until = points[0];
    target.untilExclusive = false;
    target.next = tail;
  };

  /**
   * Splits whichever unfinished ranges contain these folders (sorted common prefixes of one
   * delimiter listing), each new range starting at its folder's own key. When that listing was
   * complete, a folder followed by the next one with no file of the listed folder between them
   * holds every key up to the next folder: its range is bounded by the folder as a prefix.
   *
   * A range with a page in flight is split when that page is in: the page would most often
   * reach past the new bound, and the server's work and ours on its keys beyond it would be
   * wasted. `pending` names the folders (by index) still to be placed.
   */
  const addSplitPoints = (points: readonly string[], complete: boolean, files: readonly string[], pending?: ReadonlySet<number>): void => {
    let target: KeyRange | undefined = head;
    let fileIndex = 0;
    const later = new Set<number>();
    for (let index = 0; index < points.length; index++) {
      const point = points[index] ?? '';
      if (pending && !pending.has(index)) continue;
      // The range whose upper bound is at or above the point.
      while (target && target.until !== undefined && compareS3Keys(point, target.until) >= 0) target = target.next;
      if (!target) break;
      const lower = target.lastKey ?? target.after;
      if (target.done || (lower !== undefined && compareS3Keys(point, lower) <= 0)) continue;
      if (target.inFlight) {
        later.add(index);
        continue;
      }
      if (rangeCount >= MAX_RANGES) break;
      // The new range holds only keys the split one held: a prefix valid there is valid here.
      const created = newRange(point, target.until, target.next, { afterInclusive: true, untilExclusive: target.untilExclusive, prefix: target.prefix, folderFirst: point });
      const folderBefore = index > 0 ? points[index - 1] : undefined;
      if (complete && folderBefore !== undefined && lower !== undefined && compareS3Keys(lower, folderBefore) >= 0) {
        // What is left of the split range lies between the previous folder and this one: with no
        // file of the listed folder between them, it is all inside the previous folder.
        while (fileIndex < files.length && compareS3Keys(files[fileIndex] ?? '', folderBefore) < 0) fileIndex++;
        const between = fileIndex < files.length && compareS3Keys(files[fileIndex] ?? '', point) < 0;
        if (!between && (target.prefix === undefined || target.prefix.length < folderBefore.length)) {
          target.prefix = folderBefore;
          if (target.folderFirst !== undefined && folderBefore.startsWith(target.folderFirst)) target.folderFirst = undefined;
          // The next page is asked with the new prefix rather than continuing the old request.
          target.token = undefined;
        }
      }
      target.until = point;
      target.untilExclusive = true;
      target.next = created;
      notStarted++;
      rangeCount++;
      target = created;
    }
    if (later.size > 0) deferredSplits.push({ points, complete, files, pending: later });
  };

  /**
   * Folders split the key space for free: one ListObjectsV2 with a delimiter names the
   * subfolders of a folder, and each subfolder (a common prefix) starts a range. Every folder
   * above the one a page lies in is asked once, as is that folder when the page shows it has
   * subfolders. A failed probe only costs speed.
   */
  const probed = new Set<string>();
  const deferredSplits: { readonly points: readonly string[]; readonly complete: boolean; readonly files: readonly string[]; readonly pending: ReadonlySet<number> }[] = [];
  const probeFolder = (folder: string): void => {
    if (probed.has(folder) || probed.size >= MAX_PROBES) return;
    probed.add(folder);
    const prefix = input.prefix !== undefined && folder.length < input.prefix.length ? input.prefix : folder;
    probesInFlight++;
    const probe = new ListObjectsV2Command({ Bucket: input.bucket, Prefix: prefix, Delimiter: '/', MaxKeys: 1000 });
    send(probe)
      .then((page) => {
        pages++;
        const points = (page.CommonPrefixes ?? []).flatMap((common) => (common.Prefix === undefined ? [] : [common.Prefix])).sort(compareS3Keys);
        const files = (findScannedEntries(page) ?? []).map((entry) => entry.key);
        addSplitPoints(points, page.IsTruncated !== true && findScannedEntries(page) !== undefined, files);
      })
      .catch(() => undefined)
      .finally(() => {
        probesInFlight--;
        notify();
      });
  };
  const probeFoldersAround = (keys: readonly string[]): void => {
    const first = keys[0] ?? '';
    const last = keys[keys.length - 1] ?? '';
    const common = first.slice(0, commonPrefixLength(first, last));
    const folder = common.slice(0, common.lastIndexOf('/') + 1);
    for (let cut = folder.indexOf('/'); cut !== -1 && cut < folder.length - 1; cut = folder.indexOf('/', cut + 1)) probeFolder(folder.slice(0, cut + 1));
    probeFolder('');
    if (folder !== '' && keys.some((key) => key.indexOf('/', folder.length) !== -1)) probeFolder(folder);
  };

  const fetchPage = async (target: KeyRange): Promise<void> => {
    for (;;) {
      try {
        // A token continues a range; after a failure it restarts after its last accepted key.
        const floor = target.lastKey ?? target.after;
        // A folder's range starts at the folder's own key: only a Prefix request can include it.
        const fromFloor = target.lastKey === undefined && target.afterInclusive && (target.folderFirst !== undefined || target.prefix === target.after);
        let requestPrefix: string | undefined;
        if (target.token !== undefined) requestPrefix = target.tokenPrefix;
        else if (target.folderFirst !== undefined) requestPrefix = target.folderFirst;
        else {
          // Keys between two bounds share the bounds' common prefix: let the server stop there.
          const shared = floor !== undefined && target.until !== undefined ? floor.slice(0, commonPrefixLength(floor, target.until)) : undefined;
          requestPrefix = longerPrefix(longerPrefix(input.prefix || undefined, target.prefix), shared || undefined);
        }
        target.tokenPrefix = requestPrefix;
        const command = new ListObjectsV2Command({
          Bucket: input.bucket,
          MaxKeys: pageSize,
          ...(requestPrefix ? { Prefix: requestPrefix } : {}),
          ...(target.token !== undefined ? { ContinuationToken: target.token } : floor !== undefined && !fromFloor ? { StartAfter: floor } : {}),
        });
        // Objects past the range's end are dropped below: the scanner need not build them.
        if (target.until !== undefined) hintListScan(command.input, { until: target.until });
        const page = await send(command);
        pages++;
        target.token = page.NextContinuationToken;
        const entries: InventoryEntry[] = [];
        for (const listed of findScannedEntries(page) ?? page.Contents ?? []) {
          const entry = 'key' in listed ? listed : toEntry(listed);
          if (!entry) continue;
          if (isPastUntil(entry.key, target)) {
            target.done = true;
            break;
          }
          const lower = target.lastKey ?? target.after;
          if (lower !== undefined) {
            const order = compareS3Keys(entry.key, lower);
            if (order < 0 || (order === 0 && (target.lastKey !== undefined || !target.afterInclusive))) continue;
          }
          entries.push(entry);
          target.lastKey = entry.key;
        }
        if (!page.IsTruncated || !page.NextContinuationToken) {
          target.token = undefined;
          // The folder is listed; the rest of the range (if any) follows after its last key.
          if (requestPrefix !== undefined && requestPrefix === target.folderFirst && target.folderFirst !== target.prefix) target.folderFirst = undefined;
          else target.done = true;
        }
        if (entries.length > 0) {
          target.buffer.push(entries);
          buffered += entries.length;
        }
        if (!target.done && entries.length > 1) {
          target.fullPages++;
          const keys = entries.map((entry) => entry.key);
          probeFoldersAround(keys);
          if (target.fullPages >= 2) split(target, keys);
        }
        target.failures = 0;
        return;
      } catch (error) {
        target.token = undefined;
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
    let candidate: KeyRange | undefined = head;
    while (candidate && inFlight < concurrency && failure === undefined) {
      const target: KeyRange = candidate;
      candidate = candidate.next;
      if (target.done || target.inFlight) continue;
      if (target !== head && buffered >= maxBuffered) break;
      if (!target.started) {
        target.started = true;
        notStarted--;
      }
      target.inFlight = true;
      inFlight++;
      fetchPage(target)
        .catch((error: unknown) => {
          failure ??= error;
          abort.abort();
        })
        .finally(() => {
          target.inFlight = false;
          inFlight--;
          // Before the range's next page is requested.
          for (const deferred of deferredSplits.splice(0)) addSplitPoints(deferred.points, deferred.complete, deferred.files, deferred.pending);
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
      const current: KeyRange | undefined = head;
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
        head = current.next;
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
